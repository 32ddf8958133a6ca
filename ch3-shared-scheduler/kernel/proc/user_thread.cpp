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

/// At every trap: the process's summary goes into the global view, and the thread's
/// kernel coroutine follows the level it gives (no executor lock unless it moved).
sched::Priority follow_process_level(UserThread& t) {
    const sched::Priority level = fold(t);
    if (level != t.coroutine_level) {
        t.coroutine_level = level;
        (void)sched::kernel_executor().set_priority(t.cid, level);
    }
    return level;
}

/// Runs the handler of the interrupt in @p f (the same tables as kernel traps), turns
/// interrupts on, and says whether a thread at @p level should give its CPU away now.
bool serve_interrupt(arch::TrapFrame& f, sched::Priority level) {
    const std::uint64_t code = f.scause & ~arch::kScauseInterrupt;
    arch::TrapHandler h =
        code < arch::kTrapCauses ? arch::interrupt_handler(static_cast<arch::Interrupt>(code)) : nullptr;
    if (h != nullptr) {
        h(f);
    } else {
        console::println("user trap: no handler for {} (scause {:#x}); ignored", arch::cause_name(f.scause), f.scause);
    }
    arch::irq_enable();
    return should_yield(level, code == static_cast<unsigned>(arch::Interrupt::Timer));
}

/// True if an immediate call goes on after it returned: it retries (ch6's KTUT), goes
/// on in a coroutine (ch6), finishes elsewhere (ch4) or woke kernel work (ch4). The
/// rest of it then runs in finish_call_slowly(); every other call is done at once.
bool goes_on(const SyscallContext& ctx) {
    return ctx.retry_after_yield || ctx.then.valid() || ctx.wait_for_call || ctx.kernel_work_first;
}

/// The rest of an immediate call that goes on (@p result is what it returned): tries
/// again after a turn of the others (ch6's KTUT), awaits the call's own coroutine
/// (ch6), blocks until finish_call() (ch4), lets woken kernel work run, and gives the
/// CPU away or parks as the call asked. The result goes into the thread's registers.
sched::Task<void> finish_call_slowly(UserThread& t, const SyscallEntry& entry, SyscallContext& ctx,
                                     std::int64_t result) {
    Process& p = *t.process;
    while (ctx.retry_after_yield) {
        ctx.retry_after_yield = false;
        co_await wait_for_cpu(t);
        result = p.ending.load(std::memory_order_acquire) ? abi::error_return(abi::Errno::Again) : entry.immediate(ctx);
    }
    const bool went_on = ctx.then.valid();
    if (went_on) {
        result = co_await ctx.then;
    }
    if (ctx.wait_for_call) {
        while (!t.call_done.load(std::memory_order_acquire)) {
            co_await sched::block();  // a stray wake only loops
        }
        result = t.call_result;
    }
    complete_syscall(t.context.user, result);
    if (ctx.kernel_work_first) {
        co_await sched::yield();  // the woken kernel coroutine runs, then this thread goes on
    }
    if (went_on || ctx.wait_for_call || ctx.yield_after) {
        co_await wait_for_cpu(t);  // it slept, or gave the CPU away: back in line for a CPU
    } else if (ctx.park_after) {
        co_await park(t);
    }
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
        const sched::Priority level = follow_process_level(t);
        if ((f.scause & arch::kScauseInterrupt) != 0) {
            if (serve_interrupt(f, level)) {
                co_await wait_for_cpu(t);
            }
            continue;
        }
        arch::irq_enable();
        if (const auto handled = user_trap_hooks().exception; handled != nullptr && handled(t, f)) {
            continue;  // a later layer's (ch5: an emulated instruction)
        }
        if (f.scause != static_cast<unsigned>(arch::Exception::UserEcall)) {
            report_fault(t);
            (void)p.end(abi::kStatusFault);
            continue;
        }
        const SyscallRequest call = decode_syscall(f);
        if (call.entry == nullptr) {
            complete_syscall(f, abi::error_return(abi::Errno::NoSys));
            continue;
        }
        if (call.entry->immediate == nullptr) {  // a blocking call: a coroutine of its own
            auto task = call.entry->blocking(t, call.args);
            complete_syscall(f, task.valid() ? co_await task : abi::error_return(abi::Errno::NoMemory));
            co_await wait_for_cpu(t);  // it slept: back in line for a CPU
            continue;
        }
        SyscallContext ctx{t, call.args};
        t.call_done.store(false, std::memory_order_relaxed);
        const std::int64_t result = call.entry->immediate(ctx);
        if (goes_on(ctx)) {
            co_await finish_call_slowly(t, *call.entry, ctx, result);
            continue;
        }
        complete_syscall(f, result);  // done: getpid goes straight back to user mode
        if (ctx.yield_after) {
            co_await wait_for_cpu(t);  // yield: the CPU goes to the next thread in line
        } else if (ctx.park_after) {
            co_await park(t);
        }
    }
    thread_finished(t);
}

}  // namespace cops::proc
