/// @file ipi.hpp
/// @brief Inter-processor interrupts: waking a sleeping hart, or asking a busy one to reconsider.
#pragma once

#include "cops/sched/priority.hpp"

namespace cops::smp {

/// Sends a software interrupt to hart @p index (through SBI's IPI extension).
void send_ipi(unsigned index);

/// Marks the calling hart idle (about to `wfi`) or not, for the kicker below.
void set_idle(bool idle);

/// Work of priority @p prio became ready: wake an idle hart if there is one; else
/// interrupt the hart running the least urgent coroutine if @p prio beats it, so that
/// its interrupt exit preempts. This is the executor's ready hook.
void kick_for(sched::Priority prio);

}  // namespace cops::smp
