/// @file timer_tests.cpp
/// @brief sleep_for(): ordering, duration, early wake.
#include <atomic>

#include "cops/dev/timer.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/sched/this_coroutine.hpp"
#include "cops/test/ktest.hpp"
#include "cops/time/sleep.hpp"

using namespace cops;

namespace {
std::atomic<unsigned> g_done{0};
std::atomic<int> g_order[3];
std::atomic<unsigned> g_next{0};
std::atomic<bool> g_too_early{false};

sched::Task<void> sleeper(int id, std::uint64_t ticks) {
    const std::uint64_t start = dev::timer::now_ticks();
    const bool full = co_await time::sleep_for(ticks);
    if (!full || dev::timer::now_ticks() < start + ticks) {
        g_too_early = true;
    }
    g_order[g_next.fetch_add(1)] = id;
    g_done.fetch_add(1);
}
}  // namespace

KTEST("timer/sleepers-wake-in-deadline-order") {
    g_done = 0;
    g_next = 0;
    g_too_early = false;
    // Spawned longest first: only the deadlines decide the order.
    REQUIRE(sched::spawn(sleeper(3, 6), sched::Priority{10}).ok());
    REQUIRE(sched::spawn(sleeper(1, 2), sched::Priority{10}).ok());
    REQUIRE(sched::spawn(sleeper(2, 4), sched::Priority{10}).ok());
    sched::run_until([] { return g_done.load() == 3; });
    CHECK_EQ(g_order[0].load(), 1);
    CHECK_EQ(g_order[1].load(), 2);
    CHECK_EQ(g_order[2].load(), 3);
    CHECK(!g_too_early.load());
    CHECK_EQ(time::sleeper_count(), 0U);
}

namespace {
std::atomic<int> g_zero{0};
sched::Task<void> sleep_zero() {
    const bool full = co_await time::sleep_for(0);
    g_zero = full ? 1 : 2;
}
}  // namespace

KTEST("timer/sleep-zero-does-not-block") {
    g_zero = 0;
    REQUIRE(sched::spawn(sleep_zero(), sched::Priority{10}).ok());
    sched::run_until([] { return g_zero.load() != 0; });
    CHECK_EQ(g_zero.load(), 1);
}

namespace {
std::atomic<int> g_early{0};
std::atomic<bool> g_asleep{false};
sched::Task<void> long_sleeper(std::uint64_t ticks = 100000) {
    g_asleep = true;
    const bool full = co_await time::sleep_for(ticks);
    g_early = full ? 1 : 2;
}
}  // namespace

KTEST("timer/early-wake-leaves-the-queue") {
    g_early = 0;
    g_asleep = false;
    auto cid = sched::spawn(long_sleeper(), sched::Priority{10});
    REQUIRE(cid.ok());
    sched::run_until([&] {
        auto s = sched::kernel_executor().state(cid.value());
        return s && s.value() == sched::CoroutineState::Blocked;
    });
    CHECK_EQ(time::sleeper_count(), 1U);
    CHECK(sched::kernel_executor().wake(cid.value()).ok());
    sched::run_until([] { return g_early.load() != 0; });
    CHECK_EQ(g_early.load(), 2);  // woken early: sleep_for says so
    CHECK_EQ(time::sleeper_count(), 0U);
}

KTEST("timer/a-sleep-to-the-end-of-time-does-not-wrap") {
    g_early = 0;
    auto cid = sched::spawn(long_sleeper(~std::uint64_t{0}), sched::Priority{10});
    REQUIRE(cid.ok());
    sched::run_until([&] {
        auto s = sched::kernel_executor().state(cid.value());
        return s && s.value() == sched::CoroutineState::Blocked;
    });
    const std::uint64_t until = dev::timer::now_ticks() + 20;
    sched::run_until([&] { return dev::timer::now_ticks() >= until; });
    CHECK_EQ(g_early.load(), 0);  // still asleep after 20 ticks (now + 2^64 - 1 must not wrap)
    CHECK(sched::kernel_executor().wake(cid.value()).ok());
    sched::run_until([] { return g_early.load() != 0; });
    CHECK_EQ(g_early.load(), 2);
}

namespace {
std::atomic<const time::SleepAwaiter*> g_nap{nullptr};
std::atomic<int> g_exact{0};
sched::Task<void> exact_sleeper() {
    auto nap = time::sleep_for(100000);
    g_nap = &nap;
    const bool full = co_await nap;
    g_exact = full ? 1 : 2;
}
}  // namespace

KTEST("timer/a-sleeper-wakes-at-its-deadline-tick-not-one-later") {
    // expire_sleepers(now) must wake every sleeper whose deadline is now or earlier:
    // `deadline < now` instead of `deadline <= now` wakes each one a tick late, which
    // no timing test can see reliably. The tick's own calls are far from this deadline.
    g_nap = nullptr;
    g_exact = 0;
    auto cid = sched::spawn(exact_sleeper(), sched::Priority{10});
    REQUIRE(cid.ok());
    sched::run_until([&] {
        auto s = sched::kernel_executor().state(cid.value());
        return g_nap.load() != nullptr && s && s.value() == sched::CoroutineState::Blocked;
    });
    const std::uint64_t deadline = g_nap.load()->deadline();
    time::expire_sleepers(deadline - 1);
    CHECK_EQ(time::sleeper_count(), 1U);  // one tick before its deadline: still asleep
    time::expire_sleepers(deadline);
    CHECK_EQ(time::sleeper_count(), 0U);  // on its deadline tick: woken
    if (time::sleeper_count() != 0) {
        (void)sched::kernel_executor().wake(cid.value());  // a failed check must not hang the test
    }
    sched::run_until([] { return g_exact.load() != 0; });
    CHECK_EQ(g_exact.load(), 1);  // and it slept its full time, as sleep_for reports
}
