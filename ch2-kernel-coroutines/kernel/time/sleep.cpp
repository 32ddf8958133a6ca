/// @file sleep.cpp
/// @brief The timer queue: sleepers sorted by deadline, woken by the tick.
#include "cops/time/sleep.hpp"

#include "cops/dev/timer.hpp"
#include "cops/sched/executor.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::time {

namespace {
using SleepQueue = lib::IntrusiveList<SleepAwaiter, SleepQueueTag>;
SleepQueue g_queue;  // sorted by deadline, earliest first
sync::SpinLock g_lock;

/// Inserts @p node keeping the queue sorted (FIFO among equal deadlines). O(n): a
/// teaching kit's queue is short; a timer wheel would make it O(1).
void insert_sorted(SleepAwaiter& node) {
    SleepQueue merged;
    bool placed = false;
    while (SleepAwaiter* s = g_queue.pop_front()) {
        if (!placed && s->deadline() > node.deadline()) {
            merged.push_back(node);
            placed = true;
        }
        merged.push_back(*s);
    }
    if (!placed) {
        merged.push_back(node);
    }
    while (SleepAwaiter* s = merged.pop_front()) {
        g_queue.push_back(*s);
    }
}
}  // namespace

void SleepAwaiter::enqueue(sched::Ccb& ccb) {
    cid_ = ccb.cid;
    executor_ = ccb.owner;
    const std::uint64_t now = dev::timer::now_ticks();
    deadline_ = ticks_ > ~now ? ~std::uint64_t{0} : now + ticks_;  // saturates: a huge sleep never wraps into the past
    sync::LockGuard guard(g_lock);
    insert_sorted(*this);
}

bool SleepAwaiter::finish() {
    if (ticks_ == 0) {
        return true;  // never slept
    }
    sync::LockGuard guard(g_lock);
    if (linked) {
        g_queue.remove(*this);  // woken early by someone else: leave no dangling node
        return false;
    }
    return expired_;
}

void expire_sleepers(std::uint64_t now_ticks) {
    // Collect under the lock, wake after it: a wake may run hooks that send IPIs.
    constexpr unsigned kBatch = 32;
    sched::Cid cids[kBatch];
    sched::Executor* executors[kBatch];
    for (;;) {
        unsigned n = 0;
        {
            sync::LockGuard guard(g_lock);
            // LAB(ch2): wake the sleepers whose time has come
            // The queue is sorted: take nodes from the front while their deadline has
            // passed. Mark each expired and remember (cid, executor) to wake after the
            // lock is dropped. The node may vanish as soon as its coroutine runs, so
            // copy what you need before waking.
            while (n < kBatch) {
                SleepAwaiter* s = g_queue.front();
                if (s == nullptr || s->deadline_ > now_ticks) {
                    break;
                }
                g_queue.pop_front();
                s->expired_ = true;
                cids[n] = s->cid_;
                executors[n] = s->executor_;
                ++n;
            }
            // LAB-STUB: (void)now_ticks;
            // END-LAB
        }
        for (unsigned i = 0; i < n; ++i) {
            (void)executors[i]->wake(cids[i]);  // Finished is fine: it was destroyed meanwhile
        }
        if (n < kBatch) {
            return;
        }
    }
}

unsigned sleeper_count() {
    sync::LockGuard guard(g_lock);
    return static_cast<unsigned>(g_queue.size());
}

}  // namespace cops::time
