/// @file heap.hpp
/// @brief The user heap: ch1's size-class allocator over an arena in the program's .bss.
///
/// `new` and `delete` use it. The arena is kHeapBytes; running out makes `new`
/// end the process with a message (exit status 12, ENOMEM).
#pragma once

#include <cstddef>

#include "cops/mm/size_class_heap.hpp"

namespace cops::user {

/// Bytes in the user heap.
inline constexpr std::size_t kHeapBytes = 128 * 1024;

/// Hands the arena to the heap; start.cpp calls it before any constructor runs, while
/// the process has one thread.
void init_heap();
/// The process's heap.
mm::SizeClassHeap& heap();

}  // namespace cops::user
