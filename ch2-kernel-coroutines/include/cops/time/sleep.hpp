/// @file sleep.hpp
/// @brief `co_await sleep_for(ticks)`: block a coroutine until the tick that ends its sleep.
///
/// The awaiter itself is the timer-queue node (it lives in the coroutine's frame for
/// as long as the coroutine sleeps), so sleeping allocates nothing.
#pragma once

#include <coroutine>
#include <cstdint>

#include "cops/lib/intrusive_list.hpp"
#include "cops/sched/ccb.hpp"

namespace cops::time {

/// Tag of the timer-queue hook.
struct SleepQueueTag {};

/// The awaiter of sleep_for(): a node in the timer queue.
class [[nodiscard]] SleepAwaiter : public lib::ListHook<SleepQueueTag> {
public:
    /// Sleeps for @p ticks kernel ticks (0: returns at once).
    explicit SleepAwaiter(std::uint64_t ticks) : ticks_(ticks) {}
    /// Ready at once for zero ticks.
    bool await_ready() const noexcept { return ticks_ == 0; }
    /// Joins the timer queue and blocks.
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) noexcept {
        sched::Ccb* ccb = h.promise().ccb;
        ccb->resume_point = h;
        ccb->request = sched::Suspension::Block;
        enqueue(*ccb);
    }
    /// True if the sleep ran its full time; false if someone woke the coroutine early
    /// (it has then left the queue).
    bool await_resume() noexcept { return finish(); }

    /// When the sleep ends, in kernel ticks since boot.
    std::uint64_t deadline() const { return deadline_; }
    /// The sleeping coroutine.
    sched::Cid cid() const { return cid_; }

private:
    friend void expire_sleepers(std::uint64_t now_ticks);
    void enqueue(sched::Ccb& ccb);
    bool finish();

    std::uint64_t ticks_;
    std::uint64_t deadline_ = 0;
    sched::Cid cid_{};
    sched::Executor* executor_ = nullptr;
    bool expired_ = false;
};

/// `co_await sleep_for(n)` blocks the calling coroutine for @p ticks kernel ticks.
inline SleepAwaiter sleep_for(std::uint64_t ticks) { return SleepAwaiter{ticks}; }

/// Wakes every sleeper whose deadline is at or before @p now_ticks (the timer interrupt).
void expire_sleepers(std::uint64_t now_ticks);
/// Coroutines asleep now.
unsigned sleeper_count();

}  // namespace cops::time
