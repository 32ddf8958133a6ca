/// @file smp_tests.cpp
/// @brief Several harts on one executor: all of them work, none loses a wake-up, idle ones sleep.
#include <atomic>

#include "cops/dev/timer.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/sched/suspend.hpp"
#include "cops/sched/this_coroutine.hpp"
#include "cops/smp/hart.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;

namespace {
std::atomic<std::uint32_t> g_harts_seen{0};
std::atomic<unsigned> g_workers_done{0};
std::atomic<std::uint64_t> g_work{0};

std::uint32_t g_all_harts = 0;
std::uint64_t g_spread_deadline = 0;  // in kernel ticks

sched::Task<void> note_my_hart() {
    // Work in rounds, yielding between them, until every hart has run a worker (or
    // 2000 ticks have passed: a hart that never takes work then fails the test).
    // Under -icount QEMU runs the harts in turn and switches at timer deadlines, so an
    // idle hart that an IPI woke may start only at the next tick: a fixed amount of
    // work could be done before it gets there.
    for (unsigned round = 0;
         round < 20 || (g_harts_seen.load() != g_all_harts && dev::timer::now_ticks() < g_spread_deadline); ++round) {
        g_harts_seen.fetch_or(1U << smp::this_hart().index);
        for (unsigned i = 0; i < 20000; ++i) {
            g_work.fetch_add(i, std::memory_order_relaxed);
        }
        co_await sched::yield();
    }
    g_workers_done.fetch_add(1);
}
}  // namespace

// Budgets of multi-hart tests are generous: under -icount QEMU switches harts only at
// timer deadlines, so a hart spinning on a lock whose holder QEMU has switched out
// spends the rest of its slice (up to a tick) spinning.
KTEST_BUDGET("smp/every-hart-runs-coroutines", 1'000'000'000) {
    g_harts_seen = 0;
    g_workers_done = 0;
    const unsigned n = smp::hart_count();
    g_all_harts = (1U << n) - 1;
    g_spread_deadline = dev::timer::now_ticks() + 2000;
    for (unsigned i = 0; i < 4 * n; ++i) {
        REQUIRE(sched::spawn(note_my_hart(), sched::Priority{20}).ok());
    }
    sched::run_until([&] { return g_workers_done.load() == 4 * n; });
    CHECK_EQ(g_harts_seen.load(), (1U << n) - 1);
}

namespace {
constexpr unsigned kPairs = 4;
constexpr unsigned kRoundsPerPair = 12'500;  // 4 pairs x 12,500 x 2 blocks = 100,000 wake/block cycles
std::atomic<std::uint64_t> g_blocks{0};
std::atomic<unsigned> g_players_done{0};
sched::Cid g_partner[2 * kPairs];
std::atomic<bool> g_go{false};

/// Ping-pong: wake the partner, block until it wakes us. A lost wake-up deadlocks the
/// pair, and the test then times out.
sched::Task<void> player(unsigned me) {
    while (!g_go.load()) {
        co_await sched::yield();
    }
    for (unsigned i = 0; i < kRoundsPerPair; ++i) {
        (void)sched::kernel_executor().wake(g_partner[me]);
        co_await sched::block();
        g_blocks.fetch_add(1, std::memory_order_relaxed);
    }
    // The partner may still be blocked waiting for our last wake.
    (void)sched::kernel_executor().wake(g_partner[me]);
    g_players_done.fetch_add(1);
}
}  // namespace

KTEST_BUDGET("smp/stress-100k-wake-block-cycles-no-lost-wakeup", 4'000'000'000) {
    g_blocks = 0;
    g_players_done = 0;
    g_go = false;
    sched::Cid cids[2 * kPairs];
    for (unsigned i = 0; i < 2 * kPairs; ++i) {
        auto c = sched::spawn(player(i), sched::Priority{static_cast<std::uint8_t>(20 + i % 3)});
        REQUIRE(c.ok());
        cids[i] = c.value();
    }
    for (unsigned p = 0; p < kPairs; ++p) {
        g_partner[2 * p] = cids[2 * p + 1];
        g_partner[2 * p + 1] = cids[2 * p];
    }
    std::uint64_t ran_before[sched::kMaxHarts];
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        ran_before[i] = smp::hart(i).stats.coroutines_run;
    }
    g_go = true;
    sched::run_until([] { return g_players_done.load() == 2 * kPairs; });
    CHECK_EQ(g_blocks.load(), std::uint64_t{2} * kPairs * kRoundsPerPair);
    CHECK(g_blocks.load() >= 100'000);
    unsigned busy_harts = 0;
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        busy_harts += smp::hart(i).stats.coroutines_run > ran_before[i] + 100 ? 1 : 0;
    }
    CHECK_EQ(busy_harts, smp::hart_count());
}

KTEST("smp/idle-harts-sleep-in-wfi") {
    REQUIRE(smp::hart_count() >= 2);
    // Nothing to run: each other hart should wake about once per tick, run nothing and
    // go back to sleep; no spinning, no yield storm. The window is counted in each
    // hart's own timer interrupts, not in elapsed time: when the host stalls QEMU, the
    // virtual clock jumps and one interrupt covers several ticks.
    constexpr std::uint64_t kOwnTicks = 5;
    constexpr std::uint64_t kMaxWindow = 2'000;  // ticks; a hart that never takes one fails below
    smp::HartStats before[sched::kMaxHarts];
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        before[i] = smp::hart(i).stats;
    }
    const std::uint64_t start = dev::timer::now_ticks();
    sched::run_until([&] {
        if (dev::timer::now_ticks() >= start + kMaxWindow) {
            return true;
        }
        for (unsigned i = 0; i < smp::hart_count(); ++i) {
            if (&smp::hart(i) != &smp::this_hart() && smp::hart(i).stats.ticks < before[i].ticks + kOwnTicks) {
                return false;
            }
        }
        return dev::timer::now_ticks() >= start + 10;
    });
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        if (&smp::hart(i) == &smp::this_hart()) {
            continue;
        }
        const smp::HartStats& now = smp::hart(i).stats;
        const std::uint64_t waits = now.idle_waits - before[i].idle_waits;
        const std::uint64_t own_ticks = now.ticks - before[i].ticks;
        const std::uint64_t wakeups = own_ticks + (now.ipis - before[i].ipis);
        CHECK(own_ticks >= kOwnTicks);                              // its timer kept ticking
        CHECK(2 * waits >= own_ticks);                              // it did sleep after them
        CHECK(waits <= wakeups + 2);                                // and only woke for interrupts
        CHECK(now.coroutines_run <= before[i].coroutines_run + 2);  // stragglers of earlier tests at most
    }
}

namespace {
// The handoff slot's rule on one hart and on all: workers woken in a scripted order at
// scripted levels while every hart is busy must then start in exactly priority order,
// FIFO within a level. Each worker checks, as it starts, that no worker that should
// come before it is still ready: picks are made one at a time under the executor's
// lock, so a still-ready predecessor would be one the pick overtook. Each worker then
// wakes a late worker (while others are still queued, so the slot rule is tested with
// the queues full): a late worker must not start while a first worker of its level or
// a more urgent one is still ready, since all of those were ready before it.
constexpr unsigned kOrderWorkers = 48;
sched::Cid g_late_cid[kOrderWorkers];
std::uint8_t g_late_level[kOrderWorkers];
sched::Cid g_order_cid[kOrderWorkers];
std::uint8_t g_order_level[kOrderWorkers];
unsigned g_order_rank[kOrderWorkers];  // position in the wake order
std::atomic<unsigned> g_order_started{0};
std::atomic<unsigned> g_order_overtaken{0};
std::atomic<unsigned> g_order_done{0};
std::atomic<unsigned> g_spinning{0};
std::atomic<bool> g_release{false};

sched::Task<void> order_worker(unsigned me) {
    co_await sched::block();  // woken by the controller
    g_order_started.fetch_add(1);
    sched::Executor& ex = sched::kernel_executor();
    (void)ex.wake(g_late_cid[me]);
    for (unsigned j = 0; j < kOrderWorkers; ++j) {
        const bool before_me = g_order_level[j] < g_order_level[me] ||
                               (g_order_level[j] == g_order_level[me] && g_order_rank[j] < g_order_rank[me]);
        if (before_me &&
            ex.state(g_order_cid[j]).value_or(sched::CoroutineState::Exit) == sched::CoroutineState::Ready) {
            g_order_overtaken.fetch_add(1);
        }
    }
    g_order_done.fetch_add(1);
}

sched::Task<void> late_worker(unsigned me) {
    co_await sched::block();  // woken by first worker `me`
    sched::Executor& ex = sched::kernel_executor();
    for (unsigned j = 0; j < kOrderWorkers; ++j) {
        if (g_order_level[j] <= g_late_level[me] &&
            ex.state(g_order_cid[j]).value_or(sched::CoroutineState::Exit) == sched::CoroutineState::Ready) {
            g_order_overtaken.fetch_add(1);
        }
    }
    g_order_done.fetch_add(1);
}

/// Keeps a hart busy (no yield) until the controller has woken every worker.
sched::Task<void> hart_holder() {
    g_spinning.fetch_add(1);
    while (!g_release.load()) {}
    g_order_done.fetch_add(1);
    co_return;
}

sched::Task<void> order_controller(unsigned holders) {
    for (unsigned i = 0; i < holders; ++i) {
        (void)sched::spawn(hart_holder(), sched::Priority{1});
    }
    while (g_spinning.load() != holders) {
        co_await sched::yield();  // level 0: this hart picks us again; the others take holders
    }
    // Wake in a scrambled order: 7 is coprime with kOrderWorkers, so every worker once.
    for (unsigned k = 0; k < kOrderWorkers; ++k) {
        const unsigned w = (k * 7 + 3) % kOrderWorkers;
        g_order_rank[w] = k;
        (void)sched::kernel_executor().wake(g_order_cid[w]);
    }
    g_release.store(true);
    g_order_done.fetch_add(1);
}

/// Runs the order check on @p harts harts (0: all); returns how many overtakes were seen.
unsigned run_order_check(unsigned harts) {
    smp::set_active_harts(harts);
    const unsigned active = harts == 0 ? smp::hart_count() : harts;
    g_order_started = 0;
    g_order_overtaken = 0;
    g_order_done = 0;
    g_spinning = 0;
    g_release = false;
    std::uint64_t seed = 99;
    for (unsigned i = 0; i < kOrderWorkers; ++i) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        g_order_level[i] = static_cast<std::uint8_t>(10 + (seed >> 60));  // 16 levels, several per level
        g_order_cid[i] = sched::spawn(order_worker(i), sched::Priority{g_order_level[i]}).value();
        g_late_level[i] = static_cast<std::uint8_t>(10 + ((seed >> 50) % 24));
        g_late_cid[i] = sched::spawn(late_worker(i), sched::Priority{g_late_level[i]}).value();
    }
    // Every worker blocks first.
    sched::run_until([] {
        for (unsigned i = 0; i < kOrderWorkers; ++i) {
            for (const sched::Cid c : {g_order_cid[i], g_late_cid[i]}) {
                if (sched::kernel_executor().state(c).value_or(sched::CoroutineState::Exit) !=
                    sched::CoroutineState::Blocked) {
                    return false;
                }
            }
        }
        return true;
    });
    (void)sched::spawn(order_controller(active - 1), sched::Priority{0});
    sched::run_until([&] { return g_order_done.load() == 2 * kOrderWorkers + active; });
    smp::set_active_harts(0);
    return g_order_overtaken.load();
}
}  // namespace

KTEST_BUDGET("smp/handoff-keeps-priority-and-fifo-order-on-one-hart", 1'000'000'000) {
    CHECK_EQ(run_order_check(1), 0U);
    CHECK_EQ(g_order_started.load(), kOrderWorkers);
}

KTEST_BUDGET("smp/handoff-keeps-priority-and-fifo-order-on-every-hart", 2'000'000'000) {
    REQUIRE(smp::hart_count() >= 2);
    CHECK_EQ(run_order_check(0), 0U);
    CHECK_EQ(g_order_started.load(), kOrderWorkers);
}

namespace {
// A wake that lands while its target is suspending: the waker spins on another hart
// until the target has announced it is about to block, then wakes it, so the wake
// arrives anywhere from "still running" (remembered) to "blocked" (made ready).
constexpr unsigned kRaceRounds = 3000;
std::atomic<unsigned> g_armed{0};
std::atomic<unsigned> g_race_done{0};
std::atomic<unsigned> g_woke_running{0};
std::atomic<unsigned> g_woke_blocked{0};
std::atomic<unsigned> g_wake_errors{0};
sched::Cid g_race_target;

sched::Task<void> race_target() {
    for (unsigned k = 1; k <= kRaceRounds; ++k) {
        g_armed.store(k, std::memory_order_release);
        co_await sched::block();  // one wake per round: a lost one stalls the test
    }
    g_race_done.fetch_add(1);
}

sched::Task<void> race_waker() {
    sched::Executor& ex = sched::kernel_executor();
    for (unsigned k = 1; k <= kRaceRounds; ++k) {
        unsigned spins = 0;
        while (g_armed.load(std::memory_order_acquire) != k) {
            if (++spins % 64 == 0) {
                co_await sched::yield();  // on one hart the target must get to run
            }
        }
        const auto before = ex.state(g_race_target).value_or(sched::CoroutineState::Exit);
        (before == sched::CoroutineState::Blocked ? g_woke_blocked : g_woke_running).fetch_add(1);
        if (!ex.wake(g_race_target).ok()) {
            g_wake_errors.fetch_add(1);
        }
    }
    g_race_done.fetch_add(1);
}
}  // namespace

KTEST_BUDGET("smp/a-wake-during-suspend-is-never-lost", 4'000'000'000) {
    REQUIRE(smp::hart_count() >= 2);
    g_armed = 0;
    g_race_done = 0;
    g_woke_running = 0;
    g_woke_blocked = 0;
    g_wake_errors = 0;
    sched::Executor& ex = sched::kernel_executor();
    g_race_target = sched::spawn(race_target(), sched::Priority{20}).value();
    REQUIRE(sched::spawn(race_waker(), sched::Priority{20}).ok());
    sched::run_until([] { return g_race_done.load() == 2; });
    CHECK_EQ(g_woke_running.load() + g_woke_blocked.load(), kRaceRounds);
    CHECK_EQ(g_wake_errors.load(), 0U);
    CHECK(ex.state(g_race_target).value_or(sched::CoroutineState::Exit) == sched::CoroutineState::Exit);
    CHECK(!ex.handoff());  // nothing left in the handoff slot
}
