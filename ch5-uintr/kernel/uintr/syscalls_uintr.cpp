/// @file syscalls_uintr.cpp
/// @brief Chapter 5's system calls (uintr_abi.hpp): receivers, senders, send, wait,
/// completions by user interrupt, info.
#include "cops/init/initcall.hpp"
#include "cops/proc/syscall.hpp"
#include "cops/uintr/emulate.hpp"
#include "cops/uintr/process_uintr.hpp"

namespace cops::uintr {

namespace u = abi::uintr;
using proc::SyscallContext;

namespace {
proc::Process& caller(SyscallContext& c) { return *c.thread.process; }

std::int64_t sys_register_receiver(SyscallContext& c) { return register_receiver(c.thread); }

std::int64_t sys_allow_sender(SyscallContext& c) { return allow_sender(caller(c), c.args[0], c.args[1]); }

std::int64_t sys_register_sender(SyscallContext& c) { return register_sender(caller(c), c.args[0], c.args[1]); }

std::int64_t sys_send(SyscallContext& c) { return send(caller(c), c.args[0]); }

/// wait(): 0 once USIP is raised; the thread blocks until then (a sender ends the
/// wait with finish_call(), the ending hook with EINTR).
std::int64_t sys_wait(SyscallContext& c) {
    proc::ProcessUintr& s = *caller(c).uintr;
    const unsigned i = c.thread.index;
    const u::Slot& slot = s.slots[i];
    const auto raised = [&] { return (slot.uip.load(std::memory_order_seq_cst) & u::kUsi) != 0; };
    if (raised()) {
        return 0;
    }
    s.waiting[i].store(1, std::memory_order_seq_cst);  // then look again: a send in between is seen
    if (raised() || caller(c).ending.load(std::memory_order_acquire) != 0) {
        if (s.waiting[i].exchange(0, std::memory_order_acq_rel)) {
            return 0;  // nobody ended the wait: return at once
        }
        // a sender (or the ending hook) took the flag and calls finish_call(): wait for it
    }
    c.wait_for_call = true;
    return 0;
}

std::int64_t sys_use_for_completions(SyscallContext& c) {
    return use_for_completions(c.thread, static_cast<std::int64_t>(c.args[0]));
}

std::int64_t sys_info(SyscallContext& c) {
    proc::ProcessUintr& s = *caller(c).uintr;
    switch (c.args[0]) {
        case 0: return backend() == Backend::Native ? 1 : 0;
        case 1: return c.thread.index;
        case 2: return static_cast<std::int64_t>(s.emulated.load());
        case 3: return static_cast<std::int64_t>(s.delivered.load());
        case 4: return live_receivers();
        case 5: return live_senders(caller(c));
        default: return abi::error_return(abi::Errno::Invalid);
    }
}

void register_uintr_calls() {
    using proc::register_syscall;
    register_syscall(u::kSysRegisterReceiver, {"uintr_register_receiver", sys_register_receiver, nullptr});
    register_syscall(u::kSysAllowSender, {"uintr_allow_sender", sys_allow_sender, nullptr});
    register_syscall(u::kSysRegisterSender, {"uintr_register_sender", sys_register_sender, nullptr});
    register_syscall(u::kSysUipiSend, {"uipi_send", sys_send, nullptr});
    register_syscall(u::kSysUintrWait, {"uintr_wait", sys_wait, nullptr});
    register_syscall(u::kSysUseForCompletions, {"uintr_use_for_completions", sys_use_for_completions, nullptr});
    register_syscall(u::kSysUintrInfo, {"uintr_info", sys_info, nullptr});
}
COPS_INITCALL(late, register_uintr_calls);
}  // namespace

}  // namespace cops::uintr
