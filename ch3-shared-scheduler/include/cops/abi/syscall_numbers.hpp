/// @file syscall_numbers.hpp
/// @brief The system-call ABI shared by the kernel and the user library.
///
/// A user program puts the call number in a7 and up to six arguments in a0..a5,
/// then executes `ecall`. The result comes back in a0: zero or more on success,
/// minus an Errno on failure (as on Linux). Later chapters add numbers from 32 on.
#pragma once

#include <cstdint>

namespace cops::abi {

/// System-call numbers.
enum class Sys : std::uint32_t {
    Exit = 1,           ///< exit(status): ends the process with @p status
    Write = 2,          ///< write(fd, buf, len) -> bytes written (fd 1 or 2: the console)
    Read = 3,           ///< read(fd, buf, len) -> bytes read (fd 0: the console, blocks for a line)
    Yield = 4,          ///< yield(): let other work of the same or higher priority run
    GetPid = 5,         ///< getpid() -> this process's id
    Spawn = 6,          ///< spawn(command_line) -> the child's pid ("name arg1 arg2")
    Wait = 7,           ///< wait(pid or -1, status*) -> pid of the reaped child
    ThreadCreate = 8,   ///< thread_create(entry, arg) -> tid; entry(arg) runs on a new stack
    ThreadJoin = 9,     ///< thread_join(tid) -> the thread's exit value
    Sleep = 10,         ///< sleep(ticks): block this thread for kernel ticks
    GetTime = 11,       ///< get_time() -> nanoseconds since boot
    Kill = 12,          ///< kill(pid): end a descendant (or itself) and its descendants (status kStatusKilled)
    ThreadExit = 13,    ///< thread_exit(value): end the calling thread
    HartId = 14,        ///< hart_id() -> the index of the hart running the caller
    Park = 15,          ///< park(): this thread's executor has nothing ready; wait for ready work
    LowerCeiling = 16,  ///< lower_ceiling(level): this process may not be scheduled above level; -> the ceiling
    SchedInfo = 17,     ///< sched_info(which) -> 0: the ceiling, 1: the level at the last fold, 2: folds so far
};

/// Most system-call numbers a table holds (0..kMaxSyscalls-1).
inline constexpr std::uint32_t kMaxSyscalls = 128;

/// Error codes, negated in a0 (the values are Linux's, so they are familiar).
enum class Errno : std::int64_t {
    NotPermitted = 1,   ///< EPERM: the caller may not do this to that process (kill: not its ancestor)
    NoEntry = 2,        ///< ENOENT: no program of that name
    NoProcess = 3,      ///< ESRCH: no process or thread with that id
    TooBig = 7,         ///< E2BIG: argument list too long
    NotExecutable = 8,  ///< ENOEXEC: the program is not a valid ELF for this kit
    BadFd = 9,          ///< EBADF: no such file descriptor
    NoChild = 10,       ///< ECHILD: nothing to wait for
    Again = 11,         ///< EAGAIN: out of a resource (threads, processes); try later
    NoMemory = 12,      ///< ENOMEM: out of memory
    Fault = 14,         ///< EFAULT: a pointer argument is not valid user memory
    Invalid = 22,       ///< EINVAL: an argument is out of range
    NoSys = 38,         ///< ENOSYS: no such system call
};

/// The a0 value that reports @p e.
constexpr std::int64_t error_return(Errno e) { return -static_cast<std::int64_t>(e); }

/// Exit status of a process ended by kill().
inline constexpr std::int64_t kStatusKilled = -9;
/// Exit status of a process ended by a fault (bad access, illegal instruction).
inline constexpr std::int64_t kStatusFault = -11;

}  // namespace cops::abi
