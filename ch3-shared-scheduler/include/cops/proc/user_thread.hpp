/// @file user_thread.hpp
/// @brief The kernel coroutine behind every user thread.
///
///     loop until the thread or its process ends:
///         enter user mode (enter_user) ... until the next trap
///         system call  -> decode, run (immediate) or await (blocking), store a0
///         interrupt    -> run its handler; yield to more urgent work (or to equal
///                         work at a tick: user threads of one priority share harts)
///         fault        -> report it and end the process with kStatusFault
///     (a later layer joins at each return to user mode and each exception:
///     user_trap_hooks.hpp; ch5 emulates user-interrupt instructions there)
///     thread_finished()
#pragma once

#include "cops/proc/process.hpp"
#include "cops/sched/task.hpp"

namespace cops::proc {

/// The coroutine that runs @p thread (spawned by create_thread() and spawn()).
sched::Task<void> run_user_thread(UserThread& thread);

}  // namespace cops::proc
