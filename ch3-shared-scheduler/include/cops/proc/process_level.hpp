/// @file process_level.hpp
/// @brief A process's level from its executor summary: the untrusted bytes the kernel
/// reads from the process's executor page at each trap (global_view.hpp folds it).
#pragma once

#include <cstdint>

#include "cops/sched/executor.hpp"
#include "cops/sched/priority.hpp"

namespace cops::proc {

/// A process's executor summary as the kernel read it: untrusted bytes.
struct ExecutorSummary {
    std::uint64_t ready_bits = 0;                 ///< bit L: a coroutine is ready at level L
    std::uint8_t running[sched::kMaxHarts] = {};  ///< level running on each hart slot, or anything
};

/// The level a process with @p summary runs at, given its @p ceiling: its most urgent
/// ready or running level, never more urgent than the ceiling; the ceiling if the
/// summary names no valid level. Any bytes give a valid level (pure: tests/unit/test_process_level.cpp).
sched::Priority process_level(const ExecutorSummary& summary, sched::Priority ceiling);

}  // namespace cops::proc
