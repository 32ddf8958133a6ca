/// @file parked_waiter.hpp
/// @brief The scheduler's side of run_until(): the one thread of plain code that waits.
///
/// Test bodies and the demo's app_main() are not coroutines. run_until()
/// (run_until.hpp, kernel/sched/run_until.cpp) parks their thread with a condition.
/// Two places that choose what a hart runs next look at it first, because the waiting
/// code outranks every coroutine: the loop between coroutines (scheduler_loop.cpp)
/// and the interrupt exit (preempt.cpp). Nothing else in the scheduler knows of it.
#pragma once

#include "cops/sched/thread.hpp"

namespace cops::sched {

/// The parked thread, claimed (no other hart gets it), if its condition now holds;
/// else nullptr. Call with interrupts off.
Thread* claim_finished_waiter();
/// True if a thread is parked and its condition holds, or another hart is checking it
/// right now (look again soon). An idle hart asks this before it sleeps.
bool waiter_may_be_done();
/// Publishes @p t as the parked thread: finish_switch() calls it for AfterSwitch::Park,
/// once @p t's registers are saved.
void park_waiter(Thread& t);

}  // namespace cops::sched
