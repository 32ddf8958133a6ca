/// @file preempt.cpp
/// @brief Acting on the preemption decision at the end of an interrupt.
///
/// The interrupted coroutine's registers are in the trap frame on this thread's
/// stack. Preempting it means leaving that stack as it is (the coroutine is now
/// running-suspended) and switching the hart to another stack. When some hart later
/// switches back, this function returns, the trap returns, and the coroutine goes on
/// exactly where it was interrupted.
#include <atomic>

#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/parked_waiter.hpp"
#include "cops/sched/preemption.hpp"
#include "cops/sched/running_suspended.hpp"
#include "cops/sched/switch.hpp"
#include "cops/sched/thread_pool.hpp"

namespace cops::sched {

namespace {
std::atomic<unsigned long> g_preemptions{0};
}  // namespace

unsigned long preemption_count() { return g_preemptions.load(std::memory_order_relaxed); }

void preempt_if_needed() {
    Executor& ex = kernel_executor();
    const Cid running = ex.current();
    if (!running) {
        return;  // the hart was between coroutines: its loop picks the best next anyway
    }
    const Result<Priority> mine = ex.priority(running);
    if (!mine) {
        return;
    }
    const std::optional<Priority> suspended = best_running_suspended();
    Thread* target = claim_finished_waiter();  // waiting plain code outranks all (parked_waiter.hpp)
    if (target == nullptr) {
        switch (preemption_decision(mine.value(), ex.best_ready(), suspended)) {
            case PreemptAction::Continue: return;
            case PreemptAction::RunReady: target = take_thread(); break;
            case PreemptAction::ResumeSuspended: target = take_running_suspended(*suspended); break;
        }
    }
    if (target == nullptr) {
        return;  // no free stack, or another hart took that thread first: try at the next interrupt
    }
    smp::Hart& h = smp::this_hart();
    Thread& me = *h.thread;
    me.coroutine = ex.preempt_current();
    me.priority = mine.value();
    ++h.stats.preemptions;
    g_preemptions.fetch_add(1, std::memory_order_relaxed);

    switch_to(*target, smp::AfterSwitch::Suspend);

    // Some hart (maybe another one) chose to continue us: the coroutine runs again.
    (void)ex.resume_preempted(me.coroutine);
    me.coroutine = Cid{};
    ++smp::this_hart().stats.resumed_threads;
}

}  // namespace cops::sched
