/// @file wait_queue.hpp
/// @brief The waiters of a blocking primitive: nodes that live in the waiting coroutines' frames.
#pragma once

#include "cops/lib/intrusive_list.hpp"
#include "cops/sched/ccb.hpp"
#include "cops/sched/executor.hpp"

namespace cops::sync {

/// Tag of the wait-queue hook.
struct WaitQueueTag {};

/// One coroutine waiting on a primitive. `granted` is set, under the primitive's lock,
/// by whoever hands it what it waits for; anything else that wakes it (a stray
/// wake(cid)) finds `granted` false and the coroutine blocks again.
struct Waiter : lib::ListHook<WaitQueueTag> {
    sched::Ccb* ccb = nullptr;  ///< the waiting coroutine
    bool granted = false;       ///< it got what it waited for
};

/// FIFO of waiters.
using WaitQueue = lib::IntrusiveList<Waiter, WaitQueueTag>;

/// Who to wake, copied out of a Waiter under the lock (the Waiter may vanish as soon
/// as its coroutine runs again).
struct WakeTarget {
    sched::Cid cid{};                     ///< the coroutine
    sched::Executor* executor = nullptr;  ///< its executor, or nullptr: nobody to wake

    /// Copies the target of @p w and marks it granted (call with the lock held).
    static WakeTarget grant(Waiter& w) {
        w.granted = true;
        return {w.ccb->cid, w.ccb->owner};
    }
    /// Wakes it (call without the lock). A coroutine that finished meanwhile is no error.
    void operator()() const {
        if (executor != nullptr) {
            (void)executor->wake(cid);
        }
    }
};

}  // namespace cops::sync
