/// @file scheduler_loop.cpp
/// @brief Each hart's loop over the kernel executor, thread switches, idling.
#include <atomic>

#include "cops/arch/csr.hpp"
#include "cops/arch/irq.hpp"
#include "cops/lib/panic.hpp"
#include "cops/lib/verify.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/parked_waiter.hpp"
#include "cops/sched/running_suspended.hpp"
#include "cops/sched/switch.hpp"
#include "cops/sched/thread_pool.hpp"
#include "cops/smp/ipi.hpp"

namespace cops::sched {

namespace {

/// A thread more deserving than a fresh pick: the waiting plain code whose condition
/// holds (run_until.cpp), or a running-suspended coroutine at least as urgent as every
/// ready one.
Thread* thread_to_continue(Executor& ex) {
    if (Thread* t = claim_finished_waiter()) {
        return t;
    }
    if (running_suspended_count() == 0) {
        return nullptr;
    }
    return take_running_suspended(ex.best_ready().value_or(Priority::lowest()));
}

bool has_work(Executor& ex) {
    if (ex.best_ready() || running_suspended_count() != 0) {
        return true;
    }
    return waiter_may_be_done();
}

/// Sleeps in `wfi` until an interrupt, unless there is work. Interrupts stay off until
/// the wfi, so a wake-up that arrives after the check still ends the wait (a pending
/// interrupt makes wfi return even with interrupts off).
void idle(Executor& ex) {
    arch::irq_disable();
    smp::set_idle(true);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (!has_work(ex)) {
        ++smp::this_hart().stats.idle_waits;
        arch::wait_for_interrupt();
    }
    smp::set_idle(false);
    arch::irq_enable();  // the interrupt that woke us is taken here
}

}  // namespace

void switch_to(Thread& next, smp::AfterSwitch what) {
    smp::Hart& h = smp::this_hart();
    Thread* me = h.thread;
    // The preconditions switch.hpp states, checked (as xv6's sched() does).
    COPS_VERIFY(!arch::irq_enabled(),
                "switch_to: interrupts must be off (a tick now would preempt a half-made switch)");
    COPS_VERIFY(me != nullptr, "switch_to: this hart runs no thread");
    COPS_VERIFY(&next != me, "switch_to: switching to the thread that is running");
    COPS_VERIFY(h.switched_from == nullptr, "switch_to: the previous switch was not finished (finish_switch)");
    h.switched_from = me;
    h.after_switch = what;
    h.thread = &next;
    switch_context(&me->context, &next.context);
    finish_switch();
}

void finish_switch() {
    smp::Hart& h = smp::this_hart();
    Thread* old = h.switched_from;
    const smp::AfterSwitch what = h.after_switch;
    h.switched_from = nullptr;
    h.after_switch = smp::AfterSwitch::Nothing;
    if (old == nullptr) {
        return;
    }
    switch (what) {
        case smp::AfterSwitch::Nothing: break;
        case smp::AfterSwitch::Release: give_back(*old); break;
        case smp::AfterSwitch::Suspend:
            add_running_suspended(*old);
            smp::kick_for(old->priority);  // an idle hart may continue it at once
            break;
        case smp::AfterSwitch::Park: park_waiter(*old); break;
    }
}

void hart_loop() {
    Executor& ex = kernel_executor();
    for (;;) {
        if (!smp::hart_active(smp::this_hart().index)) {
            arch::irq_disable();
            arch::wait_for_interrupt();  // parked: wake for interrupts only, run nothing
            arch::irq_enable();
            continue;
        }
        arch::irq_disable();
        if (Thread* t = thread_to_continue(ex)) {
            switch_to(*t, smp::AfterSwitch::Release);  // this thread is done with
        }
        arch::irq_enable();
        if (ex.run_once()) {
            ++smp::this_hart().stats.coroutines_run;
            continue;
        }
        idle(ex);
    }
}

void enter_scheduler() {
    arch::irq_disable();
    Thread* t = take_thread();
    if (t == nullptr) {
        panic("hart {}: no free kernel stack to run the executor loop on", smp::this_hart().index);
    }
    smp::this_hart().online.store(true, std::memory_order_release);
    switch_to(*t, smp::AfterSwitch::Nothing);
    panic("enter_scheduler: the boot stack of hart {} was continued", smp::this_hart().index);
}

}  // namespace cops::sched

/// A fresh pool thread starts here (see thread_start in switch_context.S).
extern "C" [[noreturn]] void thread_main() {
    cops::sched::finish_switch();
    cops::sched::hart_loop();
}
