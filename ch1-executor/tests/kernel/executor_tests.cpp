// Kernel tests: the executor on the target (the same checks students' code must pass in QEMU).
#include "cops/sched/executor.hpp"
#include "cops/test/ktest.hpp"
#include "cops/test/probes.hpp"

using namespace cops;
using namespace cops::sched;

using cops::test::blocker;
using cops::test::record;
using cops::test::Trace;
using cops::test::yielder;

KTEST("executor/runs-spawned-coroutine") {
    Executor ex(8);
    Trace t;
    auto cid = ex.spawn(record(t, 7), Priority{3});
    REQUIRE(cid.ok());
    CHECK(ex.run_once());
    CHECK_EQ(t.count, 1);
    CHECK_EQ(t.items[0], 7);
    CHECK(!ex.run_once());
}

KTEST("executor/picks-highest-priority") {
    Executor ex(8);
    Trace t;
    (void)ex.spawn(record(t, 40), Priority{40});
    (void)ex.spawn(record(t, 3), Priority{3});
    (void)ex.spawn(record(t, 17), Priority{17});
    ex.run();
    CHECK_TRACE(t, 3, 17, 40);
}

KTEST("executor/fifo-within-a-level") {
    Executor ex(8);
    Trace t;
    for (int i = 0; i < 6; ++i) {
        (void)ex.spawn(record(t, i), Priority{12});
    }
    ex.run();
    REQUIRE_EQ(t.count, 6);
    for (int i = 0; i < 6; ++i) {
        CHECK_EQ(t.items[i], i);
    }
}

KTEST("executor/all-64-levels-in-order") {
    Executor ex(64);
    Trace t;
    for (int level = 63; level >= 0; --level) {
        (void)ex.spawn(record(t, level), Priority{static_cast<std::uint8_t>(level)});
    }
    CHECK_EQ(ex.bitmap().raw(), ~std::uint64_t{0});
    ex.run();
    REQUIRE_EQ(t.count, 64);
    for (int i = 0; i < 64; ++i) {
        CHECK_EQ(t.items[i], i);
    }
    CHECK(ex.bitmap().empty());
}

KTEST("executor/yield-round-robin") {
    Executor ex(8);
    Trace t;
    (void)ex.spawn(yielder(t, 1, 2), Priority{5});
    (void)ex.spawn(yielder(t, 2, 2), Priority{5});
    ex.run();
    CHECK_TRACE(t, 1, 2, 1, 2);
}

KTEST("executor/block-and-wake") {
    Executor ex(8);
    Trace t;
    auto cid = ex.spawn(blocker(t, 9), Priority{2}).value();
    ex.run();
    CHECK_EQ(t.count, 0);
    CHECK(ex.state(cid).value() == CoroutineState::Blocked);
    CHECK(ex.bitmap().empty());
    CHECK(ex.wake(cid).ok());
    CHECK(ex.bitmap().test(Priority{2}));
    ex.run();
    CHECK_EQ(t.count, 1);
    CHECK(ex.state(cid).value() == CoroutineState::Exit);
}

KTEST("executor/wake-ready-coroutine-is-remembered") {
    Executor ex(8);
    Trace t;
    auto cid = ex.spawn(blocker(t, 1), Priority{2}).value();
    CHECK(ex.wake(cid).ok());
    CHECK_EQ(ex.ready_count(), 1U);  // not queued twice
    ex.run();
    CHECK_EQ(t.count, 1);
}

KTEST("executor/set-priority-requeues") {
    Executor ex(8);
    Trace t;
    (void)ex.spawn(record(t, 1), Priority{8});
    auto slow = ex.spawn(record(t, 2), Priority{60}).value();
    CHECK(ex.set_priority(slow, Priority{1}).ok());
    CHECK(!ex.bitmap().test(Priority{60}));
    ex.run();
    CHECK_TRACE(t, 2, 1);
}

KTEST("executor/misuse-returns-errors") {
    Executor ex(4);
    Trace t;
    CHECK(ex.wake(Cid{999}).error() == Error::UnknownCid);
    CHECK(ex.set_priority(Cid{}, Priority{1}).error() == Error::UnknownCid);
    CHECK(ex.spawn(record(t, 1), Priority{99}).error() == Error::BadPriority);
    auto cid = ex.spawn(record(t, 1), Priority{1}).value();
    ex.run();
    CHECK(ex.wake(cid).error() == Error::Finished);
    CHECK(ex.state(cid).value() == CoroutineState::Exit);
    CHECK_EQ(ex.live_count(), 0U);
}

KTEST("executor/ten-thousand-coroutines") {
    constexpr unsigned kCount = 10000;
    Executor ex(kCount);
    REQUIRE(ex.valid());
    static unsigned ran;
    ran = 0;
    auto body = []() -> Task<> {
        ++ran;
        co_return;
    };
    for (unsigned i = 0; i < kCount; ++i) {
        REQUIRE(ex.spawn(body(), Priority{static_cast<std::uint8_t>(i % 64)}).ok());
    }
    CHECK_EQ(ex.ready_count(), kCount);
    CHECK_EQ(ex.run(), std::uint64_t{kCount});
    CHECK_EQ(ran, kCount);
    CHECK_EQ(ex.live_count(), 0U);
}

KTEST("executor/child-task-await") {
    Executor ex(4);
    static int result;
    result = 0;
    auto child = [](int x) -> Task<int> {
        co_await yield();
        co_return x * 2;
    };
    auto parent = [](decltype(child)& c) -> Task<> { result = co_await c(21); };
    (void)ex.spawn(parent(child), Priority{1});
    ex.run();
    CHECK_EQ(result, 42);
}

// A coroutine that suspends on an awaiter of its own, telling the executor nothing,
// would be lost for ever (neither ready nor blocked): the executor stops with a
// report instead (Executor::on_lost_coroutine).
KTEST_PANICS("executor/a-coroutine-that-suspends-without-a-request-panics", "does not tell the executor") {
    sched::Executor ex(2);
    auto rogue = []() -> sched::Task<> { co_await std::suspend_always{}; };
    REQUIRE(ex.spawn(rogue(), sched::Priority{1}).ok());
    ex.run();
}
