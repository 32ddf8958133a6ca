/// @file sleep_hidden_tests.cpp
/// @brief Hidden tests of the timer queue (kernel/time/sleep.cpp): wake order by deadline
/// and FIFO among equal deadlines, more sleepers on one tick than one batch, early wakes
/// that leave only their own node, sleeping in a loop on every hart, and sleep_for(0).
#include <atomic>

#include "../hidden_support.hpp"
#include "cops/dev/timer.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/smp/hart.hpp"
#include "cops/test/ktest.hpp"
#include "cops/time/sleep.hpp"

using namespace cops;
using hidden::state_of;
using hidden::wait_for;

namespace {
/// Wakes every coroutine of @p cids that is still blocked (a failed test must not leave
/// sleepers behind), then waits for all of them to finish.
void wake_leftovers(const sched::Cid* cids, unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
        if (state_of(cids[i]) == sched::CoroutineState::Blocked) {
            (void)sched::kernel_executor().wake(cids[i]);
        }
    }
    sched::run_until([cids, n] {
        for (unsigned i = 0; i < n; ++i) {
            if (state_of(cids[i]) != sched::CoroutineState::Exit) {
                return false;
            }
        }
        return true;
    });
}

/// Ticks to sleep so as to wake at tick @p target (at least one).
std::uint64_t ticks_until(std::uint64_t target) {
    const std::uint64_t now = dev::timer::now_ticks();
    return target > now ? target - now : 1;
}

// ---- wake order: by deadline, FIFO among equal deadlines ----------------------------------
constexpr unsigned kOrdered = 10;
sched::Cid g_cid[kOrdered];
std::uint64_t g_deadline[kOrdered];
std::atomic<bool> g_full[kOrdered];
std::atomic<bool> g_on_time[kOrdered];
int g_wake_seq[kOrdered];
std::atomic<unsigned> g_wakes{0};
std::atomic<unsigned> g_done{0};

/// The executor calls this, in order, for each wake that readies a blocked sleeper.
void note_wake(sched::Cid cid) {
    for (unsigned i = 0; i < kOrdered; ++i) {
        if (g_cid[i] == cid) {
            const unsigned k = g_wakes.fetch_add(1);
            if (k < kOrdered) {
                g_wake_seq[k] = static_cast<int>(i);
            }
        }
    }
}

sched::Task<void> sleep_to(unsigned id, std::uint64_t target) {
    auto nap = time::sleep_for(ticks_until(target));
    const bool full = co_await nap;
    g_deadline[id] = nap.deadline();
    g_full[id] = full;
    g_on_time[id] = dev::timer::now_ticks() >= nap.deadline();
    g_done.fetch_add(1);
}
}  // namespace

KTEST_BUDGET("hidden/sleep-wakes-by-deadline-fifo-among-equal-deadlines", kMultiHartBudget) {
    sched::Executor& ex = sched::kernel_executor();
    g_wakes = 0;
    g_done = 0;
    for (int& s : g_wake_seq) {
        s = -1;
    }
    // Deadlines in scrambled order, with ties; each sleeper is queued before the next one
    // is spawned, so among equal deadlines the queue order is the id order.
    const std::uint64_t offsets[kOrdered] = {6, 2, 6, 4, 2, 6, 4, 2, 8, 4};
    const std::uint64_t base = dev::timer::now_ticks() + 30;
    for (unsigned i = 0; i < kOrdered; ++i) {
        g_cid[i] = sched::Cid{};
        g_full[i] = false;
        g_on_time[i] = false;
    }
    for (unsigned i = 0; i < kOrdered; ++i) {
        auto cid = ex.create(sleep_to(i, base + offsets[i]), sched::Priority{10});
        HIDDEN_SETUP(cid.ok());
        g_cid[i] = cid.value();
        HIDDEN_SETUP(ex.set_waker(g_cid[i], note_wake).ok());
        HIDDEN_SETUP(ex.start(g_cid[i]).ok());
        const sched::Cid me = g_cid[i];
        HIDDEN_SETUP(wait_for([me] { return state_of(me) == sched::CoroutineState::Blocked; }, 20));
    }
    const bool all_woke = wait_for([] { return g_done.load() == kOrdered; }, 200);
    if (!all_woke) {
        wake_leftovers(g_cid, kOrdered);
    }
    REQUIRE(all_woke);
    CHECK_EQ(g_wakes.load(), kOrdered);  // one wake each
    bool by_deadline = true;
    bool fifo_among_equals = true;
    for (unsigned k = 1; k < kOrdered; ++k) {
        const int prev = g_wake_seq[k - 1];
        const int cur = g_wake_seq[k];
        if (prev < 0 || cur < 0 || g_deadline[prev] > g_deadline[cur]) {
            by_deadline = false;
        } else if (g_deadline[prev] == g_deadline[cur] && prev > cur) {
            fifo_among_equals = false;
        }
    }
    CHECK(by_deadline);        // earlier deadlines first
    CHECK(fifo_among_equals);  // equal deadlines: in the order they went to sleep
    bool all_full_and_on_time = true;
    for (unsigned i = 0; i < kOrdered; ++i) {
        all_full_and_on_time = all_full_and_on_time && g_full[i].load() && g_on_time[i].load();
    }
    CHECK(all_full_and_on_time);
    CHECK_EQ(time::sleeper_count(), 0U);
}

namespace {
// ---- more sleepers on one tick than one batch ------------------------------------------------
constexpr unsigned kCrowd = 72;  // expire_sleepers() wakes at most 32 per batch
sched::Cid g_crowd[kCrowd];
std::atomic<unsigned> g_crowd_done{0};
std::atomic<unsigned> g_crowd_full{0};
std::atomic<unsigned> g_crowd_early{0};
std::atomic<std::uint64_t> g_crowd_worst_lateness{0};

sched::Task<void> crowd_member(std::uint64_t target) {
    auto nap = time::sleep_for(ticks_until(target));
    const bool full = co_await nap;
    const std::uint64_t now = dev::timer::now_ticks();
    if (full) {
        g_crowd_full.fetch_add(1);
    }
    if (now < nap.deadline()) {
        g_crowd_early.fetch_add(1);
    } else {
        std::uint64_t worst = g_crowd_worst_lateness.load();
        while (now - nap.deadline() > worst &&
               !g_crowd_worst_lateness.compare_exchange_weak(worst, now - nap.deadline())) {}
    }
    g_crowd_done.fetch_add(1);
}
}  // namespace

KTEST_BUDGET("hidden/sleep-crowd-on-one-deadline-all-woken", kMultiHartBudget) {
    g_crowd_done = 0;
    g_crowd_full = 0;
    g_crowd_early = 0;
    g_crowd_worst_lateness = 0;
    const std::uint64_t target = dev::timer::now_ticks() + 12;
    for (unsigned i = 0; i < kCrowd; ++i) {
        auto cid = sched::spawn(crowd_member(target), sched::Priority{static_cast<std::uint8_t>(10 + i % 3)});
        HIDDEN_SETUP(cid.ok());
        g_crowd[i] = cid.value();
    }
    const bool all_woke = wait_for([] { return g_crowd_done.load() == kCrowd; }, 300);
    if (!all_woke) {
        wake_leftovers(g_crowd, kCrowd);
    }
    REQUIRE(all_woke);
    CHECK_EQ(g_crowd_full.load(), kCrowd);
    CHECK_EQ(g_crowd_early.load(), 0U);
    // All on one tick: nobody should wait for later ticks to be woken.
    CHECK(g_crowd_worst_lateness.load() <= 8);
    CHECK_EQ(time::sleeper_count(), 0U);
}

namespace {
// ---- early wakes take out only their own node -----------------------------------------------
constexpr unsigned kMixed = 4;
sched::Cid g_mixed[kMixed];
std::atomic<int> g_mixed_result[kMixed];  // 0: asleep, 1: full sleep, 2: woken early
std::atomic<unsigned> g_mixed_order[kMixed];
std::atomic<unsigned> g_mixed_next{0};

sched::Task<void> mixed_sleeper(unsigned id, std::uint64_t ticks) {
    const bool full = co_await time::sleep_for(ticks);
    g_mixed_order[g_mixed_next.fetch_add(1)] = id;
    g_mixed_result[id] = full ? 1 : 2;
}
}  // namespace

KTEST_BUDGET("hidden/sleep-early-wake-leaves-only-its-own-node", kMultiHartBudget) {
    sched::Executor& ex = sched::kernel_executor();
    g_mixed_next = 0;
    // 0 and 2 sleep their full time; 1 and 3 would sleep for ages and are woken early.
    const std::uint64_t ticks[kMixed] = {60, 1'000'000, 70, 2'000'000};
    for (unsigned i = 0; i < kMixed; ++i) {
        g_mixed_result[i] = 0;
        g_mixed_order[i] = 99;
        auto cid = sched::spawn(mixed_sleeper(i, ticks[i]), sched::Priority{12});
        HIDDEN_SETUP(cid.ok());
        g_mixed[i] = cid.value();
    }
    const bool queued = wait_for(
        [] {
            for (sched::Cid c : g_mixed) {
                if (state_of(c) != sched::CoroutineState::Blocked) {
                    return false;
                }
            }
            return true;
        },
        20);
    const bool all_four_queued = queued && time::sleeper_count() == 4;
    if (!all_four_queued) {
        wake_leftovers(g_mixed, kMixed);
    }
    HIDDEN_SETUP(all_four_queued);

    // Two early wakes: each sleeper says so and takes out its own node, nobody else's.
    HIDDEN_SETUP(ex.wake(g_mixed[1]).ok());
    const bool first_back = wait_for([] { return g_mixed_result[1].load() != 0; }, 20);
    const unsigned left_after_first = time::sleeper_count();
    HIDDEN_SETUP(ex.wake(g_mixed[3]).ok());
    const bool second_back = wait_for([] { return g_mixed_result[3].load() != 0; }, 20);
    const unsigned left_after_second = time::sleeper_count();
    CHECK(first_back && second_back && g_mixed_result[1].load() == 2 && g_mixed_result[3].load() == 2 &&
          left_after_first == 3 && left_after_second == 2 && g_mixed_result[0].load() == 0 &&
          g_mixed_result[2].load() == 0);

    // The other two sleep their full time, in deadline order.
    const bool rest_woke = wait_for([] { return g_mixed_result[0].load() != 0 && g_mixed_result[2].load() != 0; }, 300);
    if (!rest_woke) {
        wake_leftovers(g_mixed, kMixed);
    }
    REQUIRE(rest_woke);
    CHECK(g_mixed_result[0].load() == 1 && g_mixed_result[2].load() == 1);
    CHECK(g_mixed_order[2].load() == 0 && g_mixed_order[3].load() == 2);  // 60 ticks before 70
    CHECK_EQ(time::sleeper_count(), 0U);
}

namespace {
// ---- sleeping in a loop on every hart ----------------------------------------------------------
constexpr unsigned kLoopers = 8;
sched::Cid g_looper[kLoopers];
std::atomic<bool> g_loop_stop{false};
std::atomic<unsigned> g_loop_done{0};
std::atomic<unsigned> g_loop_rounds[kLoopers];
std::atomic<unsigned> g_loop_bad{0};  // a sleep that ended early, or said it did not run its time

sched::Task<void> looper(unsigned id) {
    while (!g_loop_stop.load()) {
        const std::uint64_t ticks = 1 + id % 3;
        auto nap = time::sleep_for(ticks);
        const bool full = co_await nap;
        if (!full || dev::timer::now_ticks() < nap.deadline()) {
            g_loop_bad.fetch_add(1);
        }
        if (!co_await time::sleep_for(0)) {
            g_loop_bad.fetch_add(1);
        }
        g_loop_rounds[id].fetch_add(1);
    }
    g_loop_done.fetch_add(1);
}
}  // namespace

KTEST_BUDGET("hidden/sleep-in-a-loop-on-every-hart", kMultiHartBudget) {
    g_loop_stop = false;
    g_loop_done = 0;
    g_loop_bad = 0;
    for (unsigned i = 0; i < kLoopers; ++i) {
        g_loop_rounds[i] = 0;
        auto cid = sched::spawn(looper(i), sched::Priority{static_cast<std::uint8_t>(14 + i % 2)});
        HIDDEN_SETUP(cid.ok());
        g_looper[i] = cid.value();
    }
    const std::uint64_t start = dev::timer::now_ticks();
    const bool progressed = wait_for(
        [] {
            for (auto& r : g_loop_rounds) {
                if (r.load() < 4) {
                    return false;
                }
            }
            return true;
        },
        400);
    g_loop_stop = true;
    const bool stopped = wait_for([] { return g_loop_done.load() == kLoopers; }, 100);
    const std::uint64_t elapsed = dev::timer::now_ticks() - start;
    if (!stopped) {
        wake_leftovers(g_looper, kLoopers);
    }
    REQUIRE(progressed);
    CHECK(stopped);
    CHECK_EQ(g_loop_bad.load(), 0U);
    // Each round sleeps its ticks in full: no more rounds than fit in the time that went by.
    bool rounds_fit = true;
    for (unsigned i = 0; i < kLoopers; ++i) {
        rounds_fit = rounds_fit && g_loop_rounds[i].load() <= elapsed / (1 + i % 3) + 2;
    }
    CHECK(rounds_fit);
    CHECK_EQ(time::sleeper_count(), 0U);
}

namespace {
// ---- sleep_for(0) ----------------------------------------------------------------------------------
std::atomic<unsigned> g_zero_wakes{0};
std::atomic<int> g_zero_result{0};  // 1: a thousand sleep_for(0) returned true, then a real sleep did too
std::atomic<bool> g_zero_all_true{false};
std::atomic<unsigned> g_zero_wakes_meanwhile{99};
std::atomic<unsigned> g_zero_count_seen{99};
std::atomic<std::uint64_t> g_zero_ticks{~0ULL};

void count_zero_wake(sched::Cid) { g_zero_wakes.fetch_add(1); }

sched::Task<void> zero_sleeper() {
    const std::uint64_t start = dev::timer::now_ticks();
    bool all = true;
    for (unsigned i = 0; i < 1000; ++i) {
        all = (co_await time::sleep_for(0)) && all;
    }
    g_zero_ticks = dev::timer::now_ticks() - start;
    g_zero_count_seen = time::sleeper_count();
    g_zero_wakes_meanwhile = g_zero_wakes.load();
    g_zero_all_true = all;
    // And a real sleep afterwards still works.
    const bool full = co_await time::sleep_for(1);
    g_zero_result = full ? 1 : 2;
}

sched::Task<void> long_sleeper(std::atomic<int>* result) {
    const bool full = co_await time::sleep_for(5'000'000);
    *result = full ? 1 : 2;
}
std::atomic<int> g_long_result{0};
}  // namespace

KTEST_BUDGET("hidden/sleep-zero-neither-blocks-nor-queues", kMultiHartBudget) {
    sched::Executor& ex = sched::kernel_executor();
    g_zero_wakes = 0;
    g_zero_result = 0;
    g_zero_all_true = false;
    g_long_result = 0;
    // One real sleeper stays queued meanwhile.
    auto lcid = sched::spawn(long_sleeper(&g_long_result), sched::Priority{20});
    HIDDEN_SETUP(lcid.ok());
    const sched::Cid l = lcid.value();
    const bool queued = wait_for([l] { return state_of(l) == sched::CoroutineState::Blocked; }, 20);
    if (!queued) {
        wake_leftovers(&l, 1);
    }
    HIDDEN_SETUP(queued);
    auto zcid = ex.create(zero_sleeper(), sched::Priority{10});
    HIDDEN_SETUP(zcid.ok());
    const sched::Cid z = zcid.value();
    HIDDEN_SETUP(ex.set_waker(z, count_zero_wake).ok());
    HIDDEN_SETUP(ex.start(z).ok());
    const bool finished = wait_for([] { return g_zero_result.load() != 0; }, 100);
    const sched::Cid both[2] = {z, l};
    if (!finished) {
        wake_leftovers(both, 2);
    }
    (void)ex.wake(l);
    const bool long_back = wait_for([] { return g_long_result.load() != 0; }, 20);
    wake_leftovers(both, 2);
    REQUIRE(finished);
    CHECK(g_zero_all_true.load());                // sleep_for(0) returns true...
    CHECK_EQ(g_zero_wakes_meanwhile.load(), 0U);  // ...without blocking (nobody had to wake it)...
    CHECK(g_zero_ticks.load() <= 3);              // ...at once...
    CHECK_EQ(g_zero_count_seen.load(), 1U);       // ...and without joining the queue (only the long sleeper is there)
    CHECK_EQ(g_zero_result.load(), 1);            // the one-tick sleep after them ran its time
    CHECK(long_back && g_long_result.load() == 2);
    CHECK_EQ(time::sleeper_count(), 0U);
}
