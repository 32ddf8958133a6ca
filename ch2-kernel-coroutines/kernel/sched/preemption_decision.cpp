/// @file preemption_decision.cpp
/// @brief The preemption rule on its own, so that it can be tested on the host.
#include "cops/sched/preemption.hpp"

namespace cops::sched {

PreemptAction preemption_decision(Priority running, std::optional<Priority> best_ready,
                                  std::optional<Priority> best_suspended) {
    // LAB(ch2): the preemption decision
    // Strictly more urgent work wins the hart; equal priority does not (no churn).
    // Between a ready coroutine and a running-suspended thread of the same level, the
    // suspended one goes first: it was running before, and finishing it frees a stack.
    if (best_suspended && best_suspended->more_urgent_than(running) &&
        (!best_ready || !best_ready->more_urgent_than(*best_suspended))) {
        return PreemptAction::ResumeSuspended;
    }
    if (best_ready && best_ready->more_urgent_than(running)) {
        return PreemptAction::RunReady;
    }
    return PreemptAction::Continue;
    // LAB-STUB: (void)running; (void)best_ready; (void)best_suspended;
    // LAB-STUB: return PreemptAction::Continue;
    // END-LAB
}

}  // namespace cops::sched
