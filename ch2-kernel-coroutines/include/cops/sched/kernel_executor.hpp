/// @file kernel_executor.hpp
/// @brief The kernel's executor: every kernel activity is a coroutine on it.
#pragma once

#include "cops/sched/executor.hpp"

namespace cops::sched {

/// Coroutines the kernel executor can hold at once.
inline constexpr std::uint32_t kKernelCoroutines = 4096;

/// The one executor every hart runs (created at the arch init level).
Executor& kernel_executor();

/// Spawns @p task on the kernel executor at @p prio.
inline Result<Cid> spawn(Task<void> task, Priority prio) { return kernel_executor().spawn(std::move(task), prio); }

}  // namespace cops::sched
