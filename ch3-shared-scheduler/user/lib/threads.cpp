/// @file threads.cpp
/// @brief thread_create/join/exit.
#include "cops/user/sys.hpp"
#include "cops/user/thread.hpp"

extern "C" {
/// Where new threads start (crt0.S); it calls cops_thread_start(fn, arg).
void cops_thread_entry();

/// Runs a thread's function and ends the thread with its value.
[[noreturn]] void cops_thread_start(cops::user::ThreadFn fn, void* arg) { cops::user::thread_exit(fn(arg)); }
}

namespace cops::user {

long thread_create(ThreadFn fn, void* arg) {
    return syscall(abi::Sys::ThreadCreate, reinterpret_cast<std::uint64_t>(&cops_thread_entry),
                   reinterpret_cast<std::uint64_t>(fn), reinterpret_cast<std::uint64_t>(arg));
}

long thread_join(long tid) { return syscall(abi::Sys::ThreadJoin, static_cast<std::uint64_t>(tid)); }

void thread_exit(long value) {
    syscall(abi::Sys::ThreadExit, static_cast<std::uint64_t>(value));
    for (;;) {}  // not reached
}

}  // namespace cops::user
