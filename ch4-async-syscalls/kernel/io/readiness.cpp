/// @file readiness.cpp
/// @brief The event count's signal and its awaiter.
#include "cops/io/readiness.hpp"

namespace cops::io {

unsigned Readiness::signal() {
    // Waiters leave the queue as they are taken; one that waits again after its wake
    // reads the new sequence first, so it is not taken twice: take at most as many
    // as were there when the sequence moved.
    constexpr unsigned kBatch = 16;
    std::size_t left;
    {
        sync::LockGuard g(lock_);
        sequence_.fetch_add(1, std::memory_order_acq_rel);
        left = waiters_.size();
    }
    unsigned woken = 0;
    while (left > 0) {
        sync::WakeTarget batch[kBatch];
        unsigned n = 0;
        {
            sync::LockGuard g(lock_);
            while (n < kBatch && left > 0) {
                sync::Waiter* w = waiters_.pop_front();
                if (w == nullptr) {
                    left = 0;
                    break;
                }
                batch[n++] = sync::WakeTarget::grant(*w);
                --left;
            }
        }
        for (unsigned i = 0; i < n; ++i) {
            batch[i]();
        }
        woken += n;
    }
    return woken;
}

std::size_t Readiness::waiting() const {
    sync::LockGuard g(lock_);
    return waiters_.size();
}

bool ReadinessWait::suspend(sched::Ccb& ccb, std::coroutine_handle<> h) {
    // Decided under the lock that signal() takes to move the sequence: a change on
    // another hart lands either before this check (no wait) or after the node is
    // queued (it is woken).
    sync::LockGuard g(readiness_.lock_);
    if (readiness_.sequence_.load(std::memory_order_acquire) != seen_ ||
        cancelled_.load(std::memory_order_acquire) != 0) {
        return false;
    }
    this->ccb = &ccb;
    this->granted = false;
    ccb.resume_point = h;
    ccb.request = sched::Suspension::Block;
    readiness_.waiters_.push_back(*this);
    return true;
}

void ReadinessWait::await_resume() noexcept {
    sync::LockGuard g(readiness_.lock_);
    if (this->linked) {
        readiness_.waiters_.remove(*this);
    }
}

}  // namespace cops::io
