/// @file switching_coroutine.hpp
/// @brief The switching coroutine: the kernel coroutine that carries the best process
/// priority and hands the CPU to that process (paper §3.4).
///
/// It is an ordinary coroutine on the kernel executor. Its priority always equals the
/// most urgent level at which a process waits for a CPU, so the kernel's own priority
/// rule orders processes against kernel coroutines: a more urgent kernel coroutine
/// runs first; when the switching coroutine is the best, it dispatches the best
/// process. A running user thread whose level is worse than the switching
/// coroutine's is preempted at its next interrupt by ch2's preemption rule.
#pragma once

#include <cstdint>

#include "cops/sched/ccb.hpp"

namespace cops::proc {

/// Raises or lowers the switching coroutine to the best waiting level, and wakes it
/// if it sleeps. Called whenever the view changes.
void notify_switcher();

/// The switching coroutine's cid (Cid{} until its init step, start_switching_coroutine at device level, ran).
sched::Cid switcher_cid();

/// How many times it has handed out a CPU.
std::uint64_t switcher_dispatches();

}  // namespace cops::proc
