/// @file syscalls_process.cpp
/// @brief System calls about processes, threads and time.
#include "cops/arch/csr.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/init/initcall.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/syscall.hpp"
#include "cops/proc/syscall_errors.hpp"
#include "cops/sched/suspend.hpp"
#include "cops/smp/hart.hpp"
#include "cops/time/sleep.hpp"

namespace cops::proc {

namespace {
using abi::Errno;

std::int64_t sys_exit(SyscallContext& c) {
    // Statuses are 0..255 as on POSIX; negative ones are the kernel's (killed, fault).
    (void)c.thread.process->end(static_cast<std::int64_t>(c.args[0] & 0xff));
    return 0;
}

std::int64_t sys_getpid(SyscallContext& c) { return c.thread.process->pid.value; }

std::int64_t sys_yield(SyscallContext& c) {
    c.yield_after = true;
    return 0;
}

std::int64_t sys_hart_id(SyscallContext&) { return smp::this_hart().index; }

std::int64_t sys_get_time(SyscallContext&) {
    const std::uint64_t t = arch::read_time();
    const std::uint64_t hz = boot::info().timebase_hz;
    return static_cast<std::int64_t>(t / hz * 1'000'000'000 + t % hz * 1'000'000'000 / hz);
}

std::int64_t sys_kill(SyscallContext& c) {
    const auto pid = static_cast<std::int64_t>(c.args[0]);
    if (pid <= 0 || pid > UINT32_MAX) {
        return abi::error_return(Errno::NoProcess);
    }
    const Status s = kill_as(*c.thread.process, Pid{static_cast<std::uint32_t>(pid)});
    if (!s) {
        return abi::error_return(s.error() == Error::BadState ? Errno::NotPermitted : Errno::NoProcess);
    }
    return 0;
}

std::int64_t sys_spawn(SyscallContext& c) {
    Process& p = *c.thread.process;
    char line[kMaxCommandLine];
    const auto len = mm::copy_in_string(p.space, line, sizeof line, c.args[0]);
    if (!len) {
        return abi::error_return(len.error() == Error::Malformed ? Errno::TooBig : Errno::Fault);
    }
    const auto pid = spawn({line, len.value()}, &p, p.ceiling);
    if (!pid) {
        return error_return(pid.error());
    }
    return pid.value().value;
}

sched::Task<std::int64_t> sys_wait(UserThread& t, SyscallArgs a) {
    Process& p = *t.process;
    const auto which = static_cast<std::int64_t>(a[0]);
    const std::uint64_t status_at = a[1];
    // Check the status pointer before reaping: a bad one must not lose a child's status.
    if (status_at != 0 && !mm::user_range_allowed(p.space, status_at, sizeof(std::int64_t), mm::PteFlag::Write)) {
        co_return abi::error_return(Errno::Fault);
    }
    if (which > UINT32_MAX || which < -1 || which == 0) {
        co_return abi::error_return(Errno::Invalid);
    }
    const Pid target = which == -1 ? Pid{} : Pid{static_cast<std::uint32_t>(which)};
    for (;;) {
        Pid reaped{};
        const auto status = try_reap_child(p, target, &reaped);
        if (status) {
            if (status_at != 0) {
                (void)mm::copy_out(p.space, status_at, &status.value(), sizeof status.value());
            }
            co_return reaped.value;
        }
        if (status.error() != Error::Busy) {
            co_return abi::error_return(Errno::NoChild);
        }
        if (p.ending.load(std::memory_order_acquire) != 0) {
            co_return abi::error_return(Errno::Again);  // the process is ending: stop waiting
        }
        (void)co_await p.child_ended.acquire_unless(p.ending);  // a kill or exit ends the wait (checked above)
    }
}

std::int64_t sys_thread_create(SyscallContext& c) {
    if (!mm::in_user_range(c.args[0], 4)) {
        return abi::error_return(Errno::Invalid);
    }
    const auto t = create_thread(*c.thread.process, c.args[0], c.args[1], c.args[2]);
    if (!t) {
        return error_return(t.error());
    }
    return t.value()->index + 1;
}

sched::Task<std::int64_t> sys_thread_join(UserThread& self, SyscallArgs a) {
    Process& p = *self.process;
    UserThread* target = nullptr;
    {
        sync::LockGuard g(p.lock);
        const std::uint64_t tid = a[0];
        if (tid >= 1 && tid <= kMaxThreads && p.threads[tid - 1] != nullptr && p.threads[tid - 1] != &self &&
            !p.threads[tid - 1]->joined) {
            target = p.threads[tid - 1];
            target->joined = true;
        }
    }
    if (target == nullptr) {
        co_return abi::error_return(Errno::NoProcess);  // no such thread, itself, or joined already
    }
    const bool ended = co_await target->done.acquire_unless(p.ending);  // (not inside the `if`: GCC 12)
    if (!ended) {
        co_return abi::error_return(Errno::Again);  // the process is ending: stop waiting
    }
    co_return target->exit_value;
}

std::int64_t sys_thread_exit(SyscallContext& c) {
    c.thread.exit_value = static_cast<std::int64_t>(c.args[0]);
    c.thread.leaving = true;
    return 0;
}

sched::Task<std::int64_t> sys_sleep(UserThread&, SyscallArgs a) {
    co_await time::sleep_for(a[0]);
    co_return 0;
}

void register_process_calls() {
    using abi::Sys;
    register_syscall(Sys::Exit, {"exit", sys_exit, nullptr});
    register_syscall(Sys::GetPid, {"getpid", sys_getpid, nullptr});
    register_syscall(Sys::Yield, {"yield", sys_yield, nullptr});
    register_syscall(Sys::HartId, {"hart_id", sys_hart_id, nullptr});
    register_syscall(Sys::GetTime, {"get_time", sys_get_time, nullptr});
    register_syscall(Sys::Kill, {"kill", sys_kill, nullptr});
    register_syscall(Sys::Spawn, {"spawn", sys_spawn, nullptr});
    register_syscall(Sys::Wait, {"wait", nullptr, sys_wait});
    register_syscall(Sys::ThreadCreate, {"thread_create", sys_thread_create, nullptr});
    register_syscall(Sys::ThreadJoin, {"thread_join", nullptr, sys_thread_join});
    register_syscall(Sys::ThreadExit, {"thread_exit", sys_thread_exit, nullptr});
    register_syscall(Sys::Sleep, {"sleep", nullptr, sys_sleep});
}
COPS_INITCALL(late, register_process_calls);
}  // namespace

}  // namespace cops::proc
