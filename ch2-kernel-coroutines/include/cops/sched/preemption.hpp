/// @file preemption.hpp
/// @brief When an interrupt should take the hart away from the coroutine running on it.
#pragma once

#include <optional>

#include "cops/sched/priority.hpp"

namespace cops::sched {

/// What the end of an interrupt does with the coroutine it interrupted.
enum class PreemptAction : unsigned char {
    Continue,         ///< return to it
    RunReady,         ///< set it aside (running-suspended) and run a ready coroutine on a fresh stack
    ResumeSuspended,  ///< set it aside and continue a more urgent running-suspended thread
};

/// The decision, from three facts: the running coroutine's priority, the most urgent
/// ready coroutine's, and the most urgent running-suspended thread's.
PreemptAction preemption_decision(Priority running, std::optional<Priority> best_ready,
                                  std::optional<Priority> best_suspended);

/// Called at the end of every interrupt (interrupts off): acts on preemption_decision()
/// for the coroutine this hart was running.
void preempt_if_needed();

/// Preemptions made so far (all harts).
unsigned long preemption_count();

}  // namespace cops::sched
