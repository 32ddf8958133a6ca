/// @file running_suspended.hpp
/// @brief The threads of preempted coroutines, ordered by their priority like the ready queues.
#pragma once

#include <optional>

#include "cops/sched/priority.hpp"
#include "cops/sched/thread.hpp"

namespace cops::sched {

/// Adds @p thread (its coroutine and priority filled in) to the set. Any hart may resume it.
void add_running_suspended(Thread& thread);
/// The most urgent priority in the set, if any.
std::optional<Priority> best_running_suspended();
/// Removes and returns the most urgent thread if its priority is at least @p bar
/// (level <= bar.level); nullptr otherwise.
Thread* take_running_suspended(Priority bar);
/// Threads in the set.
unsigned running_suspended_count();
/// Calls @p fn(const Thread&) for each thread in the set (for the `ps` dump).
void for_each_running_suspended(void (*fn)(const Thread&, void*), void* ctx);

}  // namespace cops::sched
