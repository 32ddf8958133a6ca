/// @file coro.hpp
/// @brief The shared scheduler in a process: the paper's table 1 for user programs.
///
/// Every process runs its coroutines on one Executor that lives in its executor page
/// (user_layout.hpp); the executor's code is the shared scheduler, the same bytes
/// the kernel runs. A program's main() runs as the main coroutine (or, if the program
/// defines co_main(), that coroutine is the main one and may co_await). Inside a
/// coroutine, `co_await sched::yield()` and `co_await sched::block()` suspend it
/// (ch1's suspend.hpp).
#pragma once

#include <cstdint>

#include "cops/sched/executor.hpp"
#include "cops/sched/task.hpp"

/// Define this instead of main() to make the main coroutine a real coroutine.
[[gnu::weak]] cops::sched::Task<int> co_main(int argc, char** argv);

namespace cops::user {

/// Coroutines a process can have at once, unless its program says otherwise.
inline constexpr std::uint32_t kDefaultCoroutines = 256;
/// How many coroutines the program's process may have (COPS_USER_COROUTINES). A
/// struct, not a bare integer constant: the compiler must read it, not fold the default.
struct CoroutineCapacity {
    std::uint32_t count;  ///< coroutines at once
};

/// This process's executor (in its executor page).
sched::Executor& executor();

/// Starts @p task as a new coroutine at @p prio; its cid, or a negative errno value.
long spawn(sched::Task<void> task, sched::Priority prio);
/// The running coroutine's cid.
sched::Cid current();
/// Makes blocked coroutine @p cid ready (a wake of a live coroutine that has not
/// blocked is remembered). The wake changes only this process's executor, in its own
/// memory; the kernel's global view learns of the new ready level at the process's
/// next trap (a system call, the tick), when it folds the executor's summary. 0, or -ESRCH if there is no such live
/// coroutine. Like the system-call wrappers, the library reports errors as negative errno values.
[[nodiscard]] long wake(sched::Cid cid);
/// Changes coroutine @p cid's priority (the kernel sees it at the next fold). 0, or
/// -EINVAL for a level outside 0..63, -ESRCH for no such live coroutine.
[[nodiscard]] long set_priority(sched::Cid cid, sched::Priority prio);
/// Runs this process's executor on @p n more harts (kernel threads that each run
/// the executor loop); returns how many harts it runs on now, or a negative errno.
long alloc_cpu(unsigned n);

/// The kernel's global view: bit L set when work at level L waits elsewhere.
std::uint64_t global_busy_levels();
/// True when this process should give its CPU away: more urgent work waits elsewhere
/// than anything ready here (the user executor's yield check).
bool should_yield_cpu(std::uint64_t busy_elsewhere, std::uint64_t ready_here);

/// Installs @p hook, which every hart slot's loop calls before it picks a coroutine
/// (ch4 drains the completion ring there); call it from a global constructor.
/// nullptr removes it.
void set_loop_hook(void (*hook)());

/// Sets up the executor in the executor page and runs the main coroutine (main() or
/// co_main()) and the others on this thread; never returns (start.cpp calls it).
[[noreturn]] void run_scheduler(int argc, char** argv);

/// Counters of this process's scheduler loop.
struct LoopStats {
    std::uint64_t cpu_yields = 0;  ///< times it gave the CPU away for more urgent work
    std::uint64_t parks = 0;       ///< times it had nothing ready and parked
};
/// The counters so far.
LoopStats loop_stats();

}  // namespace cops::user

/// The number of coroutines the program's process can have at once (the executor's
/// control blocks come from its heap). Written once at namespace scope in a program's
/// source: its executor has room for @p n coroutines instead of kDefaultCoroutines
/// (a server with three coroutines per connection).
#define COPS_USER_COROUTINES(n) \
    extern "C" const ::cops::user::CoroutineCapacity cops_user_coroutines { (n) }
