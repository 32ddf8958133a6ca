/// @file test_semaphore.cpp
/// @brief Unit tests: the coroutine semaphore (counting, FIFO hand-off, stray wakes) on a host executor.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "cops/sched/executor.hpp"
#include "cops/sync/semaphore.hpp"
#include "cops/test/host_death.hpp"
#include "unit_support.hpp"

using namespace cops;
using namespace cops::sched;
using cops::sync::Semaphore;

namespace {

/// Records @p id after taking one unit of @p sem.
Task<> acquirer(Semaphore& sem, std::vector<int>& trace, int id) {
    co_await sem.acquire();
    trace.push_back(id);
}

/// Sets @p passed once it has a unit; @p started before it asks.
Task<> flagged_acquirer(Semaphore& sem, bool& started, bool& passed) {
    started = true;
    co_await sem.acquire();
    passed = true;
}

/// Takes @p times units one after another, counting them.
Task<> repeat_acquirer(Semaphore& sem, int& taken, int times) {
    for (int i = 0; i < times; ++i) {
        co_await sem.acquire();
        ++taken;
    }
}

}  // namespace

TEST_CASE("semaphore: a unit available is taken without blocking", "[semaphore]") {
    const auto before = frame_stats();
    {
        Semaphore sem(1);
        std::vector<int> trace;
        Executor ex(4);
        auto cid = ex.spawn(acquirer(sem, trace, 7), Priority{3}).value();
        REQUIRE(ex.run() == 1);  // one resume: it never suspended
        REQUIRE(trace == std::vector<int>{7});
        REQUIRE(ex.state(cid).value() == CoroutineState::Exit);
        REQUIRE(sem.available() == 0);
        REQUIRE(sem.waiting() == 0);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("semaphore: release hands units to waiters in FIFO order", "[semaphore][lab]") {
    const auto before = frame_stats();
    {
        Semaphore sem(0);
        std::vector<int> trace;
        Executor ex(8);
        // Arrival order 1, 2, 3; priorities chosen so that FIFO differs from priority order.
        (void)ex.spawn(acquirer(sem, trace, 1), Priority{30});
        ex.run();
        (void)ex.spawn(acquirer(sem, trace, 2), Priority{5});
        ex.run();
        (void)ex.spawn(acquirer(sem, trace, 3), Priority{0});
        ex.run();
        REQUIRE(trace.empty());
        REQUIRE(sem.waiting() == 3);
        REQUIRE(sem.available() == 0);

        sem.release();
        REQUIRE(sem.available() == 0);  // handed over, not counted
        REQUIRE(sem.waiting() == 2);
        ex.run();
        REQUIRE(trace == std::vector<int>{1});

        sem.release();
        ex.run();
        REQUIRE(trace == std::vector<int>{1, 2});

        sem.release();
        ex.run();
        REQUIRE(trace == std::vector<int>{1, 2, 3});
        REQUIRE(sem.waiting() == 0);
        REQUIRE(sem.available() == 0);
        REQUIRE(ex.live_count() == 0);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("semaphore: a late-comer cannot overtake a waiter that was handed a unit", "[semaphore][lab]") {
    const auto before = frame_stats();
    {
        Semaphore sem(0);
        std::vector<int> trace;
        Executor ex(8);
        auto first = ex.spawn(acquirer(sem, trace, 1), Priority{40}).value();
        ex.run();
        REQUIRE(ex.state(first).value() == CoroutineState::Blocked);
        sem.release();  // the unit now belongs to the waiter, which has not run yet
        REQUIRE(ex.state(first).value() == CoroutineState::Ready);
        REQUIRE_FALSE(sem.try_acquire());
        // A more urgent late-comer runs first, but finds no unit and queues behind.
        auto late = ex.spawn(acquirer(sem, trace, 2), Priority{0}).value();
        ex.run();
        REQUIRE(trace == std::vector<int>{1});
        REQUIRE(ex.state(late).value() == CoroutineState::Blocked);
        REQUIRE(sem.waiting() == 1);
        sem.release();
        ex.run();
        REQUIRE(trace == std::vector<int>{1, 2});
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("semaphore: release before acquire is counted", "[semaphore][lab]") {
    const auto before = frame_stats();
    {
        Semaphore sem(0);
        std::vector<int> trace;
        sem.release(2);
        REQUIRE(sem.available() == 2);
        REQUIRE(sem.waiting() == 0);
        Executor ex(8);
        (void)ex.spawn(acquirer(sem, trace, 1), Priority{4});
        (void)ex.spawn(acquirer(sem, trace, 2), Priority{4});
        auto third = ex.spawn(acquirer(sem, trace, 3), Priority{4}).value();
        ex.run();
        REQUIRE(trace == std::vector<int>{1, 2});
        REQUIRE(ex.state(third).value() == CoroutineState::Blocked);
        REQUIRE(sem.available() == 0);
        REQUIRE(sem.waiting() == 1);
        sem.release();
        ex.run();
        REQUIRE(trace == std::vector<int>{1, 2, 3});
        REQUIRE(ex.live_count() == 0);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("semaphore: release(n) wakes up to n waiters and counts the rest", "[semaphore][lab]") {
    const auto before = frame_stats();
    {
        Semaphore sem(0);
        std::vector<int> trace;
        Executor ex(8);
        (void)ex.spawn(acquirer(sem, trace, 1), Priority{4});
        (void)ex.spawn(acquirer(sem, trace, 2), Priority{4});
        ex.run();
        REQUIRE(sem.waiting() == 2);
        sem.release(5);
        REQUIRE(sem.waiting() == 0);
        REQUIRE(sem.available() == 3);
        ex.run();
        REQUIRE(trace == std::vector<int>{1, 2});
        REQUIRE(sem.available() == 3);

        sem.release(0);  // no-op
        REQUIRE(sem.available() == 3);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("semaphore: try_acquire takes only what is there", "[semaphore][lab]") {
    Semaphore sem(2);
    REQUIRE(sem.try_acquire());
    REQUIRE(sem.available() == 1);
    REQUIRE(sem.try_acquire());
    REQUIRE(sem.available() == 0);
    REQUIRE_FALSE(sem.try_acquire());
    REQUIRE(sem.available() == 0);  // a failed try does not go negative
    sem.release();
    REQUIRE(sem.try_acquire());
    REQUIRE_FALSE(sem.try_acquire());

    Semaphore empty;
    REQUIRE(empty.available() == 0);
    REQUIRE_FALSE(empty.try_acquire());
}

TEST_CASE("semaphore: a stray wake does not let a waiter through", "[semaphore][lab]") {
    const auto before = frame_stats();
    {
        Semaphore sem(0);
        bool started = false, passed = false;
        Executor ex(4);
        auto cid = ex.spawn(flagged_acquirer(sem, started, passed), Priority{6}).value();
        ex.run();
        REQUIRE(started);
        REQUIRE_FALSE(passed);
        REQUIRE(ex.state(cid).value() == CoroutineState::Blocked);

        for (int i = 0; i < 3; ++i) {
            REQUIRE(ex.wake(cid).ok());  // nobody released anything
            REQUIRE(ex.state(cid).value() == CoroutineState::Ready);
            REQUIRE(ex.run() >= 1);  // it did run...
            REQUIRE_FALSE(passed);   // ...but went back to waiting
            REQUIRE(ex.state(cid).value() == CoroutineState::Blocked);
            REQUIRE(sem.waiting() == 1);
            REQUIRE(sem.available() == 0);
        }

        sem.release();
        ex.run();
        REQUIRE(passed);
        REQUIRE(ex.state(cid).value() == CoroutineState::Exit);
        REQUIRE(sem.waiting() == 0);
        REQUIRE(sem.available() == 0);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("semaphore: a wake that arrives before the waiter blocks is not a grant", "[semaphore][lab]") {
    const auto before = frame_stats();
    {
        Semaphore sem(0);
        bool started = false, passed = false;
        Executor ex(4);
        auto cid = ex.spawn(flagged_acquirer(sem, started, passed), Priority{6}).value();
        REQUIRE(ex.wake(cid).ok());  // still ready: remembered, its first block() returns at once
        ex.run();
        REQUIRE(started);
        REQUIRE_FALSE(passed);
        REQUIRE(ex.state(cid).value() == CoroutineState::Blocked);
        REQUIRE(sem.waiting() == 1);
        sem.release();
        ex.run();
        REQUIRE(passed);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("semaphore: a stray wake does not steal a unit from the first waiter", "[semaphore][lab]") {
    const auto before = frame_stats();
    {
        Semaphore sem(0);
        bool started1 = false, passed1 = false, started2 = false, passed2 = false;
        Executor ex(4);
        auto first = ex.spawn(flagged_acquirer(sem, started1, passed1), Priority{6}).value();
        auto second = ex.spawn(flagged_acquirer(sem, started2, passed2), Priority{6}).value();
        ex.run();
        REQUIRE(sem.waiting() == 2);
        REQUIRE(ex.wake(second).ok());  // stray wake of the second waiter
        sem.release();                  // the unit is the first waiter's
        ex.run();
        REQUIRE(passed1);
        REQUIRE_FALSE(passed2);
        REQUIRE(ex.state(first).value() == CoroutineState::Exit);
        REQUIRE(ex.state(second).value() == CoroutineState::Blocked);
        REQUIRE(sem.waiting() == 1);
        sem.release();
        ex.run();
        REQUIRE(passed2);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("semaphore: one coroutine acquiring repeatedly gets exactly the units released", "[semaphore]") {
    const auto before = frame_stats();
    {
        Semaphore sem(1);
        int taken = 0;
        Executor ex(4);
        auto cid = ex.spawn(repeat_acquirer(sem, taken, 5), Priority{2}).value();
        ex.run();
        REQUIRE(taken == 1);
        REQUIRE(ex.state(cid).value() == CoroutineState::Blocked);
        sem.release(2);
        ex.run();
        REQUIRE(taken == 3);
        REQUIRE(ex.state(cid).value() == CoroutineState::Blocked);
        REQUIRE(sem.available() == 0);
        sem.release(3);
        ex.run();
        REQUIRE(taken == 5);
        REQUIRE(ex.state(cid).value() == CoroutineState::Exit);
        REQUIRE(sem.available() == 1);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("semaphore: an executor destroyed with waiters is a caught error, not dangling waiters", "[semaphore]") {
    // The waiters live in the coroutines' frames; destroying those frames while the
    // semaphore still lists them would leave it pointing into freed memory.
    const std::string said = cops::test::death_message([] {
        Semaphore sem(0);
        std::vector<int> trace;
        {
            Executor ex(4);
            (void)ex.spawn(acquirer(sem, trace, 1), Priority{1});
            ex.run();
        }  // destroys the waiting coroutine's frame
    });
    CHECK(said.find("destroyed while still in an intrusive list") != std::string::npos);
}

TEST_CASE("semaphore: an executor destroyed after its waiters left frees their frames", "[semaphore]") {
    const auto before = frame_stats();
    {
        Semaphore sem(0);
        std::vector<int> trace;
        Executor ex(4);
        (void)ex.spawn(acquirer(sem, trace, 1), Priority{1});
        (void)ex.spawn(acquirer(sem, trace, 2), Priority{1});
        ex.run();
        REQUIRE(frame_stats().live_frames > before.live_frames);
        sem.release(2);
        ex.run();
        REQUIRE(trace.size() == 2);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
    REQUIRE(frame_stats().live_bytes == before.live_bytes);
}

namespace {
/// acquire_unless(), recording what it returned in @p result (0: not yet, 1: took, 2: gave up).
Task<> cancellable_acquirer(Semaphore& sem, const std::atomic<std::uint32_t>& cancel, int& result) {
    result = co_await sem.acquire_unless(cancel) ? 1 : 2;
}
}  // namespace

TEST_CASE("semaphore: acquire_unless gives up when cancelled and leaves no waiter", "[semaphore]") {
    Executor ex(8);
    Semaphore sem(0);
    std::atomic<std::uint32_t> cancel{0};
    int result = 0;
    auto cid = ex.spawn(cancellable_acquirer(sem, cancel, result), Priority{1});
    REQUIRE(cid.ok());
    ex.run();
    CHECK(result == 0);
    CHECK(sem.waiting() == 1);
    REQUIRE(ex.wake(cid.value()).ok());  // a stray wake: not cancelled, so it waits on
    ex.run();
    CHECK(result == 0);
    CHECK(sem.waiting() == 1);
    cancel = 1;
    REQUIRE(ex.wake(cid.value()).ok());
    ex.run();
    CHECK(result == 2);
    CHECK(sem.waiting() == 0);
    sem.release();  // the unit stays for the next one: nobody took it
    CHECK(sem.available() == 1);
}

TEST_CASE("semaphore: acquire_unless takes a unit like acquire when not cancelled", "[semaphore]") {
    Executor ex(8);
    Semaphore sem(0);
    std::atomic<std::uint32_t> cancel{0};
    int result = 0;
    REQUIRE(ex.spawn(cancellable_acquirer(sem, cancel, result), Priority{1}).ok());
    ex.run();
    sem.release();
    ex.run();
    CHECK(result == 1);
    CHECK(sem.available() == 0);
    std::atomic<std::uint32_t> already{1};
    int second = 0;
    REQUIRE(ex.spawn(cancellable_acquirer(sem, already, second), Priority{1}).ok());
    ex.run();
    CHECK(second == 2);  // cancelled before it asked: it does not wait at all
    CHECK(sem.waiting() == 0);
}
