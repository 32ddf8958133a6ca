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
    // Nothing to run: over 10 ticks each other hart should wake about once per tick,
    // run nothing and go back to sleep; no spinning, no yield storm.
    smp::HartStats before[sched::kMaxHarts];
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        before[i] = smp::hart(i).stats;
    }
    const std::uint64_t start = dev::timer::now_ticks();
    const std::uint64_t until = start + 10;
    sched::run_until([&] { return dev::timer::now_ticks() >= until; });
    const std::uint64_t elapsed = dev::timer::now_ticks() - start;
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        if (&smp::hart(i) == &smp::this_hart()) {
            continue;
        }
        const smp::HartStats& now = smp::hart(i).stats;
        const std::uint64_t waits = now.idle_waits - before[i].idle_waits;
        const std::uint64_t wakeups = (now.ticks - before[i].ticks) + (now.ipis - before[i].ipis);
        CHECK(waits >= elapsed / 2);                                // it did sleep
        CHECK(waits <= wakeups + 2);                                // and only woke for interrupts
        CHECK(now.coroutines_run <= before[i].coroutines_run + 2);  // stragglers of earlier tests at most
    }
}
