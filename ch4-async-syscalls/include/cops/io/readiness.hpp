/// @file readiness.hpp
/// @brief An event count that calls wait on when their readiness is kept elsewhere
/// (chapter 6's sockets, whose state lives in lwIP).
///
/// The sequence number goes up by one at every change that may let a waiting call go
/// on (data came, room was made, a connection arrived or ended). A call reads the
/// sequence *before* it tries, and if the try says kWouldBlock it waits until the
/// sequence moves on from what it read:
///
///     seen = r.sequence();              // 1. before the try
///     result = try_once();              // 2. kWouldBlock?
///     co_await r.changed_since(seen);   // 3. returns at once if something changed
///                                       //    after step 1: no wake-up is lost
#pragma once

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>

#include "cops/sched/ccb.hpp"
#include "cops/sync/spinlock.hpp"
#include "cops/sync/wait_queue.hpp"

namespace cops::io {

class ReadinessWait;

/// One event count with its waiters.
class Readiness {
public:
    Readiness() = default;
    Readiness(const Readiness&) = delete;
    Readiness& operator=(const Readiness&) = delete;

    /// The sequence now: read it before a try.
    std::uint32_t sequence() const { return sequence_.load(std::memory_order_acquire); }
    /// Moves the sequence on and wakes every waiter; returns how many woke. Takes only
    /// this object's lock (safe under any other spin lock, never in a waiter's way).
    unsigned signal();
    /// Awaitable: blocks the calling coroutine until the sequence differs from
    /// @p seen, or @p cancelled is set and the coroutine is woken.
    ReadinessWait changed_since(std::uint32_t seen, const std::atomic<std::uint32_t>& cancelled);
    /// Coroutines waiting now.
    std::size_t waiting() const;

private:
    friend class ReadinessWait;
    mutable sync::SpinLock lock_;
    std::atomic<std::uint32_t> sequence_{0};
    sync::WaitQueue waiters_;
};

/// The awaiter of Readiness::changed_since(): a waiter node in the waiting coroutine's frame.
class [[nodiscard]] ReadinessWait : public sync::Waiter {
public:
    /// A wait on @p r for a sequence other than @p seen, given up when @p cancelled is set.
    ReadinessWait(Readiness& r, std::uint32_t seen, const std::atomic<std::uint32_t>& cancelled)
        : readiness_(r), seen_(seen), cancelled_(cancelled) {}
    /// Always goes to await_suspend, which decides under the lock.
    bool await_ready() const noexcept { return false; }
    /// Joins the waiters and blocks, unless the sequence moved on (or the call was
    /// cancelled) already: then the coroutine goes on at once.
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) noexcept {
        return suspend(*h.promise().ccb, h);
    }
    /// Leaves the waiters if a wake other than signal() ended the wait.
    void await_resume() noexcept;

private:
    bool suspend(sched::Ccb& ccb, std::coroutine_handle<> h);
    Readiness& readiness_;
    std::uint32_t seen_;
    const std::atomic<std::uint32_t>& cancelled_;
};

inline ReadinessWait Readiness::changed_since(std::uint32_t seen, const std::atomic<std::uint32_t>& cancelled) {
    return ReadinessWait{*this, seen, cancelled};
}

}  // namespace cops::io
