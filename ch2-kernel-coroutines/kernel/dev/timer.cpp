/// @file timer.cpp
/// @brief The periodic tick on every hart.
#include "cops/dev/timer.hpp"

#include <atomic>
#include <string_view>

#include "cops/arch/csr.hpp"
#include "cops/arch/sbi.hpp"
#include "cops/arch/trap.hpp"
#include "cops/arch/watchdog.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/smp/hart.hpp"
#include "cops/time/sleep.hpp"

namespace cops::dev::timer {

namespace {
std::uint64_t g_period = 10'000;
bool g_sstc = false;
inline constexpr arch::Csr<0x14d> stimecmp{};  // Sstc: the hart's timer compare, writable in S-mode

void program(std::uint64_t deadline) {
    if (g_sstc) {
        stimecmp.write(deadline);
    } else {
        arch::sbi::set_timer(deadline);
    }
}

/// The next tick boundary after now: all harts tick at the same instants.
std::uint64_t next_tick() { return (arch::read_time() / g_period + 1) * g_period; }

TickHook g_hooks[kMaxTickHooks] = {};
std::atomic<unsigned> g_hook_count{0};

void on_tick(arch::TrapFrame& frame) {
    ++smp::this_hart().stats.ticks;
    program(next_tick());  // also acknowledges the interrupt (STIP clears)
    arch::watchdog::check(frame);
    const std::uint64_t now = now_ticks();
    time::expire_sleepers(now);
    for (unsigned i = 0, n = g_hook_count.load(std::memory_order_acquire); i < n; ++i) {
        g_hooks[i](now);
    }
}

// The tick owns the timer: the watchdog's deadline is checked at each tick instead.
void watchdog_arm(std::uint64_t) {}
void watchdog_disarm() {}
}  // namespace

void init() {
    const std::uint64_t hz = boot::bootarg_u64("tick_hz", kDefaultTickHz);
    const std::uint64_t timebase = boot::info().timebase_hz;
    g_period = hz > 0 && hz <= timebase ? timebase / hz : timebase / kDefaultTickHz;
    if (auto cpu = boot::fdt().find_device_type("cpu")) {
        const std::string_view isa = boot::fdt().property_string(cpu.value(), "riscv,isa").value_or("");
        g_sstc = isa.find("_sstc") != std::string_view::npos && boot::bootarg("timer") != std::string_view("sbi");
    }
    arch::set_interrupt_handler(arch::Interrupt::Timer, on_tick);
    arch::watchdog::set_timer_backend({watchdog_arm, watchdog_disarm});
}

bool add_tick_hook(TickHook hook) {
    const unsigned n = g_hook_count.load(std::memory_order_relaxed);
    if (n >= kMaxTickHooks) {
        return false;
    }
    g_hooks[n] = hook;
    g_hook_count.store(n + 1, std::memory_order_release);
    return true;
}

void start_on_this_hart() {
    program(next_tick());
    arch::sie.set(arch::kSieStie);
}

std::uint64_t period() { return g_period; }
std::uint64_t now_ticks() { return arch::read_time() / g_period; }
bool uses_sstc() { return g_sstc; }

}  // namespace cops::dev::timer
