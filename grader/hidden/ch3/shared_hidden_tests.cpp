/// @file shared_hidden_tests.cpp
/// @brief Hidden tests of the shared scheduler's lab regions: the fold
/// (kernel/proc/global_view.cpp), the switching coroutine's choice
/// (kernel/proc/switching_coroutine.cpp) and the user executor's yield check
/// (user/lib/scheduler.cpp).
#include "../hidden_support.hpp"
#include "cops/abi/syscall_numbers.hpp"
#include "cops/proc/global_view.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/proc/switching_coroutine.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/smp/hart.hpp"
#include "cops/test/ktest.hpp"
#include "cops/test/process_probe.hpp"

using namespace cops;
using proc::run_program;

namespace {
proc::ExecutorSummary empty_summary() {
    proc::ExecutorSummary s;
    for (auto& r : s.running) {
        r = sched::kNoLevel;
    }
    return s;
}

std::int64_t reap_when_ended(proc::Pid pid) {
    sched::run_until([&] { return proc::has_ended(pid); });
    return proc::reap(pid).value_or(-100);
}
}  // namespace

KTEST("hidden/fold-every-ready-bit-and-running-level-counts") {
    for (unsigned level = 0; level < sched::kPriorityLevels; ++level) {
        auto s = empty_summary();
        s.ready_bits = (1ULL << level) | (1ULL << 63);
        CHECK_EQ(proc::process_level(s, sched::Priority{0}).level, level);
        auto r = empty_summary();
        r.running[level % sched::kMaxHarts] = static_cast<std::uint8_t>(level);
        CHECK_EQ(proc::process_level(r, sched::Priority{0}).level, level);
    }
}

KTEST("hidden/fold-clamps-to-the-ceiling-and-ignores-garbage") {
    auto s = empty_summary();
    CHECK_EQ(proc::process_level(s, sched::Priority{17}).level, 17);
    s.running[7] = 64;  // out of range: not a level
    s.running[2] = 255;
    CHECK_EQ(proc::process_level(s, sched::Priority{17}).level, 17);
    s.ready_bits = ~0ULL;
    for (unsigned c = 0; c < sched::kPriorityLevels; ++c) {
        CHECK_EQ(proc::process_level(s, sched::Priority{static_cast<std::uint8_t>(c)}).level, c);
    }
    s.ready_bits = 1ULL << 60;
    s.running[5] = 45;
    CHECK_EQ(proc::process_level(s, sched::Priority{17}).level, 45);
}

KTEST_BUDGET("hidden/switcher-orders-three-processes-by-level", kMultiHartBudget) {
    sched::Hart0Only one_hart;
    // Levels less urgent than the runtime's start level (32): a tick during a process's
    // start-up queues it at 32 at worst, still ahead of every process that has already
    // reached its own level, so all three reach their levels before any of them exits.
    const auto a = proc::spawn("prio_child 50", nullptr, sched::Priority{1});
    const auto b = proc::spawn("prio_child 45", nullptr, sched::Priority{1});
    const auto c = proc::spawn("prio_child 40", nullptr, sched::Priority{1});
    REQUIRE(a.ok() && b.ok() && c.ok());
    sched::run_until([&] { return proc::has_ended(c.value()); });
    CHECK(!proc::has_ended(a.value()) && !proc::has_ended(b.value()));
    sched::run_until([&] { return proc::has_ended(b.value()); });
    CHECK(!proc::has_ended(a.value()));
    CHECK_EQ(reap_when_ended(a.value()), 50);
    CHECK_EQ(reap_when_ended(b.value()), 45);
    CHECK_EQ(reap_when_ended(c.value()), 40);
}

KTEST_BUDGET("hidden/switcher-dispatches-once-per-run-and-follows-the-best-level", kMultiHartBudget) {
    const std::uint64_t before = proc::switcher_dispatches();
    CHECK_EQ(run_program("exit_with 7").value_or(-100), 7);
    CHECK(proc::switcher_dispatches() > before);
    CHECK(!proc::best_waiting().has_value());  // nothing left waiting
}

KTEST_BUDGET("hidden/useryield-gives-the-cpu-only-for-strictly-more-urgent-work", kMultiHartBudget) {
    CHECK_EQ(run_program("yield_check").value_or(-100), 0);
}

KTEST_BUDGET("hidden/switcher-steps-down-level-by-level-past-kernel-work", kMultiHartBudget) {
    sched::Hart0Only one_hart;
    // Three processes fixed at 35, 47 and 58 by their ceilings; the last two wait
    // first, then the first arrives. Kernel coroutines at 41 and 52 must each run
    // between two of them, and each sees the switcher at the next waiting level.
    const auto third = proc::spawn("exit_with 58", nullptr, sched::Priority{58});
    REQUIRE(third.ok());
    sched::run_until([] { return test::waiting_level() == 58; });
    const auto second = proc::spawn("exit_with 47", nullptr, sched::Priority{47});
    REQUIRE(second.ok());
    sched::run_until([] { return test::waiting_level() == 47; });
    const auto first = proc::spawn("exit_with 35", nullptr, sched::Priority{35});
    REQUIRE(first.ok());
    static test::ViewSighting at41, at52;
    at41.ran.store(false);
    at52.ran.store(false);
    REQUIRE(sched::spawn(test::look_at_view(&at41, first.value(), second.value()), sched::Priority{41}).ok());
    REQUIRE(sched::spawn(test::look_at_view(&at52, second.value(), third.value()), sched::Priority{52}).ok());
    sched::run_until([] { return at52.ran.load(std::memory_order_acquire); });
    CHECK(at41.first_ended && !at41.second_ended);
    CHECK_EQ(at41.waiting, 47);
    CHECK_EQ(at41.switcher, 47);
    CHECK(at52.first_ended && !at52.second_ended);
    CHECK_EQ(at52.waiting, 58);
    CHECK_EQ(at52.switcher, 58);
    CHECK_EQ(reap_when_ended(first.value()), 35);
    CHECK_EQ(reap_when_ended(second.value()), 47);
    CHECK_EQ(reap_when_ended(third.value()), 58);
}

KTEST_BUDGET("hidden/switcher-runs-a-thread-at-the-level-its-process-has-now", kMultiHartBudget) {
    sched::Hart0Only one_hart;
    const auto pid = proc::spawn("prio_child 61", nullptr, sched::Priority{1});
    REQUIRE(pid.ok());
    proc::Process* p = test::last_created_process();
    REQUIRE(p != nullptr);
    sched::run_until([] { return test::waiting_level() == 61; });
    const proc::UserThread* thread = p->threads[0];
    REQUIRE(thread != nullptr);
    const std::uint64_t traps = thread->user_traps;
    static test::ViewSighting at9;
    at9.ran.store(false);
    REQUIRE(sched::spawn(test::look_at_view(&at9, pid.value(), pid.value(), thread), sched::Priority{9}).ok());
    proc::make_runnable(*p, sched::Priority{6});
    sched::run_until([] { return at9.ran.load(std::memory_order_acquire); });
    CHECK(at9.user_traps > traps);  // dispatched at 6, it was back in user mode before the coroutine at 9
    CHECK_EQ(reap_when_ended(pid.value()), 61);
}
