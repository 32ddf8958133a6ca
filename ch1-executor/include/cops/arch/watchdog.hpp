/// @file watchdog.hpp
/// @brief A one-shot deadline that stops a runaway test: the test kernel's watchdog.
///
/// The test runner arms it with a deadline in `time` ticks; when a timer interrupt
/// finds the deadline passed, the fire function runs (in trap context) and stops
/// the machine. How the deadline reaches the hardware is a hook: ch1 programs the
/// SBI timer for it; ch2, whose tick owns the timer, only checks it at every tick.
#pragma once

#include <cstdint>

#include "cops/arch/trap_frame.hpp"

namespace cops::arch::watchdog {

/// Arms the watchdog: @p fire runs once `time` reaches @p deadline.
void arm(std::uint64_t deadline, void (*fire)(TrapFrame&));
/// Disarms the watchdog.
void disarm();
/// Runs the fire function if the watchdog is armed and its deadline has passed.
/// Timer interrupt handlers call this. Returns true if it fired.
bool check(TrapFrame& frame);

/// How arm() and disarm() reach the hardware timer of this hart.
struct TimerBackend {
    void (*arm)(std::uint64_t deadline);  ///< make a timer interrupt happen at @p deadline
    void (*disarm)();                     ///< stop it
};
/// Installs @p backend (a layer that owns the timer, e.g. ch2's tick, calls this once).
void set_timer_backend(TimerBackend backend);

}  // namespace cops::arch::watchdog
