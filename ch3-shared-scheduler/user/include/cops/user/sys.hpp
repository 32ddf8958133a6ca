/// @file sys.hpp
/// @brief The user library's system calls: one function per call, as in a libc.
///
/// Each returns what the kernel put in a0: a result >= 0, or a negative errno
/// (cops::abi::Errno) on failure, e.g. `write(1, nullptr, 5) == -14` (EFAULT).
#pragma once

#include <cstddef>
#include <cstdint>

#include "cops/abi/syscall_numbers.hpp"

namespace cops::user {

/// A raw system call with up to six arguments (the wrappers below use it).
long syscall(abi::Sys number, std::uint64_t a0 = 0, std::uint64_t a1 = 0, std::uint64_t a2 = 0, std::uint64_t a3 = 0,
             std::uint64_t a4 = 0, std::uint64_t a5 = 0);

/// Ends the process with @p status (0..255).
[[noreturn]] void exit(int status);
/// Writes @p len bytes at @p buf to @p fd (1: console); the bytes written or -errno.
long write(int fd, const void* buf, std::size_t len);
/// Reads up to @p len bytes of a line from @p fd (0: console); bytes read or -errno.
long read(int fd, void* buf, std::size_t len);
/// Lets other threads of the same or higher priority run.
long yield();
/// This process's id.
long getpid();
/// Starts @p command_line ("program arg ...") as a child process; its pid or -errno.
long spawn(const char* command_line);
/// Waits for child @p pid (-1: any) to end; stores its status in *@p status (if not
/// null) and returns its pid, or -errno (-ECHILD: no such child).
long wait(long pid, long* status);
/// Ends process @p pid (its status becomes abi::kStatusKilled).
long kill(long pid);
/// Blocks the calling thread for @p ticks kernel ticks.
long sleep(std::uint64_t ticks);
/// Nanoseconds since boot.
long get_time();
/// The index of the hart running the caller (for tests and demos).
long hart_id();

/// Instructions this hart has retired (rdinstret; exact under qemu -icount).
inline std::uint64_t instructions() {
    std::uint64_t n;
    asm volatile("rdinstret %0" : "=r"(n));
    return n;
}

}  // namespace cops::user
