/// @file process_hooks.hpp
/// @brief Where a later layer joins a process's life (ch4: file descriptors, the
/// completion ring, system calls in flight).
///
///     spawn()          memory set up  ->  created   (an error fails the spawn)
///     exit/kill/fault  end()          ->  ending    (end every wait of the process)
///     last reference   free_process() ->  freed     (after its memory is gone)
///
/// Hooks run in the order they were added (lower layers first). A hook runs with
/// no process lock held; `ending` may run with the process table's lock held (kill),
/// so it must not spawn, reap or kill.
#pragma once

#include "cops/lib/result.hpp"

namespace cops::proc {

class Process;

/// One layer's hooks; any of them may be nullptr.
struct ProcessHooks {
    const char* layer = nullptr;            ///< who installed them, for messages
    Status (*created)(Process&) = nullptr;  ///< after its memory is set up, before its first thread runs
    void (*ending)(Process&) = nullptr;     ///< right after end() marked it ending (exit, kill or a fault)
    void (*freed)(Process&) = nullptr;      ///< just before its Process object is deleted
};

/// Most layers that may add hooks.
inline constexpr unsigned kMaxProcessHooks = 4;

/// Adds @p hooks (from an init call). Panics past kMaxProcessHooks.
void add_process_hooks(const ProcessHooks& hooks);

/// Runs every `created` hook on @p p; on the first error runs `freed` of the layers
/// that had succeeded, and returns the error.
Status run_created_hooks(Process& p);
/// Runs every `ending` hook on @p p.
void run_ending_hooks(Process& p);
/// Runs every `freed` hook on @p p.
void run_freed_hooks(Process& p);

}  // namespace cops::proc
