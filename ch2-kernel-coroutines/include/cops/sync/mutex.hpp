/// @file mutex.hpp
/// @brief An async mutex: a coroutine that waits for it blocks, it does not spin.
///
///   co_await m.lock();
///   ... critical section, may co_await anything ...
///   m.unlock();
///
/// Unlike a spin lock it may be held across suspensions and preemption. Waiters get
/// the mutex in FIFO order (unlock hands it to the first).
#pragma once

#include "cops/lib/result.hpp"
#include "cops/sync/semaphore.hpp"

namespace cops::sync {

/// A mutex for coroutines.
class Mutex {
public:
    /// Takes the mutex, blocking the calling coroutine while another holds it.
    sched::Task<void> lock() { return units_.acquire(); }
    /// Takes the mutex if it is free now.
    bool try_lock() { return units_.try_acquire(); }
    /// Releases the mutex. Error: BadState if it was not locked.
    Status unlock();
    /// True while some coroutine holds it.
    bool locked() const { return units_.available() == 0; }

private:
    Semaphore units_{1};
    SpinLock unlock_lock_;
};

}  // namespace cops::sync
