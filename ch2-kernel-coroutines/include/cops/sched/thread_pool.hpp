/// @file thread_pool.hpp
/// @brief Pool threads: stacks allocated once at boot, handed out to run the executor loop.
#pragma once

#include <cstddef>

#include "cops/sched/thread.hpp"

namespace cops::sched {

/// Bytes of stack per pool thread.
inline constexpr std::size_t kThreadStackBytes = 16 * 1024;

/// Allocates @p count pool threads (once, at boot).
void init_thread_pool(unsigned count);
/// A free pool thread, its context set to start the executor loop; nullptr if none is free.
/// Never allocates.
Thread* take_thread();
/// Returns @p thread to the pool.
void give_back(Thread& thread);
/// Pool threads free / in total.
unsigned free_threads();
/// Pool threads in total.
unsigned total_threads();

}  // namespace cops::sched
