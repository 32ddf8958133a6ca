/// @file semaphore.hpp
/// @brief A counting semaphore for coroutines: `co_await sem.acquire()`, `sem.release()`.
///
/// release() never blocks and may be called from an interrupt handler: that is how
/// drivers wake the coroutines waiting for their data (the UART's receive side).
/// A release with a waiter hands the unit straight to the first waiter (FIFO), so a
/// late-comer cannot overtake it.
#pragma once

#include <atomic>
#include <cstdint>

#include "cops/sched/task.hpp"
#include "cops/sync/spinlock.hpp"
#include "cops/sync/wait_queue.hpp"

namespace cops::sync {

/// A counting semaphore.
class Semaphore {
public:
    /// A semaphore holding @p initial units.
    explicit Semaphore(std::uint32_t initial = 0) : count_(initial) {}
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;

    /// Takes one unit, blocking the calling coroutine until one is available.
    sched::Task<void> acquire();
    /// Like acquire(), but gives up once @p cancel is non-zero and the coroutine is woken
    /// (whoever sets @p cancel wakes it: a process that ends, ch3). True if it took a unit;
    /// false if it gave up, and then it has left the waiters.
    sched::Task<bool> acquire_unless(const std::atomic<std::uint32_t>& cancel);
    /// Takes one unit if one is available now; never blocks.
    bool try_acquire();
    /// Adds @p n units, waking up to @p n waiters. Safe from interrupt handlers.
    void release(std::uint32_t n = 1);

    /// Units available now.
    std::uint32_t available() const;
    /// Coroutines waiting now.
    std::size_t waiting() const;

private:
    mutable SpinLock lock_;
    std::uint32_t count_;
    WaitQueue waiters_;
};

}  // namespace cops::sync
