/// @file attack_tests.cpp
/// @brief Processes that attack the scheduler (user/programs/attack.cpp): flapping
/// levels, yield and wake floods, a thread bomb, an exit with threads spinning on
/// every hart. While each runs, a more urgent process and a kernel coroutine must
/// still run, and when it ends its memory must be back.
#include "cops/abi/syscall_numbers.hpp"
#include "cops/dev/timer.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/kernel_heap.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/test/ktest.hpp"
#include "cops/test/settled_memory.hpp"

using namespace cops;

namespace {
constexpr std::uint64_t kBudget = 4'000'000'000;
constexpr sched::Priority kOpenCeiling{1};  // lets prio_child use level 10
constexpr std::uint64_t kUrgentWithinTicks = 100;
constexpr std::uint64_t kEndWithinTicks = 2000;

bool g_kernel_ran = false;
sched::Task<void> urgent_kernel_work() {
    g_kernel_ran = true;
    co_return;
}

/// Waits up to @p ticks for @p done; whether it came.
template <class Done>
bool within(std::uint64_t ticks, Done done) {
    const std::uint64_t limit = dev::timer::now_ticks() + ticks;
    sched::run_until([&] { return done() || dev::timer::now_ticks() >= limit; });
    return done();
}

/// Starts `attack @p command`; while it runs, a process at level 10 and a kernel
/// coroutine at level 5 must both finish (within kUrgentWithinTicks, before the
/// attacker ends). Then the attacker must end by itself with @p status, and every
/// frame and heap byte must be back.
void attack_beside_urgent_work(const char* command, std::int64_t status) {
    // Warm up once, so lazily created kernel state does not count.
    REQUIRE(proc::run_program("exit_with 0").ok());
    const test::MemoryFigures before = test::settled_memory();
    const auto attacker = proc::spawn(command);
    REQUIRE(attacker.ok());
    const proc::Pid pid = attacker.value();
    // Let the attack get going first: 5 ticks.
    const std::uint64_t going = dev::timer::now_ticks() + 5;
    sched::run_until([&] { return dev::timer::now_ticks() >= going; });

    g_kernel_ran = false;
    REQUIRE(sched::spawn(urgent_kernel_work(), sched::Priority{5}).ok());
    const auto urgent = proc::spawn("prio_child 10", nullptr, kOpenCeiling);
    REQUIRE(urgent.ok());
    const bool urgent_done = within(kUrgentWithinTicks, [&] { return proc::has_ended(urgent.value()); });
    char why[128];
    test::check(urgent_done && !proc::has_ended(pid), __FILE__, __LINE__,
                lib::format_buffer(why, sizeof why,
                                   "'{}': a level-10 process should end within {} ticks while the attacker runs "
                                   "(it {}; the attacker {})",
                                   command, kUrgentWithinTicks, urgent_done ? "did" : "did not",
                                   proc::has_ended(pid) ? "had already ended" : "was still running"));
    CHECK(within(kUrgentWithinTicks, [] { return g_kernel_ran; }));
    if (!urgent_done) {
        (void)proc::kill(urgent.value());
    }
    sched::run_until([&] { return proc::has_ended(urgent.value()); });
    CHECK_EQ(proc::reap(urgent.value()).value_or(-100), 10);

    // Every attack ends by itself within a few hundred ticks; one that does not is a
    // failure that says so (and is killed), not a hang to the budget.
    const bool ended = within(kEndWithinTicks, [&] { return proc::has_ended(pid); });
    test::check(ended, __FILE__, __LINE__,
                lib::format_buffer(why, sizeof why, "'{}' did not end within {} ticks of its start ({} processes live)",
                                   command, kEndWithinTicks, proc::process_count()));
    if (!ended) {
        (void)proc::kill(pid);
        sched::run_until([&] { return proc::has_ended(pid); });
    }
    const std::int64_t got = proc::reap(pid).value_or(-100);
    test::check(got == status, __FILE__, __LINE__,
                lib::format_buffer(why, sizeof why,
                                   "'{}' ended with status {}, expected {} (attack.cpp: 100 or more "
                                   "names what went wrong)",
                                   command, got, status));
    CHECK_EQ(proc::process_count(), 0U);
    const test::MemoryFigures after = test::settled_memory();
    CHECK_EQ(after.free_frames, before.free_frames);
    CHECK_EQ(after.heap_bytes, before.heap_bytes);
}
}  // namespace

KTEST_BUDGET("attack/flapping-levels-do-not-keep-urgent-work-waiting", kBudget) {
    sched::Hart0Only one_hart;  // the attacker and the urgent work compete for one hart
    attack_beside_urgent_work("attack flap 150", 0);
}

KTEST_BUDGET("attack/a-yield-flood-does-not-keep-urgent-work-waiting", kBudget) {
    sched::Hart0Only one_hart;
    attack_beside_urgent_work("attack yield-flood 150", 0);
}

KTEST_BUDGET("attack/a-wake-flood-does-not-keep-urgent-work-waiting", kBudget) {
    sched::Hart0Only one_hart;
    attack_beside_urgent_work("attack wake-flood 150", 0);
}

KTEST_BUDGET("attack/a-thread-bomb-is-refused-at-the-limit-and-its-threads-end-with-it", kBudget) {
    sched::Hart0Only one_hart;
    attack_beside_urgent_work("attack thread-bomb", static_cast<std::int64_t>(proc::kMaxThreads - 1));
}

KTEST_BUDGET("attack/exit-with-threads-spinning-on-every-hart-ends-them-all", kBudget) {
    // Every hart: 4 spinning threads, the main thread asleep, then its exit.
    attack_beside_urgent_work("attack spin-exit 4", 5);
}
