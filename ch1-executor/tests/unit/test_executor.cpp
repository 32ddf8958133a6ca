// Unit tests: the priority executor (spawn, pick order, block/wake, priorities, misuse).
#include <catch2/catch.hpp>
#include <vector>

#include "cops/sched/executor.hpp"
#include "cops/test/catch_printing.hpp"
#include "cops/test/host_death.hpp"

using namespace cops;
using namespace cops::sched;

namespace {

/// Appends @p id to the trace once, then exits.
Task<> record(std::vector<int>& trace, int id) {
    trace.push_back(id);
    co_return;
}

/// Appends @p id, yields, appends again, @p rounds times.
Task<> yielder(std::vector<int>& trace, int id, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        trace.push_back(id);
        co_await yield();
    }
}

/// Blocks @p times times, counting how often it was resumed.
Task<> blocker(int& resumed, int times) {
    for (int i = 0; i < times; ++i) {
        co_await block();
        ++resumed;
    }
}

Task<int> add(int a, int b) { co_return a + b; }

Task<int> add_after_yield(int a, int b) {
    co_await yield();
    co_return co_await add(a, b);
}

}  // namespace

TEST_CASE("executor: a spawned coroutine runs and exits", "[executor]") {
    Executor ex(8);
    std::vector<int> trace;
    auto cid = ex.spawn(record(trace, 1), Priority{5});
    REQUIRE(cid.ok());
    REQUIRE(ex.state(cid.value()).value() == CoroutineState::Ready);
    REQUIRE(ex.run() == 1);
    REQUIRE(trace == std::vector<int>{1});
    REQUIRE(ex.state(cid.value()).value() == CoroutineState::Exit);
    REQUIRE(ex.live_count() == 0);
}

TEST_CASE("executor: picks the most urgent priority first", "[executor][lab]") {
    Executor ex(8);
    std::vector<int> trace;
    (void)ex.spawn(record(trace, 30), Priority{30});
    (void)ex.spawn(record(trace, 2), Priority{2});
    (void)ex.spawn(record(trace, 63), Priority{63});
    (void)ex.spawn(record(trace, 0), Priority{0});
    ex.run();
    REQUIRE(trace == std::vector<int>{0, 2, 30, 63});
}

TEST_CASE("executor: FIFO within one level", "[executor][lab]") {
    Executor ex(8);
    std::vector<int> trace;
    for (int i = 1; i <= 5; ++i) {
        (void)ex.spawn(record(trace, i), Priority{9});
    }
    ex.run();
    REQUIRE(trace == std::vector<int>{1, 2, 3, 4, 5});
}

TEST_CASE("executor: yield round-robins within a level", "[executor][lab]") {
    Executor ex(8);
    std::vector<int> trace;
    (void)ex.spawn(yielder(trace, 1, 3), Priority{4});
    (void)ex.spawn(yielder(trace, 2, 3), Priority{4});
    ex.run();
    REQUIRE(trace == std::vector<int>{1, 2, 1, 2, 1, 2});
}

TEST_CASE("executor: yield does not let a lower priority run", "[executor][lab]") {
    Executor ex(8);
    std::vector<int> trace;
    (void)ex.spawn(yielder(trace, 9, 3), Priority{9});
    (void)ex.spawn(yielder(trace, 1, 3), Priority{1});
    ex.run();
    REQUIRE(trace == std::vector<int>{1, 1, 1, 9, 9, 9});
}

TEST_CASE("executor: block parks until wake", "[executor][lab]") {
    Executor ex(8);
    int resumed = 0;
    auto cid = ex.spawn(blocker(resumed, 2), Priority{3}).value();
    ex.run();
    REQUIRE(resumed == 0);
    REQUIRE(ex.state(cid).value() == CoroutineState::Blocked);
    REQUIRE(ex.ready_count() == 0);
    REQUIRE(ex.wake(cid).ok());
    REQUIRE(ex.state(cid).value() == CoroutineState::Ready);
    ex.run();
    REQUIRE(resumed == 1);
    REQUIRE(ex.wake(cid).ok());
    ex.run();
    REQUIRE(resumed == 2);
    REQUIRE(ex.state(cid).value() == CoroutineState::Exit);
}

TEST_CASE("executor: a wake before block is not lost", "[executor][lab]") {
    Executor ex(8);
    int resumed = 0;
    auto cid = ex.spawn(blocker(resumed, 1), Priority{3}).value();
    REQUIRE(ex.wake(cid).ok());  // ready, not blocked: remembered
    REQUIRE(ex.state(cid).value() == CoroutineState::Ready);
    ex.run();  // block() returns at once
    REQUIRE(resumed == 1);
    REQUIRE(ex.live_count() == 0);
}

TEST_CASE("executor: misuse is reported, never corrupts", "[executor]") {
    Executor ex(4);
    std::vector<int> trace;
    REQUIRE(ex.wake(Cid{}).error() == Error::UnknownCid);
    REQUIRE(ex.wake(Cid{12345}).error() == Error::UnknownCid);
    REQUIRE(ex.wake(Cid{~std::uint64_t{0}}).error() == Error::UnknownCid);
    REQUIRE(ex.spawn(record(trace, 1), Priority{64}).error() == Error::BadPriority);
    REQUIRE(ex.spawn(Task<>{}, Priority{1}).error() == Error::InvalidTask);
    auto cid = ex.spawn(record(trace, 1), Priority{1}).value();
    REQUIRE(ex.set_priority(cid, Priority{200}).error() == Error::BadPriority);
    ex.run();
    REQUIRE(ex.wake(cid).error() == Error::Finished);
    REQUIRE(ex.set_priority(cid, Priority{1}).error() == Error::Finished);
    REQUIRE(ex.priority(cid).error() == Error::Finished);
    // The slot is reused; the old cid still names the finished coroutine.
    auto cid2 = ex.spawn(record(trace, 2), Priority{1}).value();
    REQUIRE(cid2 != cid);
    REQUIRE(ex.wake(cid).error() == Error::Finished);
    ex.run();
    REQUIRE(trace == std::vector<int>{1, 2});
    REQUIRE(ex.bitmap().empty());
}

TEST_CASE("executor: full executor refuses to spawn and frees the task", "[executor]") {
    const auto before = frame_stats();
    {
        Executor ex(2);
        std::vector<int> trace;
        REQUIRE(ex.spawn(record(trace, 1), Priority{1}).ok());
        REQUIRE(ex.spawn(record(trace, 2), Priority{1}).ok());
        REQUIRE(ex.spawn(record(trace, 3), Priority{1}).error() == Error::OutOfSlots);
        ex.run();
        REQUIRE(trace == std::vector<int>{1, 2});
        REQUIRE(ex.spawn(record(trace, 4), Priority{1}).ok());
    }  // the executor destroys the one still alive
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("executor: set_priority moves a ready coroutine", "[executor][lab]") {
    Executor ex(8);
    std::vector<int> trace;
    (void)ex.spawn(record(trace, 1), Priority{10});
    auto late = ex.spawn(record(trace, 2), Priority{20}).value();
    REQUIRE(ex.set_priority(late, Priority{0}).ok());
    REQUIRE(ex.priority(late).value() == Priority{0});
    REQUIRE(ex.bitmap().test(Priority{0}));
    REQUIRE_FALSE(ex.bitmap().test(Priority{20}));
    ex.run();
    REQUIRE(trace == std::vector<int>{2, 1});
}

TEST_CASE("executor: set_priority of a blocked coroutine applies when woken", "[executor]") {
    Executor ex(8);
    std::vector<int> trace;
    int resumed = 0;
    auto b = ex.spawn(blocker(resumed, 1), Priority{30}).value();
    ex.run();
    REQUIRE(ex.set_priority(b, Priority{1}).ok());
    REQUIRE(ex.bitmap().empty());
    (void)ex.spawn(record(trace, 5), Priority{5});
    REQUIRE(ex.wake(b).ok());
    REQUIRE(ex.bitmap().highest() == Priority{1});
}

TEST_CASE("executor: current() names the running coroutine", "[executor]") {
    Executor ex(8);
    Cid seen{};
    auto body = [](Executor& e, Cid& out) -> Task<> {
        out = e.current();
        co_return;
    };
    auto cid = ex.spawn(body(ex, seen), Priority{1}).value();
    REQUIRE(ex.current() == Cid{});
    ex.run();
    REQUIRE(seen == cid);
}

TEST_CASE("executor: awaiting a child task returns its value", "[executor][task]") {
    Executor ex(8);
    int result = 0;
    auto parent = [](int& out) -> Task<> { out = co_await add_after_yield(20, 22); };
    (void)ex.spawn(parent(result), Priority{1});
    const auto resumes = ex.run();
    REQUIRE(result == 42);
    REQUIRE(resumes == 2);  // the child's yield suspended the whole chain once
}

TEST_CASE("executor: a coroutine spawns another from inside", "[executor]") {
    Executor ex(8);
    std::vector<int> trace;
    auto parent = [](Executor& e, std::vector<int>& t) -> Task<> {
        t.push_back(1);
        (void)e.spawn(record(t, 0), Priority{0});  // more urgent: runs at the next pick
        co_await yield();
        t.push_back(2);
    };
    (void)ex.spawn(parent(ex, trace), Priority{5});
    ex.run();
    REQUIRE(trace == std::vector<int>{1, 0, 2});
}

TEST_CASE("executor: thousands of coroutines across all levels", "[executor][lab]") {
    constexpr int kCount = 5000;
    Executor ex(kCount);
    std::vector<int> trace;
    trace.reserve(kCount);
    for (int i = 0; i < kCount; ++i) {
        REQUIRE(ex.spawn(record(trace, i), Priority{static_cast<std::uint8_t>(63 - i % 64)}).ok());
    }
    REQUIRE(ex.ready_count() == kCount);
    REQUIRE(ex.bitmap().raw() == ~std::uint64_t{0});
    ex.run();
    REQUIRE(trace.size() == kCount);
    // Non-decreasing priority level, FIFO inside a level.
    for (std::size_t k = 1; k < trace.size(); ++k) {
        const int a = trace[k - 1], b = trace[k];
        const int la = 63 - a % 64, lb = 63 - b % 64;
        REQUIRE((la < lb || (la == lb && a < b)));
    }
    REQUIRE(ex.live_count() == 0);
}

TEST_CASE("executor: frames are freed when coroutines exit or the executor dies", "[executor]") {
    const auto before = frame_stats();
    {
        Executor ex(8);
        int resumed = 0;
        (void)ex.spawn(blocker(resumed, 1), Priority{1});
        std::vector<int> trace;
        (void)ex.spawn(record(trace, 1), Priority{1});
        ex.run();
        REQUIRE(frame_stats().live_frames == before.live_frames + 1);  // the blocked one
        auto cid = ex.current();
        (void)cid;
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
    REQUIRE(frame_stats().live_bytes == before.live_bytes);
}

TEST_CASE("executor: frame size is reported per coroutine", "[executor]") {
    Executor ex(8);
    std::vector<int> trace;
    auto cid = ex.spawn(record(trace, 1), Priority{1}).value();
    const auto bytes = ex.frame_bytes(cid);
    REQUIRE(bytes.ok());
    REQUIRE(bytes.value() >= 16);
    REQUIRE(bytes.value() < 4096);
}

TEST_CASE("executor: a coroutine that suspends without a request is reported", "[executor]") {
    static int lost = 0;
    auto saved = Executor::on_lost_coroutine;
    Executor::on_lost_coroutine = [](const Ccb&) { ++lost; };
    {
        Executor ex(4);
        auto rogue = []() -> Task<> { co_await std::suspend_always{}; };
        auto cid = ex.spawn(rogue(), Priority{1}).value();
        ex.run();
        REQUIRE(lost == 1);
        REQUIRE(ex.state(cid).value() == CoroutineState::Blocked);
    }
    Executor::on_lost_coroutine = saved;
}

TEST_CASE("executor: the waker runs outside the lock, once per blocked-to-ready wake", "[executor]") {
    static Executor* ex_ptr;
    static Cid seen;
    static int calls;
    static bool could_use_executor;
    calls = 0;
    Executor ex(4);
    ex_ptr = &ex;
    int resumed = 0;
    auto cid = ex.spawn(blocker(resumed, 2), Priority{3}).value();
    ex.run();
    REQUIRE(ex.set_waker(cid, [](Cid woken) {
                  ++calls;
                  seen = woken;
                  could_use_executor = ex_ptr->priority(woken).ok();  // would deadlock under the lock
              }).ok());
    REQUIRE(ex.set_waker(Cid{99}, nullptr).error() == Error::UnknownCid);
    REQUIRE(ex.wake(cid).ok());
    REQUIRE(calls == 1);
    REQUIRE(seen == cid);
    REQUIRE(could_use_executor);
    REQUIRE(ex.wake(cid).ok());  // already ready: remembered, no second notification
    REQUIRE(calls == 1);
}

namespace {
/// A scripted workload: actors at mixed levels that yield, block, wake each other,
/// change each other's priority and exit, all decided by one pseudo-random sequence.
/// Run twice, with the handoff slot on and off, it must give the same trace.
struct Script {
    Executor* ex = nullptr;
    std::vector<Cid> cids;
    std::vector<int> trace;
    std::uint64_t seed = 7;
    int handoffs = 0;  // wakes that went into the handoff slot

    unsigned next(unsigned n) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<unsigned>((seed >> 33) % n);
    }
};

Task<> actor(Script& s, int id) {
    for (int step = 0; step < 40; ++step) {
        s.trace.push_back(id);
        switch (s.next(5)) {
            case 0: co_await yield(); break;
            case 1: co_await block(); break;
            case 2: {
                const Cid other = s.cids[s.next(static_cast<unsigned>(s.cids.size()))];
                (void)s.ex->wake(other);
                s.handoffs += s.ex->handoff() == other ? 1 : 0;
                co_await yield();
                break;
            }
            case 3: {
                const Cid other = s.cids[s.next(static_cast<unsigned>(s.cids.size()))];
                (void)s.ex->set_priority(other, Priority{static_cast<std::uint8_t>(s.next(8))});
                break;
            }
            default: (void)s.ex->wake(s.cids[s.next(static_cast<unsigned>(s.cids.size()))]); break;
        }
    }
}

Script run_script(bool handoff) {
    Script s;
    Executor ex(64);
    ex.set_handoff(handoff);
    s.ex = &ex;
    for (int i = 0; i < 24; ++i) {
        s.cids.push_back(ex.create(actor(s, i), Priority{static_cast<std::uint8_t>(i % 8)}).value());
    }
    for (const Cid c : s.cids) {
        REQUIRE(ex.start(c).ok());
    }
    for (int round = 0; round < 200 && ex.live_count() > 0; ++round) {
        ex.run();
        for (const Cid c : s.cids) {  // wake the blocked from outside, in cid order
            if (ex.state(c).value_or(CoroutineState::Exit) == CoroutineState::Blocked) {
                (void)ex.wake(c);
                s.handoffs += ex.handoff() == c ? 1 : 0;
            }
        }
    }
    REQUIRE(ex.live_count() == 0);
    REQUIRE(!ex.handoff());
    return s;
}
}  // namespace

TEST_CASE("executor: the handoff slot never changes the order coroutines run in", "[executor][handoff]") {
    const Script with = run_script(true);
    const Script without = run_script(false);
    REQUIRE(with.trace.size() > 500);
    REQUIRE(with.trace == without.trace);
    REQUIRE(with.handoffs > 10);  // the fast path was taken, often
    REQUIRE(without.handoffs == 0);
}

TEST_CASE("executor: a woken coroutine takes the handoff slot only when nothing as urgent is ready",
          "[executor][handoff]") {
    std::vector<int> trace;
    Executor ex(8);
    int resumed_a = 0;
    int resumed_b = 0;
    const Cid a = ex.spawn(blocker(resumed_a, 1), Priority{5}).value();
    const Cid b = ex.spawn(blocker(resumed_b, 1), Priority{5}).value();
    ex.run();
    REQUIRE(ex.wake(a).ok());
    REQUIRE(ex.handoff() == a);  // nothing else ready: straight into the slot
    REQUIRE(ex.best_ready() == Priority{5});
    REQUIRE(ex.ready_count() == 1);
    REQUIRE(ex.wake(b).ok());
    REQUIRE(ex.handoff() == a);  // b queues behind a (same level, later)
    REQUIRE(ex.spawn(record(trace, 1), Priority{6}).ok());
    REQUIRE(ex.handoff() == a);  // less urgent: the slot stays
    REQUIRE(ex.spawn(record(trace, 2), Priority{2}).ok());
    REQUIRE(!ex.handoff());  // more urgent: a went back to the head of level 5
    REQUIRE(ex.ready_count() == 4);
    REQUIRE(ex.run_once());  // record 2
    REQUIRE(trace == std::vector<int>{2});
    REQUIRE(ex.run_once());  // a, before b
    REQUIRE(resumed_a == 1);
    REQUIRE(resumed_b == 0);
    ex.run();
    REQUIRE(trace == std::vector<int>{2, 1});
    REQUIRE(resumed_b == 1);
}

namespace {
/// Awaits a task it has already moved away: an empty Task.
Task<> awaits_an_empty_task(int& got) {
    Task<int> child = add(1, 2);
    Task<int> moved = std::move(child);
    got = co_await moved;
    got += co_await child;  // empty now
}
}  // namespace

TEST_CASE("executor: awaiting an empty Task stops with a message, not a null dereference", "[executor]") {
    const std::string said = cops::test::death_message([] {
        Executor ex(2);
        int got = 0;
        (void)ex.spawn(awaits_an_empty_task(got), Priority{1});
        ex.run();
    });
    CHECK(said.find("co_await on an empty Task") != std::string::npos);
}
