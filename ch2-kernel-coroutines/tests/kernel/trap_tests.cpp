/// @file trap_tests.cpp
/// @brief Traps: the tick on every hart, exception handlers, IPIs between harts.
#include <atomic>

#include "cops/arch/trap.hpp"
#include "cops/dev/timer.hpp"
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
    std::uint64_t before[sched::kMaxHarts];
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        before[i] = smp::hart(i).stats.ticks;
    }
    const std::uint64_t until = dev::timer::now_ticks() + 5;
    sched::run_until([&] { return dev::timer::now_ticks() >= until; });
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        CHECK(smp::hart(i).stats.ticks >= before[i] + 3);
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

KTEST("trap/ipi-reaches-another-hart") {
    REQUIRE(smp::hart_count() >= 2);
    const unsigned target = smp::this_hart().index == 1 ? 2 % smp::hart_count() : 1;
    const std::uint64_t before = smp::hart(target).stats.ipis;
    smp::send_ipi(target);
    sched::run_until([&] { return smp::hart(target).stats.ipis > before; });
    CHECK(smp::hart(target).stats.ipis > before);
}
