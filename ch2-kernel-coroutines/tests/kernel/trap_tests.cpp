/// @file trap_tests.cpp
/// @brief Traps: the tick on every hart, exception handlers, IPIs between harts.
#include <atomic>

#include "cops/arch/irq.hpp"
#include "cops/arch/trap.hpp"
#include "cops/dev/timer.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/smp/hart.hpp"
#include "cops/smp/ipi.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;

KTEST("smp/all-harts-online") {
    REQUIRE(smp::hart_count() >= 1);
    CHECK_EQ(smp::online_count(), smp::hart_count());
}

KTEST("trap/ticks-on-every-hart") {
    // Counted in each hart's own timer interrupts, not in elapsed time: on a loaded
    // host QEMU's clock can jump, and one interrupt then covers several ticks. A
    // hart whose timer never fires still fails, at the 2000-tick backstop.
    constexpr std::uint64_t kWanted = 3;
    std::uint64_t before[sched::kMaxHarts];
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        before[i] = smp::hart(i).stats.ticks;
    }
    auto every_hart_ticked = [&] {
        for (unsigned i = 0; i < smp::hart_count(); ++i) {
            if (smp::hart(i).stats.ticks < before[i] + kWanted)
                return false;
        }
        return true;
    };
    const std::uint64_t backstop = dev::timer::now_ticks() + 2000;
    sched::run_until([&] { return every_hart_ticked() || dev::timer::now_ticks() >= backstop; });
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        CHECK(smp::hart(i).stats.ticks >= before[i] + kWanted);
    }
}

namespace {
std::atomic<unsigned> g_breakpoints{0};
void on_breakpoint(arch::TrapFrame& f) {
    ++g_breakpoints;
    // Step over the ebreak: 2 bytes if compressed (low bits != 11), else 4.
    const auto insn = *reinterpret_cast<const std::uint16_t*>(f.sepc);
    f.sepc += (insn & 3U) == 3U ? 4 : 2;
}
}  // namespace

KTEST("trap/exception-handler-runs-and-returns") {
    g_breakpoints = 0;
    arch::set_exception_handler(arch::Exception::Breakpoint, on_breakpoint);
    asm volatile("ebreak");
    asm volatile(".option push\n.option norvc\nebreak\n.option pop");
    arch::set_exception_handler(arch::Exception::Breakpoint, nullptr);
    CHECK_EQ(g_breakpoints.load(), 2U);
}

// The two tests below pass only by stopping the kernel with the unexpected-trap report
// (KTEST_PANICS): a trap nobody handles must never come back, and must reach no handler.
// Each first makes a trap that does have a handler, so a dispatch that stops on every
// trap (the lab's stub) fails them.

KTEST_PANICS("trap/a-cause-without-a-handler-is-an-unexpected-trap", "illegal instruction (scause 0x2)") {
    g_breakpoints = 0;
    arch::set_exception_handler(arch::Exception::Breakpoint, on_breakpoint);
    asm volatile("ebreak");
    REQUIRE(g_breakpoints.load() == 1U);  // a cause with a handler comes back here
    arch::set_exception_handler(arch::Exception::IllegalInstruction, nullptr);
    asm volatile(".word 0");  // an all-zero word is an illegal instruction: nobody handles it now
}

namespace {
std::atomic<unsigned> g_dispatched{0};
void count_only(arch::TrapFrame&) { ++g_dispatched; }
}  // namespace

KTEST_PANICS("trap/a-cause-past-the-handler-table-is-an-unexpected-trap", "(scause 0x10)") {
    // Every exception slot has a handler that counts, so a dispatch that reads past the
    // table, or clips the code into it, reaches one instead of stopping.
    g_dispatched = 0;
    for (unsigned c = 0; c < arch::kTrapCauses; ++c) {
        arch::set_exception_handler(static_cast<arch::Exception>(c), count_only);
    }
    arch::TrapFrame frame{};
    frame.scause = static_cast<std::uint64_t>(arch::Exception::IllegalInstruction);
    trap_dispatch(&frame);
    REQUIRE(g_dispatched.load() == 1U);  // a code inside the table reaches its handler
    frame.scause = arch::kTrapCauses;    // one past the table
    trap_dispatch(&frame);
    CHECK(g_dispatched.load() == 1U);  // (not reached: the dispatch must stop the kernel)
}

namespace {
std::atomic<int> g_urgent_done{0};
std::atomic<int> g_seen_after_exception{-1};
sched::Task<void> urgent_work() {
    g_urgent_done = 1;
    co_return;
}
/// With interrupts off (no tick can come), readies a more urgent coroutine and traps
/// with an ebreak; notes whether that coroutine ran before the trap came back here.
sched::Task<void> trap_with_urgent_work_ready() {
    const bool was_on = arch::irq_save();
    if (sched::spawn(urgent_work(), sched::Priority{0}).ok()) {
        asm volatile(".option push\n.option norvc\nebreak\n.option pop");
        g_seen_after_exception = g_urgent_done.load();
    }
    arch::irq_restore(was_on);
    co_return;
}
}  // namespace

KTEST_BUDGET("trap/an-exception-is-not-a-scheduling-point", 1'000'000'000) {
    // An exception handler works for the code that trapped; only interrupts bring new
    // work. If trap_dispatch() preempted after an exception, the urgent coroutine would
    // run inside the ebreak, before the trapping coroutine goes on.
    sched::Hart0Only one_hart;  // no other hart may pick the urgent coroutine up
    g_urgent_done = 0;
    g_seen_after_exception = -1;
    g_breakpoints = 0;
    arch::set_exception_handler(arch::Exception::Breakpoint, on_breakpoint);
    REQUIRE(sched::spawn(trap_with_urgent_work_ready(), sched::Priority{20}).ok());
    sched::run_until([] { return g_seen_after_exception.load() != -1 && g_urgent_done.load() != 0; });
    arch::set_exception_handler(arch::Exception::Breakpoint, nullptr);
    CHECK_EQ(g_breakpoints.load(), 1U);
    CHECK_EQ(g_seen_after_exception.load(), 0);  // the ebreak came back to the trapping coroutine first
}

KTEST("trap/ipi-reaches-another-hart") {
    REQUIRE(smp::hart_count() >= 2);
    const unsigned target = smp::this_hart().index == 1 ? 2 % smp::hart_count() : 1;
    const std::uint64_t before = smp::hart(target).stats.ipis;
    smp::send_ipi(target);
    sched::run_until([&] { return smp::hart(target).stats.ipis > before; });
    CHECK(smp::hart(target).stats.ipis > before);
}
