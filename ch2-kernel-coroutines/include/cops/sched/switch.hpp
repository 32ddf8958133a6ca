/// @file switch.hpp
/// @brief Moving a hart from one thread (stack) to another.
///
/// A switch hands the old thread to the new one with an instruction (AfterSwitch):
/// the new thread carries it out in finish_switch(), once the old thread's registers
/// are safely saved. Doing it any earlier would let another hart resume a thread
/// whose registers are still being written.
#pragma once

#include "cops/sched/thread.hpp"
#include "cops/smp/hart.hpp"

namespace cops::sched {

/// Switches this hart to @p next; the thread running now is dealt with as @p what says.
/// Returns when some hart switches back to this thread. Interrupts must be off.
void switch_to(Thread& next, smp::AfterSwitch what);
/// Carries out the previous thread's AfterSwitch. Every path that starts or continues
/// a thread calls it first.
void finish_switch();

/// The executor loop of a hart: pick, resume, repeat; sleep in `wfi` when idle. Runs on
/// pool threads; a thread leaves it only when the hart switches to a more urgent thread.
[[noreturn]] void hart_loop();
/// Moves the calling hart (on its boot stack) into the executor loop for good.
[[noreturn]] void enter_scheduler();

}  // namespace cops::sched
