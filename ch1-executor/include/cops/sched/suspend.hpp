/// @file suspend.hpp
/// @brief The two ways a coroutine gives up its hart: `co_await yield()` and `co_await block()`.
///
/// Neither touches a queue. Each records in the control block what the coroutine
/// wants and where to resume it, then suspends; the executor, once resume() has
/// returned, acts on the request. So a coroutine is never queued while it is still
/// executing, which is what makes waking from another hart or an interrupt safe.
#pragma once

#include <coroutine>

#include "cops/sched/ccb.hpp"

namespace cops::sched {

/// Awaitable that suspends the running coroutine with a request to the executor.
class SuspendRequest {
public:
    /// An awaitable asking for @p what.
    explicit constexpr SuspendRequest(Suspension what) : what_(what) {}
    /// Always suspends.
    bool await_ready() const noexcept { return false; }
    /// Records the request and the resume point in the control block.
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) const noexcept {
        Ccb* ccb = h.promise().ccb;
        ccb->resume_point = h;
        ccb->request = what_;
    }
    /// Nothing to return.
    void await_resume() const noexcept {}

private:
    Suspension what_;
};

/// `co_await yield()`: go to the back of my ready queue; run again when my turn comes.
constexpr SuspendRequest yield() { return SuspendRequest{Suspension::Yield}; }

/// `co_await block()`: park me until someone calls wake(my cid). If a wake already
/// arrived while I was running, I do not park: the executor resumes me at once.
constexpr SuspendRequest block() { return SuspendRequest{Suspension::Block}; }

}  // namespace cops::sched
