/// @file semaphore.cpp
/// @brief The counting semaphore; the mutex and the channel are built on it.
#include "cops/sync/semaphore.hpp"

#include "cops/sched/suspend.hpp"
#include "cops/sched/this_coroutine.hpp"

namespace cops::sync {

sched::Task<void> Semaphore::acquire() {
    Waiter me;
    me.ccb = co_await sched::this_coroutine();
    // LAB(ch2): acquire, or wait for a release to hand us a unit
    // With a unit available, take it and return. Otherwise join the FIFO of waiters
    // and block until release() grants us one. A coroutine can be woken for other
    // reasons (any code may call wake(cid)), so block again until `granted` is set.
    lock_.lock();
    if (count_ > 0) {
        --count_;
        lock_.unlock();
        co_return;
    }
    waiters_.push_back(me);
    lock_.unlock();
    for (;;) {
        co_await sched::block();
        lock_.lock();
        const bool granted = me.granted;
        lock_.unlock();
        if (granted) {
            break;
        }
    }
    // LAB-STUB: co_return;
    // END-LAB
}

sched::Task<bool> Semaphore::acquire_unless(const std::atomic<std::uint32_t>& cancel) {
    // Written like acquire(): the lock is taken and dropped by hand, and never held at a
    // co_return (GCC 12 mishandles a scope guard that a co_return leaves).
    Waiter me;
    me.ccb = co_await sched::this_coroutine();
    lock_.lock();
    if (count_ > 0) {
        --count_;
        lock_.unlock();
        co_return true;
    }
    if (cancel.load(std::memory_order_acquire) != 0) {
        lock_.unlock();
        co_return false;
    }
    waiters_.push_back(me);
    lock_.unlock();
    bool granted = false;
    for (;;) {
        co_await sched::block();
        lock_.lock();
        granted = me.granted;
        const bool give_up = !granted && cancel.load(std::memory_order_acquire) != 0;
        if (give_up) {
            waiters_.remove(me);  // its node lives in this frame: it must not stay queued
        }
        lock_.unlock();
        if (granted || give_up) {
            break;
        }
    }
    co_return granted;
}

bool Semaphore::try_acquire() {
    LockGuard guard(lock_);
    if (count_ == 0) {
        return false;
    }
    --count_;
    return true;
}

void Semaphore::release(std::uint32_t n) {
    for (std::uint32_t i = 0; i < n; ++i) {
        WakeTarget target;
        {
            LockGuard guard(lock_);
            if (Waiter* w = waiters_.pop_front()) {
                target = WakeTarget::grant(*w);  // hand the unit over directly
            } else {
                ++count_;
            }
        }
        target();  // outside the lock: a wake runs the executor's hooks
    }
}

std::uint32_t Semaphore::available() const {
    LockGuard guard(lock_);
    return count_;
}

std::size_t Semaphore::waiting() const {
    LockGuard guard(lock_);
    return waiters_.size();
}

}  // namespace cops::sync
