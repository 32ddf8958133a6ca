/// @file user_thread.cpp
/// @brief The trap loop of a user thread.
#include "cops/proc/user_thread.hpp"

#include "cops/abi/syscall_numbers.hpp"
#include "cops/arch/csr.hpp"
#include "cops/arch/irq.hpp"
#include "cops/arch/trap.hpp"
#include "cops/lib/console.hpp"
#include "cops/mm/kernel_space.hpp"
#include "cops/proc/global_view.hpp"
#include "cops/proc/syscall.hpp"
#include "cops/proc/user_trap_hooks.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/preemption.hpp"
#include "cops/sched/running_suspended.hpp"
#include "cops/sched/suspend.hpp"
#include "cops/smp/hart.hpp"

namespace cops::proc {

namespace {
using arch::kSstatusFs;
using arch::kSstatusSie;
using arch::kSstatusSpie;
using arch::kSstatusSpp;
using arch::kSstatusSum;

/// Runs @p t in user mode until its next trap; interrupts are off on return.
void run_in_user(UserThread& t) {
    arch::irq_disable();
    // Return to user mode (SPP = 0) with interrupts on there (SPIE) and the FPU off
    // (FS = 0: user threads have no floating-point state; an FPU instruction traps).
    const std::uint64_t kernel_status = arch::sstatus.read();
    t.context.user.sstatus = (kernel_status & ~(kSstatusSpp | kSstatusSie | kSstatusSum | kSstatusFs)) | kSstatusSpie;
    mm::activate(t.process->space);
    const UserTrapHooks& hooks = user_trap_hooks();
    if (hooks.entering_user != nullptr) {
        hooks.entering_user(t, t.context.user);  // ch5: deliver a pending user interrupt
    }
    enter_user(&t.context);
    if (hooks.left_user != nullptr) {
        hooks.left_user(t);
    }
    arch::sstatus.set(kernel_status & kSstatusFs);  // the kernel's FPU state bits again
    mm::activate_kernel_space();
    ++t.user_traps;
}

/// After an interrupt from user mode: should the thread give its hart away?
bool should_yield(sched::Priority mine, bool tick) {
    const auto ready = sched::kernel_executor().best_ready();
    if (tick && ready && !mine.more_urgent_than(*ready)) {
        return true;  // time slice: equal priorities take turns at each tick
    }
    return sched::preemption_decision(mine, ready, sched::best_running_suspended()) != sched::PreemptAction::Continue;
}

/// Runs the interrupt handler for the cause in @p f (the same tables as kernel traps).
void handle_interrupt(arch::TrapFrame& f) {
    const std::uint64_t code = f.scause & ~arch::kScauseInterrupt;
    if (code < arch::kTrapCauses) {
        if (arch::TrapHandler h = arch::interrupt_handler(static_cast<arch::Interrupt>(code))) {
            h(f);
            return;
        }
    }
    console::println("user trap: no handler for {} (scause {:#x}); ignored", arch::cause_name(f.scause), f.scause);
}

void report_fault(const UserThread& t) {
    const arch::TrapFrame& f = t.context.user;
    console::println("process {} ({}) thread {}: {} at pc {:#x}, address {:#x}; the process is killed", t.process->pid,
                     t.process->name, t.index + 1, arch::cause_name(f.scause), f.sepc, f.stval);
}

}  // namespace

void finish_call(UserThread& t, std::int64_t result) {
    t.call_result = result;
    t.call_done.store(true, std::memory_order_release);
    (void)sched::kernel_executor().wake(t.cid);  // remembered if it has not blocked yet
}

sched::Task<void> run_user_thread(UserThread& t) {
    Process& p = *t.process;
    arch::TrapFrame& f = t.context.user;
    // The shared scheduler: a thread runs user code only once the switching coroutine
    // has given it a CPU, and goes back to wait whenever it gives the CPU away.
    co_await wait_for_cpu(t);
    while (!p.ending.load(std::memory_order_acquire) && !t.leaving) {
        run_in_user(t);
        const sched::Priority level = fold(t);  // at every trap: the process's summary into the view
        if (level != t.coroutine_level) {       // no executor lock unless the level moved
            t.coroutine_level = level;
            (void)sched::kernel_executor().set_priority(t.cid, level);
        }
        if ((f.scause & arch::kScauseInterrupt) != 0) {
            handle_interrupt(f);
            arch::irq_enable();
            const bool tick = (f.scause & ~arch::kScauseInterrupt) == static_cast<unsigned>(arch::Interrupt::Timer);
            if (should_yield(level, tick)) {
                co_await wait_for_cpu(t);
            }
            continue;
        }
        arch::irq_enable();
        if (const auto handled = user_trap_hooks().exception; handled != nullptr && handled(t, f)) {
            continue;  // a later layer's (ch5: an emulated instruction)
        }
        if (f.scause == static_cast<unsigned>(arch::Exception::UserEcall)) {
            const SyscallRequest call = decode_syscall(f);
            std::int64_t result = abi::error_return(abi::Errno::NoSys);
            if (call.entry != nullptr && call.entry->immediate != nullptr) {
                SyscallContext ctx{t, call.args};
                t.call_done.store(false, std::memory_order_relaxed);
                result = call.entry->immediate(ctx);
                while (ctx.retry_after_yield) {  // ch6's KTUT: try again after a turn of the others
                    ctx.retry_after_yield = false;
                    co_await wait_for_cpu(t);
                    result = abi::error_return(abi::Errno::Again);  // (never seen: the process ends)
                    if (!p.ending.load(std::memory_order_acquire)) {
                        result = call.entry->immediate(ctx);
                    }
                }
                const bool went_on = ctx.then.valid();
                if (went_on) {  // the call goes on in this thread's own coroutine
                    result = co_await ctx.then;
                }
                if (ctx.wait_for_call) {  // it finishes elsewhere (ch4): block until finish_call()
                    while (!t.call_done.load(std::memory_order_acquire)) {
                        co_await sched::block();  // a stray wake only loops
                    }
                    result = t.call_result;
                }
                complete_syscall(f, result);
                if (ctx.kernel_work_first) {
                    co_await sched::yield();  // the woken kernel coroutine runs, then this thread goes on
                }
                if (ctx.wait_for_call || went_on) {
                    co_await wait_for_cpu(t);  // it slept: back in line for a CPU
                } else if (ctx.park_after) {
                    co_await park(t);
                } else if (ctx.yield_after) {
                    co_await wait_for_cpu(t);
                }
                continue;
            }
            if (call.entry != nullptr) {
                auto task = call.entry->blocking(t, call.args);
                result = task.valid() ? co_await task : abi::error_return(abi::Errno::NoMemory);
                complete_syscall(f, result);
                co_await wait_for_cpu(t);  // it slept: back in line for a CPU
                continue;
            }
            complete_syscall(f, result);
            continue;
        }
        report_fault(t);
        (void)p.end(abi::kStatusFault);
    }
    thread_finished(t);
}

}  // namespace cops::proc
