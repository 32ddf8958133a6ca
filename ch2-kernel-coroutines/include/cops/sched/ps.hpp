/// @file ps.hpp
/// @brief A `ps`-like dump of the kernel's coroutines, threads and harts on the console.
#pragma once

#include "cops/lib/format.hpp"

namespace cops::sched {

/// Prints one line per live kernel coroutine (cid, kind, priority, state, frame bytes),
/// one per running-suspended thread, and one per hart (what it runs, its counters).
void ps();
/// The same dump, written to @p out.
void ps(lib::Writer& out);

}  // namespace cops::sched
