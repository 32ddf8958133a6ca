// Hidden tests for chapter 1: the executor's lab parts, probed from other angles
// than the public tests. Linked into the test kernel only when grading.
#include "cops/sched/executor.hpp"
#include "cops/test/ktest.hpp"
#include "cops/test/probes.hpp"

using namespace cops;
using namespace cops::sched;

using cops::test::blocker;
using cops::test::record;
using cops::test::Trace;
using cops::test::yielder;

namespace {

Priority level(int l) { return Priority{static_cast<std::uint8_t>(l)}; }

}  // namespace

KTEST("hidden/levels-spawned-in-scrambled-order") {
    Executor ex(64);
    Trace t;
    for (int i = 0; i < 64; ++i) {
        const int l = (i * 37) % 64;  // a permutation of 0..63
        (void)ex.spawn(record(t, l), level(l));
    }
    ex.run();
    REQUIRE_EQ(t.count, 64);
    for (int i = 0; i < 64; ++i) {
        CHECK_EQ(t.items[i], i);
    }
}

KTEST("hidden/fifo-kept-with-interleaved-levels") {
    Executor ex(32);
    Trace t;
    for (int i = 0; i < 12; ++i) {
        (void)ex.spawn(record(t, i), level(i % 2 == 0 ? 20 : 10));
    }
    ex.run();
    const int expected[12] = {1, 3, 5, 7, 9, 11, 0, 2, 4, 6, 8, 10};
    REQUIRE_EQ(t.count, 12);
    for (int i = 0; i < 12; ++i) {
        CHECK_EQ(t.items[i], expected[i]);
    }
}

KTEST("hidden/lowest-level-63-runs-last") {
    Executor ex(8);
    Trace t;
    (void)ex.spawn(record(t, 63), Priority::lowest());
    (void)ex.spawn(record(t, 62), level(62));
    (void)ex.spawn(record(t, 0), Priority::highest());
    ex.run();
    CHECK_TRACE(t, 0, 62, 63);
}

KTEST("hidden/bitmap-tracks-queue-emptiness") {
    Executor ex(8);
    Trace t;
    (void)ex.spawn(record(t, 1), level(7));
    (void)ex.spawn(record(t, 2), level(7));
    (void)ex.spawn(record(t, 3), level(50));
    CHECK_EQ(ex.bitmap().raw(), (std::uint64_t{1} << 7) | (std::uint64_t{1} << 50));
    CHECK(ex.run_once());
    CHECK(ex.bitmap().test(level(7)));  // one left at 7
    CHECK(ex.run_once());
    CHECK(!ex.bitmap().test(level(7)));
    CHECK(ex.bitmap().test(level(50)));
    CHECK(ex.run_once());
    CHECK(ex.bitmap().empty());
    CHECK(!ex.run_once());
}

KTEST("hidden/wake-of-ready-coroutine-does-not-duplicate") {
    Executor ex(8);
    Trace t;
    auto cid = ex.spawn(record(t, 5), level(3)).value();
    CHECK(ex.wake(cid).ok());
    CHECK(ex.wake(cid).ok());
    CHECK_EQ(ex.ready_count(), 1U);
    ex.run();
    CHECK_EQ(t.count, 1);
}

KTEST("hidden/double-wake-of-blocked-runs-once-then-skips-one-block") {
    Executor ex(8);
    Trace t;
    auto cid = ex.spawn(blocker(t, 1, 3), level(2)).value();
    ex.run();
    CHECK(ex.wake(cid).ok());  // blocked -> ready
    CHECK(ex.wake(cid).ok());  // ready: remembered for the next block
    CHECK_EQ(ex.ready_count(), 1U);
    ex.run();
    // Resumed once by the first wake, then the remembered wake lets it pass one more block.
    CHECK_EQ(t.count, 2);
    CHECK(ex.state(cid).value() == CoroutineState::Blocked);
}

KTEST("hidden/self-wake-before-block") {
    Executor ex(8);
    Trace t;
    static Executor* self_ex;
    self_ex = &ex;
    auto body = [](Trace& tr) -> Task<> {
        (void)self_ex->wake(self_ex->current());
        co_await block();  // returns at once: the wake came first
        tr.add(1);
    };
    auto cid = ex.spawn(body(t), level(4)).value();
    ex.run();
    CHECK_EQ(t.count, 1);
    CHECK(ex.state(cid).value() == CoroutineState::Exit);
}

KTEST("hidden/wake-order-is-fifo-within-level") {
    Executor ex(16);
    Trace t;
    Cid cids[5];
    for (int i = 0; i < 5; ++i) {
        cids[i] = ex.spawn(blocker(t, i, 1), level(9)).value();
    }
    ex.run();
    const int order[5] = {3, 0, 4, 1, 2};
    for (int i : order) {
        CHECK(ex.wake(cids[i]).ok());
    }
    ex.run();
    REQUIRE_EQ(t.count, 5);
    for (int i = 0; i < 5; ++i) {
        CHECK_EQ(t.items[i], order[i]);
    }
}

KTEST("hidden/set-priority-ready-to-less-urgent") {
    Executor ex(8);
    Trace t;
    auto a = ex.spawn(record(t, 1), level(1)).value();
    (void)ex.spawn(record(t, 2), level(30));
    CHECK(ex.set_priority(a, level(40)).ok());
    CHECK(!ex.bitmap().test(level(1)));
    CHECK(ex.bitmap().test(level(40)));
    ex.run();
    CHECK_TRACE(t, 2, 1);
}

KTEST("hidden/set-priority-of-a-blocked-coroutine-applies-when-woken") {
    // A blocked coroutine is in no ready queue: the change only sets its level, and its
    // wake queues it there (a change that queued it at once would run it unwoken).
    Executor ex(8);
    Trace t;
    auto b = ex.spawn(blocker(t, 1), level(50)).value();
    CHECK(ex.run_once());  // b runs and blocks
    CHECK(ex.set_priority(b, level(3)).ok());
    CHECK(!ex.bitmap().test(level(3)) && !ex.bitmap().test(level(50)));
    CHECK_EQ(ex.state(b).value_or(CoroutineState::Exit), CoroutineState::Blocked);
    (void)ex.spawn(record(t, 2), level(10));
    CHECK(ex.wake(b).ok());
    ex.run();
    CHECK_TRACE(t, 1, 2);  // woken at level 3, it runs before the level-10 one
}

KTEST("hidden/set-priority-goes-to-back-of-new-level") {
    Executor ex(8);
    Trace t;
    (void)ex.spawn(record(t, 1), level(5));
    (void)ex.spawn(record(t, 2), level(5));
    auto c = ex.spawn(record(t, 3), level(9)).value();
    CHECK(ex.set_priority(c, level(5)).ok());
    ex.run();
    CHECK_TRACE(t, 1, 2, 3);
}

KTEST("hidden/set-priority-of-middle-element-keeps-neighbours") {
    Executor ex(8);
    Trace t;
    (void)ex.spawn(record(t, 1), level(6));
    auto mid = ex.spawn(record(t, 2), level(6)).value();
    (void)ex.spawn(record(t, 3), level(6));
    CHECK(ex.set_priority(mid, level(0)).ok());
    ex.run();
    CHECK_TRACE(t, 2, 1, 3);
}

KTEST("hidden/set-priority-same-level-is-harmless") {
    Executor ex(8);
    Trace t;
    auto a = ex.spawn(record(t, 1), level(8)).value();
    (void)ex.spawn(record(t, 2), level(8));
    CHECK(ex.set_priority(a, level(8)).ok());
    CHECK_EQ(ex.ready_count(), 2U);
    ex.run();
    CHECK_EQ(t.count, 2);
}

KTEST("hidden/set-priority-while-running-applies-on-yield") {
    Executor ex(8);
    Trace t;
    static Executor* e;
    e = &ex;
    auto body = [](Trace& tr) -> Task<> {
        (void)e->set_priority(e->current(), Priority{50});
        co_await yield();
        tr.add(1);
    };
    (void)ex.spawn(body(t), level(1));
    (void)ex.spawn(record(t, 2), level(20));
    ex.run();
    REQUIRE_EQ(t.count, 2);
    CHECK_EQ(t.items[0], 2);  // the level-20 one overtakes after the drop to 50
    CHECK_EQ(t.items[1], 1);
}

KTEST("hidden/spawn-more-urgent-from-inside-runs-next") {
    Executor ex(8);
    Trace t;
    static Executor* e;
    e = &ex;
    auto parent = [](Trace& tr) -> Task<> {
        (void)e->spawn(record(tr, 100), Priority{0});
        tr.add(1);
        co_await yield();
        tr.add(2);
    };
    (void)ex.spawn(parent(t), level(10));
    (void)ex.spawn(record(t, 50), level(10));
    ex.run();
    CHECK_TRACE(t, 1, 100, 50, 2);
}

KTEST("hidden/yield-alone-resumes-itself") {
    Executor ex(4);
    Trace t;
    (void)ex.spawn(yielder(t, 7, 5), level(3));
    CHECK_EQ(ex.run(), std::uint64_t{6});
    CHECK_EQ(t.count, 5);
}

KTEST("hidden/thousands-of-block-wake-cycles") {
    constexpr int kCount = 2000;
    Executor ex(kCount);
    static Cid cids[kCount];
    static int resumed;
    resumed = 0;
    auto body = []() -> Task<> {
        for (int i = 0; i < 3; ++i) {
            co_await block();
            ++resumed;
        }
    };
    for (int i = 0; i < kCount; ++i) {
        cids[i] = ex.spawn(body(), level(i % 64)).value();
    }
    ex.run();
    for (int round = 0; round < 3; ++round) {
        for (int i = kCount - 1; i >= 0; --i) {
            REQUIRE(ex.wake(cids[i]).ok());
        }
        ex.run();
    }
    CHECK_EQ(resumed, 3 * kCount);
    CHECK_EQ(ex.live_count(), 0U);
    CHECK(ex.bitmap().empty());
}

KTEST("hidden/run-once-false-when-only-blocked") {
    Executor ex(4);
    Trace t;
    (void)ex.spawn(blocker(t, 1, 1), level(1));
    CHECK(ex.run_once());
    CHECK(!ex.run_once());
    CHECK_EQ(ex.live_count(), 1U);
    CHECK_EQ(ex.ready_count(), 0U);
}

KTEST("hidden/stale-cid-after-slot-reuse") {
    Executor ex(1);
    Trace t;
    auto first = ex.spawn(record(t, 1), level(1)).value();
    ex.run();
    auto second = ex.spawn(blocker(t, 2, 1), level(1)).value();
    ex.run();
    CHECK(first != second);
    CHECK(ex.wake(first).error() == Error::Finished);
    CHECK(ex.state(second).value() == CoroutineState::Blocked);  // untouched by the stale wake
    CHECK(ex.wake(second).ok());
    ex.run();
    CHECK_EQ(t.count, 2);
}

KTEST("hidden/garbage-cids-are-rejected") {
    Executor ex(4);
    Trace t;
    const Cid real = ex.spawn(blocker(t, 1, 1), level(1)).value();
    ex.run();
    REQUIRE(ex.state(real).value() == CoroutineState::Blocked);  // it ran and blocked
    const Cid garbage[] = {Cid{0}, Cid{5}, Cid{0xffff'ffffULL}, Cid{(std::uint64_t{7} << 32) | 1},
                           Cid{~std::uint64_t{0}}};
    for (Cid c : garbage) {
        CHECK(!ex.wake(c).ok());
        CHECK(!ex.set_priority(c, level(1)).ok());
    }
    CHECK_EQ(ex.ready_count(), 0U);
    ex.run();
    CHECK_EQ(t.count, 0);  // no garbage cid woke it
    CHECK(ex.state(real).value() == CoroutineState::Blocked);
    CHECK(ex.wake(real).ok());  // its own cid does
    ex.run();
    CHECK_EQ(t.count, 1);
}

KTEST("hidden/bad-priorities-change-nothing") {
    Executor ex(4);
    Trace t;
    auto cid = ex.spawn(record(t, 1), level(12)).value();
    CHECK(ex.set_priority(cid, Priority{64}).error() == Error::BadPriority);
    CHECK(ex.set_priority(cid, Priority{255}).error() == Error::BadPriority);
    CHECK(ex.priority(cid).value() == level(12));
    CHECK(ex.bitmap().test(level(12)));
    CHECK(ex.spawn(record(t, 2), Priority{100}).error() == Error::BadPriority);
    CHECK_EQ(ex.live_count(), 1U);
}

KTEST("hidden/deep-child-task-chain") {
    // Later chapters keep coroutines of their own alive (ch3's switching coroutine):
    // count this test's frames only.
    const auto before = frame_stats().live_frames;
    Executor ex(4);
    static int result;
    result = 0;
    struct Chain {
        static Task<int> depth(int n) {
            if (n == 0) {
                co_await yield();
                co_return 1;
            }
            const int below = co_await depth(n - 1);
            co_return below + 1;
        }
    };
    auto root = []() -> Task<> { result = co_await Chain::depth(10); };
    (void)ex.spawn(root(), level(1));
    ex.run();
    CHECK_EQ(result, 11);
    CHECK_EQ(frame_stats().live_frames, before);
}

KTEST("hidden/executor-teardown-frees-blocked-frames") {
    const auto before = frame_stats().live_frames;
    {
        Executor ex(32);
        Trace t;
        Cid cids[20];
        for (int i = 0; i < 20; ++i) {
            cids[i] = ex.spawn(blocker(t, i, 1), level(i)).value();
        }
        CHECK_EQ(ex.run(), 20U);  // each ran once, up to its block()
        for (Cid c : cids) {
            CHECK(ex.state(c).value() == CoroutineState::Blocked);
        }
        CHECK_EQ(frame_stats().live_frames, before + 20);
    }
    CHECK_EQ(frame_stats().live_frames, before);
}
