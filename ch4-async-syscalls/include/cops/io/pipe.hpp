/// @file pipe.hpp
/// @brief A pipe: a bounded byte buffer between a read end and a write end.
///
/// Nothing here blocks. read() and write() make one attempt and say kWouldBlock when
/// the caller must wait; the caller then `co_await`s `PipeWait`, a waiter node that
/// lives in its frame, until the pipe is ready for its end (or its call is cancelled)
/// and tries again. That is the back-pressure: a writer finding the buffer full waits
/// for a reader to drain it, and the wait blocks only that coroutine.
///
///     read   bytes > 0; 0 at end of file (empty, no write end open); kWouldBlock
///     write  bytes > 0 taken; -EPIPE (no read end open); kWouldBlock (full)
#pragma once

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>

#include "cops/mm/address_space.hpp"
#include "cops/sched/ccb.hpp"
#include "cops/sync/spinlock.hpp"
#include "cops/sync/wait_queue.hpp"

namespace cops::io {

/// What one attempt returns when the caller must wait and try again.
inline constexpr std::int64_t kWouldBlock = INT64_MIN;

/// The two ends of a pipe.
enum class PipeEnd : std::uint8_t {
    Read,   ///< the end a reader holds
    Write,  ///< the end a writer holds
};

class PipeWait;

/// One pipe. Created with both ends open; deleted by whoever closes its last end.
class Pipe {
public:
    /// Bytes the buffer holds (small, so that back-pressure shows).
    static constexpr std::size_t kBytes = 512;

    Pipe() = default;
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;

    /// Moves up to @p len buffered bytes to user address @p to in @p space. Returns the
    /// bytes moved, 0 at end of file, kWouldBlock, or -EFAULT (bytes are then lost).
    /// *@p woke (if given) is increased by the writers it woke.
    std::int64_t read(const mm::AddressSpace& space, std::uint64_t to, std::uint64_t len, unsigned* woke = nullptr);
    /// Moves up to @p len bytes from user address @p from in @p space into the buffer.
    /// Returns the bytes taken, -EPIPE, kWouldBlock, or -EFAULT.
    /// *@p woke (if given) is increased by the readers it woke.
    std::int64_t write(const mm::AddressSpace& space, std::uint64_t from, std::uint64_t len, unsigned* woke = nullptr);

    /// Closes @p end (its File's last reference went); wakes the other side when the last one goes (end of
    /// file, or EPIPE). Returns true when no end is open any more: delete the pipe.
    bool close_end(PipeEnd end);

    /// Awaitable: blocks the calling coroutine until the pipe is ready for @p end (data
    /// or end of file for Read; room or no reader for Write), or @p cancelled is set
    /// and the coroutine is woken. Then the caller tries again.
    PipeWait until_ready(PipeEnd end, const std::atomic<std::uint32_t>& cancelled);

    /// Bytes buffered now.
    std::size_t buffered() const;
    /// Coroutines waiting now on either end.
    std::size_t waiting() const;

private:
    friend class PipeWait;
    /// True when a coroutine waiting for @p end should try again (the lock is held).
    bool ready_locked(PipeEnd end) const;
    /// Wakes every coroutine waiting for @p end (call without the lock); returns how many.
    unsigned wake_all(PipeEnd end);
    sync::WaitQueue& waiters(PipeEnd end) { return end == PipeEnd::Read ? readers_waiting_ : writers_waiting_; }

    mutable sync::SpinLock lock_;
    char buffer_[kBytes] = {};
    std::size_t head_ = 0;   // first buffered byte
    std::size_t count_ = 0;  // bytes buffered
    unsigned read_ends_ = 1;
    unsigned write_ends_ = 1;
    sync::WaitQueue readers_waiting_;
    sync::WaitQueue writers_waiting_;
};

/// The awaiter of Pipe::until_ready(): a waiter node in the waiting coroutine's frame.
class [[nodiscard]] PipeWait : public sync::Waiter {
public:
    /// A wait on @p pipe for @p end, given up when @p cancelled is set.
    PipeWait(Pipe& pipe, PipeEnd end, const std::atomic<std::uint32_t>& cancelled)
        : pipe_(pipe), end_(end), cancelled_(cancelled) {}
    /// Always goes to await_suspend, which decides under the pipe's lock.
    bool await_ready() const noexcept { return false; }
    /// Joins the pipe's waiters and blocks, unless the pipe is ready already (then the
    /// coroutine goes on at once).
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) noexcept {
        return suspend(*h.promise().ccb, h);
    }
    /// Leaves the waiters if a wake other than the pipe's ended the wait.
    void await_resume() noexcept;

private:
    bool suspend(sched::Ccb& ccb, std::coroutine_handle<> h);

    Pipe& pipe_;
    PipeEnd end_;
    const std::atomic<std::uint32_t>& cancelled_;
};

inline PipeWait Pipe::until_ready(PipeEnd end, const std::atomic<std::uint32_t>& cancelled) {
    return PipeWait{*this, end, cancelled};
}

}  // namespace cops::io
