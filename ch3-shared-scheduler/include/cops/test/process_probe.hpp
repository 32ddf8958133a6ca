/// @file process_probe.hpp
/// @brief For kernel tests of the shared scheduler: the Process object of the process
/// a test just spawned, and a kernel coroutine that looks at the global view.
///
/// spawn() hands out a pid, and the kernel's API names processes by pid only. A test
/// that must act on a process the way a lower layer does (move it in the global
/// view, as a finished system call does with make_runnable()) needs the object. A
/// process hook (process_hooks.hpp) notes each process as it is created and forgets
/// it when it is freed.
///
/// The order tests of the switching coroutine place a kernel coroutine at a level
/// between two processes' levels; what it sees when it runs (which process has
/// ended, who still waits, the switcher's priority) shows who ran before it.
#pragma once

#include <atomic>

#include "cops/proc/process.hpp"
#include "cops/sched/task.hpp"

namespace cops::test {

/// The process the latest spawn() created, or nullptr once that one has been freed.
/// Valid until the process is reaped. Meant for tests that spawn one process at a
/// time on one hart (sched::Hart0Only): a spawn by anyone else replaces it.
proc::Process* last_created_process();

/// The most urgent level at which a process waits for a CPU, or -1 if none waits.
int waiting_level();

/// What look_at_view() saw when it ran.
struct ViewSighting {
    std::atomic<bool> ran{false};  ///< it has run (set last, with release order)
    bool first_ended = false;      ///< proc::has_ended(first) then
    bool second_ended = false;     ///< proc::has_ended(second) then
    int waiting = -1;              ///< waiting_level() then
    int switcher = -1;             ///< the switching coroutine's priority then (-1: none)
    std::uint64_t user_traps = 0;  ///< the watched thread's UserThread::user_traps then
};

/// A kernel coroutine that fills @p seen once, when it first runs: spawn it at the
/// level to look from. @p seen must outlive it (a static in the test); so must
/// @p thread, if given, whose trap count it reads (a thread stays until its process
/// is reaped).
sched::Task<void> look_at_view(ViewSighting* seen, proc::Pid first, proc::Pid second,
                               const proc::UserThread* thread = nullptr);

}  // namespace cops::test
