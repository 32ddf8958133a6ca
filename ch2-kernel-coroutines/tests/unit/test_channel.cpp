/// @file test_channel.cpp
/// @brief Unit tests: the bounded coroutine channel (FIFO order, blocking when full or empty, try_*) on a host
/// executor.
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cops/sched/executor.hpp"
#include "cops/sync/channel.hpp"
#include "unit_support.hpp"

using namespace cops;
using namespace cops::sched;
using cops::sync::Channel;

namespace {

using IntChannel = Channel<int, 3>;

/// Sends first, first+1, ... (@p count values), counting those sent.
Task<> producer(IntChannel& ch, int first, int count, int& sent) {
    for (int i = 0; i < count; ++i) {
        co_await ch.send(first + i);
        ++sent;
    }
}

/// Receives @p count values into @p out.
Task<> consumer(IntChannel& ch, int count, std::vector<int>& out) {
    for (int i = 0; i < count; ++i) {
        out.push_back(co_await ch.receive());
    }
}

/// A message with a heap-owning member.
struct Message {
    int id = 0;
    std::string text;
};

Task<> message_consumer(Channel<Message, 2>& ch, int count, std::vector<Message>& out) {
    for (int i = 0; i < count; ++i) {
        out.push_back(co_await ch.receive());
    }
}

Task<> message_producer(Channel<Message, 2>& ch, int count) {
    for (int i = 0; i < count; ++i) {
        // A named value, moved: GCC 12 frees the string of a braced aggregate prvalue passed
        // straight to a coroutine's by-value parameter inside co_await (`co_await send(Message{...})`).
        Message m{i, "message number " + std::to_string(i) + " with a long enough text"};
        co_await ch.send(std::move(m));
    }
}

using PtrChannel = Channel<std::unique_ptr<int>, 2>;

Task<> ptr_producer(PtrChannel& ch, int count) {
    for (int i = 0; i < count; ++i) {
        co_await ch.send(std::make_unique<int>(i * 10));
    }
}

Task<> ptr_consumer(PtrChannel& ch, int count, std::vector<int>& out) {
    for (int i = 0; i < count; ++i) {
        std::unique_ptr<int> p = co_await ch.receive();
        out.push_back(p ? *p : -1);
    }
}

}  // namespace

TEST_CASE("channel: a producer faster than the capacity blocks when full", "[channel][lab]") {
    const auto before = frame_stats();
    {
        IntChannel ch;
        int sent = 0;
        std::vector<int> got;
        Executor ex(4);
        auto prod = ex.spawn(producer(ch, 100, 10, sent), Priority{1}).value();
        ex.run();
        REQUIRE(sent == 3);
        REQUIRE(ch.size() == 3);
        REQUIRE(ex.state(prod).value() == CoroutineState::Blocked);

        auto cons = ex.spawn(consumer(ch, 10, got), Priority{5}).value();
        ex.run();
        REQUIRE(sent == 10);
        REQUIRE(got == std::vector<int>{100, 101, 102, 103, 104, 105, 106, 107, 108, 109});
        REQUIRE(ch.size() == 0);
        REQUIRE(ex.state(prod).value() == CoroutineState::Exit);
        REQUIRE(ex.state(cons).value() == CoroutineState::Exit);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("channel: FIFO order whichever side is more urgent", "[channel][lab]") {
    const auto before = frame_stats();
    for (bool producer_first : {true, false}) {
        INFO("producer more urgent: " << producer_first);
        IntChannel ch;
        int sent = 0;
        std::vector<int> got;
        Executor ex(4);
        (void)ex.spawn(producer(ch, 0, 50, sent), Priority{producer_first ? std::uint8_t{2} : std::uint8_t{9}});
        (void)ex.spawn(consumer(ch, 50, got), Priority{producer_first ? std::uint8_t{9} : std::uint8_t{2}});
        ex.run();
        REQUIRE(sent == 50);
        REQUIRE(got.size() == 50);
        for (int i = 0; i < 50; ++i) {
            REQUIRE(got[static_cast<std::size_t>(i)] == i);
        }
        REQUIRE(ch.size() == 0);
        REQUIRE(ex.live_count() == 0);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("channel: two producers interleave but each keeps its order", "[channel]") {
    const auto before = frame_stats();
    {
        IntChannel ch;
        int sent_a = 0, sent_b = 0;
        std::vector<int> got;
        Executor ex(4);
        (void)ex.spawn(producer(ch, 0, 20, sent_a), Priority{3});
        (void)ex.spawn(producer(ch, 1000, 20, sent_b), Priority{3});
        (void)ex.spawn(consumer(ch, 40, got), Priority{3});
        ex.run();
        REQUIRE(got.size() == 40);
        int next_a = 0, next_b = 1000;
        for (int v : got) {
            if (v < 1000) {
                REQUIRE(v == next_a++);
            } else {
                REQUIRE(v == next_b++);
            }
        }
        REQUIRE(next_a == 20);
        REQUIRE(next_b == 1020);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("channel: try_send on a full channel fails and keeps the contents", "[channel][lab]") {
    IntChannel ch;
    REQUIRE(ch.size() == 0);
    REQUIRE(ch.try_send(1));
    REQUIRE(ch.try_send(2));
    REQUIRE(ch.try_send(3));
    REQUIRE(ch.size() == 3);
    REQUIRE_FALSE(ch.try_send(4));
    REQUIRE(ch.size() == 3);
    REQUIRE(ch.try_receive() == std::optional<int>{1});
    REQUIRE(ch.try_send(5));  // the ring wraps around
    REQUIRE_FALSE(ch.try_send(6));
    REQUIRE(ch.try_receive() == std::optional<int>{2});
    REQUIRE(ch.try_receive() == std::optional<int>{3});
    REQUIRE(ch.try_receive() == std::optional<int>{5});
    REQUIRE(ch.size() == 0);
}

TEST_CASE("channel: try_receive on an empty channel is nullopt", "[channel][lab]") {
    IntChannel ch;
    REQUIRE_FALSE(ch.try_receive().has_value());
    REQUIRE(ch.try_send(42));
    auto v = ch.try_receive();
    REQUIRE(v.has_value());
    REQUIRE(*v == 42);
    REQUIRE_FALSE(ch.try_receive().has_value());
    REQUIRE(ch.size() == 0);
}

TEST_CASE("channel: the ring wraps around many times", "[channel]") {
    Channel<int, 1> one;
    for (int i = 0; i < 100; ++i) {
        REQUIRE(one.try_send(i));
        REQUIRE_FALSE(one.try_send(-1));
        REQUIRE(one.try_receive() == std::optional<int>{i});
    }
    IntChannel ch;
    int expect = 0;
    for (int i = 0; i < 100; ++i) {
        REQUIRE(ch.try_send(2 * i));
        REQUIRE(ch.try_send(2 * i + 1));
        REQUIRE(ch.try_receive() == std::optional<int>{expect++});
        REQUIRE(ch.try_receive() == std::optional<int>{expect++});
    }
    REQUIRE(ch.size() == 0);
}

TEST_CASE("channel: a blocked receiver gets a value sent with try_send", "[channel][lab]") {
    const auto before = frame_stats();
    {
        IntChannel ch;
        std::vector<int> got;
        Executor ex(4);
        auto cons = ex.spawn(consumer(ch, 2, got), Priority{4}).value();
        ex.run();
        REQUIRE(ex.state(cons).value() == CoroutineState::Blocked);
        REQUIRE(got.empty());
        REQUIRE(ch.try_send(7));  // as an interrupt handler would
        REQUIRE(ex.state(cons).value() == CoroutineState::Ready);
        ex.run();
        REQUIRE(got == std::vector<int>{7});
        REQUIRE(ex.state(cons).value() == CoroutineState::Blocked);
        REQUIRE(ch.try_send(8));
        ex.run();
        REQUIRE(got == std::vector<int>{7, 8});
        REQUIRE(ex.state(cons).value() == CoroutineState::Exit);
        REQUIRE(ch.size() == 0);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("channel: a blocked sender is released by try_receive", "[channel][lab]") {
    const auto before = frame_stats();
    {
        IntChannel ch;
        int sent = 0;
        Executor ex(4);
        auto prod = ex.spawn(producer(ch, 1, 4, sent), Priority{4}).value();
        ex.run();
        REQUIRE(sent == 3);
        REQUIRE(ch.size() == 3);
        REQUIRE(ex.state(prod).value() == CoroutineState::Blocked);
        REQUIRE(ch.try_receive() == std::optional<int>{1});
        ex.run();
        REQUIRE(sent == 4);
        REQUIRE(ex.state(prod).value() == CoroutineState::Exit);
        REQUIRE(ch.size() == 3);
        REQUIRE(ch.try_receive() == std::optional<int>{2});
        REQUIRE(ch.try_receive() == std::optional<int>{3});
        REQUIRE(ch.try_receive() == std::optional<int>{4});
        REQUIRE_FALSE(ch.try_receive().has_value());
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("channel: a stray wake does not let a receiver take from an empty channel", "[channel][lab]") {
    const auto before = frame_stats();
    {
        IntChannel ch;
        std::vector<int> got;
        Executor ex(4);
        auto cons = ex.spawn(consumer(ch, 1, got), Priority{4}).value();
        ex.run();
        REQUIRE(ex.wake(cons).ok());
        ex.run();
        REQUIRE(got.empty());
        REQUIRE(ex.state(cons).value() == CoroutineState::Blocked);
        REQUIRE(ch.try_send(9));
        ex.run();
        REQUIRE(got == std::vector<int>{9});
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("channel: carries a struct with heap-owning members", "[channel]") {
    const auto before = frame_stats();
    {
        Channel<Message, 2> ch;
        std::vector<Message> got;
        Executor ex(4);
        (void)ex.spawn(message_producer(ch, 6), Priority{2});
        (void)ex.spawn(message_consumer(ch, 6, got), Priority{3});
        ex.run();
        REQUIRE(got.size() == 6);
        for (int i = 0; i < 6; ++i) {
            const Message& m = got[static_cast<std::size_t>(i)];
            REQUIRE(m.id == i);
            REQUIRE(m.text == "message number " + std::to_string(i) + " with a long enough text");
        }
        REQUIRE(ch.try_send(Message{99, "direct"}));
        auto m = ch.try_receive();
        REQUIRE(m.has_value());
        REQUIRE(m->id == 99);
        REQUIRE(m->text == "direct");
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("channel: carries a move-only type", "[channel]") {
    const auto before = frame_stats();
    {
        PtrChannel ch;
        std::vector<int> got;
        Executor ex(4);
        (void)ex.spawn(ptr_producer(ch, 5), Priority{2});
        (void)ex.spawn(ptr_consumer(ch, 5, got), Priority{3});
        ex.run();
        REQUIRE(got == std::vector<int>{0, 10, 20, 30, 40});
        REQUIRE(ch.size() == 0);

        REQUIRE(ch.try_send(std::make_unique<int>(1)));
        REQUIRE(ch.try_send(std::make_unique<int>(2)));
        REQUIRE_FALSE(ch.try_send(std::make_unique<int>(3)));  // full: the value is dropped, not leaked
        auto a = ch.try_receive();
        REQUIRE(a.has_value());
        REQUIRE(*a != nullptr);
        REQUIRE(**a == 1);
        // One value is left in the channel: its destructor frees it (ASan would report a leak).
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}
