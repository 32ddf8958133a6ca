/// @file thread.hpp
/// @brief User threads: kernel-supported, each with its own user stack.
#pragma once

#include <cstdint>

namespace cops::user {

/// A thread's function: takes its argument, returns its exit value.
using ThreadFn = long (*)(void* arg);

/// Starts @p fn(@p arg) in a new thread of this process; its tid (>= 1) or -errno.
long thread_create(ThreadFn fn, void* arg);
/// Waits for thread @p tid to end and returns its value (or -errno).
long thread_join(long tid);
/// Ends the calling thread with @p value.
[[noreturn]] void thread_exit(long value);

}  // namespace cops::user
