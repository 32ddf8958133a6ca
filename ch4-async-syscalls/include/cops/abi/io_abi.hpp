/// @file io_abi.hpp
/// @brief Chapter 4's system-call ABI: the async form of a call, the completion ring,
/// file descriptors and pipes. Shared by the kernel and the user library.
///
/// **Sync or async, one entry.** Every I/O call (read, write, sleep) has one number
/// and one kernel entry. The extra argument decides the form:
///
///     a5 == 0                     synchronous: the calling thread blocks until it is done
///     a5 == cid, a4 == its level  asynchronous, on behalf of user coroutine `cid`
///
/// An async call that can finish at once returns its result like a sync call (the
/// fast path). Otherwise it returns kInProgress, the kernel carries the call out in
/// a kernel coroutine, and when it ends posts `{cid, result}` into the process's
/// completion ring; the user runtime takes it and wakes the cid.
#pragma once

#include <atomic>
#include <cstdint>

#include "cops/abi/syscall_numbers.hpp"
#include "cops/mm/user_layout.hpp"

namespace cops::abi {

/// pipe(int fds[2]) -> 0; fds[0] is the read end, fds[1] the write end.
inline constexpr Sys kSysPipe{32};
/// close(fd) -> 0.
inline constexpr Sys kSysClose{33};
/// dup(fd) -> the new fd, the lowest free one, sharing the open file.
inline constexpr Sys kSysDup{34};
/// take_held() -> completions moved into the ring that the kernel held while it was full.
inline constexpr Sys kSysTakeHeld{35};
/// io_info(which) -> 0: this process's calls in flight, 1: completions it holds, 2: open
/// fds, 3: the disk's sectors (0: no disk).
inline constexpr Sys kSysIoInfo{36};
/// open_disk() -> an fd on the virtio-blk disk (position 0), or -ENODEV.
inline constexpr Sys kSysOpenDisk{37};
/// seek(fd, byte offset) -> the offset; the disk's only (a multiple of 512, not past its end).
inline constexpr Sys kSysSeek{38};
/// fsync(fd) -> 0 once the disk has flushed what was written (sync and async forms).
inline constexpr Sys kSysFsync{39};

/// EINTR: the call was ended before it finished (its process is ending).
inline constexpr Errno kErrInterrupted{4};
/// EIO: the device failed the request (or it lay past the disk's end).
inline constexpr Errno kErrIo{5};
/// ENODEV: no such device (no disk attached).
inline constexpr Errno kErrNoDevice{19};
/// EMFILE: the process has kMaxFds files open.
inline constexpr Errno kErrTooManyFiles{24};
/// EPIPE: a write to a pipe whose read ends are all closed.
inline constexpr Errno kErrBrokenPipe{32};
/// EINPROGRESS: an async call goes on in the kernel; its result comes through the ring.
inline constexpr Errno kErrInProgress{115};
/// What an async call returns when it did not finish at once.
inline constexpr std::int64_t kInProgress = error_return(kErrInProgress);

/// Argument register (a4) of an async call that carries the issuing coroutine's level.
inline constexpr unsigned kAsyncLevelArg = 4;
/// Argument register (a5) of an async call that carries the issuing coroutine's cid.
inline constexpr unsigned kAsyncCidArg = 5;

/// Most open file descriptors per process (chapter 6's server holds 128 connections and more).
inline constexpr unsigned kMaxFds = 160;
/// Most async and slow sync calls one process may have in flight (or held) at once.
inline constexpr unsigned kMaxCallsPerProcess = 160;

/// One finished async call.
struct Completion {
    std::uint64_t cid;    ///< the cid the call named (a5)
    std::int64_t result;  ///< what a sync call would have returned
};

/// Entries of a completion ring (a power of two).
inline constexpr std::uint32_t kRingEntries = 64;

/// The completion ring: one page per process, mapped read-write at
/// kCompletionRingAddress. The kernel writes entries and `tail`; the process writes
/// `head`. The kernel keeps its own copy of `tail` and treats `head` as untrusted: a
/// garbage head only makes the ring look full, and the kernel holds completions
/// (counted in `held`) until take_held() finds room.
struct CompletionRing {
    std::atomic<std::uint32_t> head;   ///< written by the process: entries taken so far
    std::atomic<std::uint32_t> tail;   ///< written by the kernel: entries posted so far
    std::atomic<std::uint32_t> held;   ///< written by the kernel: completions waiting for room
    std::uint32_t capacity;            ///< kRingEntries (written by the kernel at spawn)
    Completion entries[kRingEntries];  ///< entry i % kRingEntries
};
static_assert(sizeof(CompletionRing) <= 4096, "the ring fits one page");

/// User address of the completion ring (the page after the executor page's megabyte).
inline constexpr std::uint64_t kCompletionRingAddress = mm::kExecutorPageAddress + (1ULL << 20);

}  // namespace cops::abi
