/// @file timer.hpp
/// @brief The kernel tick: a periodic timer interrupt on every hart.
///
/// Each hart programs its own timer (Sstc's `stimecmp` where the ISA string has
/// "sstc", else the SBI TIME call) for the next multiple of the tick period, so all
/// harts tick at the same instants. A tick checks the test watchdog, wakes the
/// coroutines whose sleep has ended, and (through the trap dispatcher) lets the
/// scheduler preempt. Command line: `tick_hz=<n>` (default 1000), `timer=sbi`.
#pragma once

#include <cstdint>

namespace cops::dev::timer {

/// Ticks per second unless the command line says otherwise.
inline constexpr std::uint64_t kDefaultTickHz = 1000;

/// Reads the configuration and installs the timer interrupt handler (boot hart, once).
void init();
/// Starts the tick on the calling hart.
void start_on_this_hart();

/// `time` units (timebase ticks) per kernel tick.
std::uint64_t period();
/// Kernel ticks since boot (the same on every hart).
std::uint64_t now_ticks();
/// True when the hart's timer is programmed through Sstc rather than SBI.
bool uses_sstc();

/// A check a later layer runs at every tick, on every hart, with the tick count
/// (chapter 6: lwIP's next timeout). It runs in the interrupt handler: keep it short.
using TickHook = void (*)(std::uint64_t now_ticks);
/// Most tick hooks.
inline constexpr unsigned kMaxTickHooks = 4;
/// Adds @p hook (at boot, before the harts tick). False when kMaxTickHooks are taken.
bool add_tick_hook(TickHook hook);

}  // namespace cops::dev::timer
