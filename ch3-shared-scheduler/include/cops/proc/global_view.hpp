/// @file global_view.hpp
/// @brief The kernel's global view of process priorities (the shared scheduler, paper §3.4).
///
/// Every process runs its coroutines on its own Executor, whose first bytes (the
/// summary: ready bitmap and running levels, ExecutorSummaryLayout) sit in the
/// process's executor page. At each trap from a process the kernel *folds* that
/// summary into the process's level, clamped by its ceiling. Processes whose
/// threads wait for a CPU sit in one FIFO queue per level, with a 64-bit bitmap of
/// non-empty levels: the best one is found in O(1). That bitmap, ORed with the
/// kernel executor's, is published read-only to every process (mm::GlobalView), so a
/// user executor can see that more urgent work waits elsewhere and yield its CPU.
/// The switching coroutine (switching_coroutine.hpp) hands CPUs out in that order.
#pragma once

#include <cstdint>

#include "cops/mm/address.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/process_level.hpp"
#include "cops/sched/executor.hpp"
#include "cops/sched/task.hpp"

namespace cops::proc {

/// Reads @p p's summary from its executor page (nothing if it has none).
ExecutorSummary read_summary(const Process& p);

/// At a trap from @p t: folds its process's summary into the view and returns the
/// process's new level. O(1). When nothing a fold reads has changed since the last one
/// (the summary, the ceiling, the kernel's ready levels, and no thread parked since),
/// it returns the last level without taking the view's lock.
sched::Priority fold(UserThread& t);

/// Suspends @p t until the switching coroutine gives it a CPU (or its process ends):
/// it joins its process's waiting list and the process its level's queue.
sched::Task<void> wait_for_cpu(UserThread& t);

/// Suspends @p t until its process has ready work again (a fold sees a ready bit),
/// then waits for a CPU. Used when its user executor had nothing to run.
sched::Task<void> park(UserThread& t);

/// Work for @p p arrived from outside its executor (ch4: a system call finished) for a
/// coroutine at @p level: the process becomes runnable at that level (clamped by its
/// ceiling) if that is more urgent than where it stands, and its parked threads wait
/// for a CPU again. Safe from any hart, outside any process lock.
void make_runnable(Process& p, sched::Priority level);

/// A later layer's answer to "does @p p have work its executor does not show yet?"
/// (ch4: completions posted to its ring and not yet taken). park() asks it under the
/// view's lock, so together with make_runnable() no wake-up is lost. It must not
/// take locks.
using PendingWorkCheck = bool (*)(const Process& p);
/// Installs @p check (nullptr: none, the default).
void set_pending_work_check(PendingWorkCheck check);

/// For the switching coroutine: takes the first waiting thread of the most urgent
/// queued process, marks it Dispatched and sets @p level to the process's level.
/// nullptr when no process waits. O(1).
UserThread* take_best_waiting(sched::Priority& level);

/// The most urgent level at which a process waits, if any.
std::optional<sched::Priority> best_waiting();

/// The frame of the global view page (mapped read-only into every process).
mm::PhysAddr global_view_frame();

/// Counters of the view, for tests and benchmarks.
struct GlobalViewStats {
    std::uint64_t folds = 0;       ///< summaries folded
    std::uint64_t unchanged = 0;   ///< folds skipped: nothing had changed since the last one
    std::uint64_t dispatches = 0;  ///< threads given a CPU
    std::uint64_t parks = 0;       ///< threads parked because their executor had nothing ready
};
/// The counters so far.
GlobalViewStats global_view_stats();

}  // namespace cops::proc
