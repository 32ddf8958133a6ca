/// @file heap.hpp
/// @brief The user heap: ch1's size-class allocator over an arena in the program's .bss.
///
/// `new` and `delete` use it. The arena is kHeapBytes, unless the program asks for
/// another size with COPS_USER_HEAP_BYTES(n); running out makes `new` end the
/// process with a message (exit status 12, ENOMEM).
#pragma once

#include <cstddef>

#include "cops/mm/size_class_heap.hpp"

namespace cops::user {

/// Bytes in the user heap.
inline constexpr std::size_t kHeapBytes = 128 * 1024;

/// Where the heap lives: a program's own arena (COPS_USER_HEAP_BYTES), or the default.
struct HeapArena {
    unsigned char* bytes;  ///< the arena
    std::size_t size;      ///< its bytes
};

/// Hands the arena to the heap; start.cpp calls it before any constructor runs, while
/// the process has one thread.
void init_heap();
/// The process's heap.
mm::SizeClassHeap& heap();

}  // namespace cops::user

/// Written once at namespace scope in a program's source: its heap has @p n bytes
/// instead of kHeapBytes (a server with many connections). The arena is in .bss.
#define COPS_USER_HEAP_BYTES(n)                                    \
    alignas(16) static unsigned char cops_user_program_arena[(n)]; \
    extern "C" const ::cops::user::HeapArena cops_user_heap_arena { cops_user_program_arena, (n) }
