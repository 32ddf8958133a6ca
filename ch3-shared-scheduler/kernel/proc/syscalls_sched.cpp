/// @file syscalls_sched.cpp
/// @brief System calls of the shared scheduler: park, lower_ceiling, sched_info.
#include "cops/abi/syscall_numbers.hpp"
#include "cops/init/initcall.hpp"
#include "cops/proc/global_view.hpp"
#include "cops/proc/syscall.hpp"

namespace cops::proc {

namespace {
using abi::Errno;

std::int64_t sys_park(SyscallContext& c) {
    c.park_after = true;
    return 0;
}

// A process may make itself less urgent, never more: its ceiling only grows in number.
std::int64_t sys_lower_ceiling(SyscallContext& c) {
    Process& p = *c.thread.process;
    const std::uint64_t level = c.args[0];
    if (level >= sched::kPriorityLevels) {
        return abi::error_return(Errno::Invalid);
    }
    sync::LockGuard g(p.lock);
    if (level > p.ceiling.level) {
        p.ceiling = sched::Priority{static_cast<std::uint8_t>(level)};
    }
    return p.ceiling.level;
}

std::int64_t sys_sched_info(SyscallContext& c) {
    const Process& p = *c.thread.process;
    switch (c.args[0]) {
        case 0: return p.ceiling.level;
        case 1: return p.level.level;
        case 2: return static_cast<std::int64_t>(global_view_stats().folds);
        default: return abi::error_return(Errno::Invalid);
    }
}

void register_sched_calls() {
    using abi::Sys;
    register_syscall(Sys::Park, {"park", sys_park, nullptr});
    register_syscall(Sys::LowerCeiling, {"lower_ceiling", sys_lower_ceiling, nullptr});
    register_syscall(Sys::SchedInfo, {"sched_info", sys_sched_info, nullptr});
}
COPS_INITCALL(late, register_sched_calls);
}  // namespace

}  // namespace cops::proc
