/// @file async_sys.hpp
/// @brief One declaration per I/O call, two forms: `sys::read(fd, buf, len)` blocks
/// the calling thread; `co_await async_sys::read(fd, buf, len)` blocks only the
/// calling coroutine, while its siblings run. Both return the real result: bytes, or
/// a negative errno (cops::abi::Errno).
///
///     COPS_IO_CALL(read, abi::Sys::Read, int, void*, std::size_t)
///
/// declares both. They enter the kernel at the same entry; the async form adds the
/// coroutine's cid (a5) and level (a4), see io_abi.hpp. When the kernel finishes the
/// call at once, the awaitable does not suspend; otherwise the coroutine blocks until
/// the runtime takes `{cid, result}` from the completion ring and wakes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "cops/abi/io_abi.hpp"
#include "cops/sched/task.hpp"
#include "cops/user/sys.hpp"

namespace cops::user {

/// An async call on the way: the node the runtime finds by cid when its completion
/// arrives. It lives in the frame of the coroutine that waits for it.
class PendingCall {
public:
    /// Issues call @p number with arguments @p a0..@p a2 for the running coroutine;
    /// done() tells whether it finished at once.
    PendingCall(abi::Sys number, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2);
    ~PendingCall();
    PendingCall(const PendingCall&) = delete;
    PendingCall& operator=(const PendingCall&) = delete;

    /// True once the result is known (at once, or when its completion was taken).
    bool done() const { return __atomic_load_n(&done_, __ATOMIC_ACQUIRE); }
    /// The result (valid once done()).
    long result() const { return result_; }

private:
    friend void deliver_completion(const abi::Completion& c);
    friend void forget_pending(PendingCall& call);
    std::uint64_t cid_ = 0;
    long result_ = 0;
    bool done_ = false;
    bool registered_ = false;
    PendingCall* next_ = nullptr;  // bucket chain
};

/// Issues an async call and, if it must wait, blocks the calling coroutine until its
/// completion arrives (stray wakes only loop). The fast path never suspends.
sched::Task<long> async_call(abi::Sys number, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2);

/// Takes every completion in this process's ring and wakes the coroutines they name;
/// asks the kernel for held ones when the ring was full. Returns how many it took.
/// The scheduler loop calls it before each pick.
unsigned drain_completions();

/// Counters of this process's async runtime.
struct AsyncStats {
    std::uint64_t issued = 0;      ///< async calls issued
    std::uint64_t at_once = 0;     ///< finished at once (the fast path)
    std::uint64_t completed = 0;   ///< completions taken from the ring
    std::uint64_t stray = 0;       ///< completions naming no waiting call (ignored)
    std::uint64_t held_taken = 0;  ///< completions the kernel had held (ring full)
};
/// The counters so far.
AsyncStats async_stats();

namespace detail {
/// An argument as the register word it travels in.
template <class T>
std::uint64_t word(T v) {
    if constexpr (std::is_pointer_v<T>) {
        return reinterpret_cast<std::uint64_t>(v);
    } else {
        return static_cast<std::uint64_t>(v);
    }
}
/// The sync form of call N: a5 = 0.
template <abi::Sys N, class... Params>
struct SyncForm {
    static_assert(sizeof...(Params) <= 3, "I/O calls take at most three arguments (a4, a5 carry the async form)");
    /// Makes the call; the calling thread waits until it is done.
    long operator()(Params... p) const { return syscall(N, word(p)...); }
};
/// The async form of call N.
template <abi::Sys N, class... Params>
struct AsyncForm {
    /// Makes the call for the calling coroutine: `co_await` it.
    sched::Task<long> operator()(Params... p) const {
        std::uint64_t a[3] = {word(p)...};
        return async_call(N, a[0], a[1], a[2]);
    }
};
}  // namespace detail

}  // namespace cops::user

/// Declares I/O call @p name (number @p number, parameter types after it) in both
/// forms: cops::user::sys::name and cops::user::async_sys::name.
#define COPS_IO_CALL(name, number, ...)                                           \
    namespace cops::user::sys {                                                   \
    inline constexpr ::cops::user::detail::SyncForm<number, __VA_ARGS__> name{};  \
    }                                                                             \
    namespace cops::user::async_sys {                                             \
    inline constexpr ::cops::user::detail::AsyncForm<number, __VA_ARGS__> name{}; \
    }

// The calls that may wait, one line each: sys::read(fd, buf, len) and
// co_await async_sys::read(fd, buf, len); write(fd, buf, len); sleep(ticks); fsync(fd).
/// @cond IO_CALLS
COPS_IO_CALL(read, ::cops::abi::Sys::Read, int, void*, std::size_t)
COPS_IO_CALL(write, ::cops::abi::Sys::Write, int, const void*, std::size_t)
COPS_IO_CALL(sleep, ::cops::abi::Sys::Sleep, std::uint64_t)
COPS_IO_CALL(fsync, ::cops::abi::kSysFsync, int)
/// @endcond

namespace cops::user {
/// pipe(fds): fds[0] reads, fds[1] writes; 0 or -errno.
inline long pipe(int (&fds)[2]) { return syscall(abi::kSysPipe, reinterpret_cast<std::uint64_t>(fds)); }
/// close(fd): 0 or -EBADF.
inline long close(int fd) { return syscall(abi::kSysClose, static_cast<std::uint64_t>(fd)); }
/// dup(fd): a new fd for the same open file, or -errno.
inline long dup(int fd) { return syscall(abi::kSysDup, static_cast<std::uint64_t>(fd)); }
/// open_disk(): an fd on the disk at position 0, or -ENODEV.
inline long open_disk() { return syscall(abi::kSysOpenDisk); }
/// seek(fd, offset): the disk's next transfer starts at byte @p offset (a multiple of 512).
inline long seek(int fd, std::uint64_t offset) {
    return syscall(abi::kSysSeek, static_cast<std::uint64_t>(fd), offset);
}
/// io_info(which): 0 calls in flight, 1 completions held by the kernel, 2 open fds, 3 disk sectors.
inline long io_info(int which) { return syscall(abi::kSysIoInfo, static_cast<std::uint64_t>(which)); }
}  // namespace cops::user
