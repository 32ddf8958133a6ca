/// @file syscall.hpp
/// @brief The system-call table that every layer extends.
///
/// A layer registers its calls at boot:
///
///     COPS_INITCALL(late, register_my_calls);   // which calls register_syscall(...)
///
/// A call is either immediate (runs to completion on the trap path and returns the
/// a0 value) or blocking (a coroutine the thread's kernel coroutine awaits, so only
/// that thread waits). The numbers are in cops/abi/syscall_numbers.hpp.
#pragma once

#include <array>
#include <cstdint>

#include "cops/abi/syscall_numbers.hpp"
#include "cops/arch/trap_frame.hpp"
#include "cops/sched/task.hpp"

namespace cops::proc {

struct UserThread;

/// The six argument registers a0..a5 of a call.
using SyscallArgs = std::array<std::uint64_t, 6>;

/// What an immediate call sees.
struct SyscallContext {
    UserThread& thread;        ///< the calling thread
    const SyscallArgs& args;   ///< its arguments
    bool yield_after = false;  ///< set by the call: give the CPU away before returning to user
    bool park_after = false;   ///< set by the call: wait for ready work before returning (global_view.hpp)
    /// Set by the call: it continues elsewhere (ch4: a kernel coroutine) and will finish
    /// with finish_call(); the thread blocks until then and returns that result.
    bool wait_for_call = false;
    /// Set by the call: it made kernel work ready (ch4: a call that was waiting on a
    /// pipe); the thread's coroutine yields once, so that work runs on this hart before
    /// the thread returns to user mode (without giving the CPU back to the switcher).
    bool kernel_work_first = false;
    /// Set by the call: it could not finish yet and should be run again from the
    /// start once the thread has given its CPU away and got one back (ch6's KTUT
    /// model: a kernel thread that retries its call, yielding between tries).
    bool retry_after_yield = false;
    /// Set by the call: it goes on in this coroutine, which the calling thread's own
    /// coroutine awaits (ch6's sleeping-kernel-thread model: the thread itself waits,
    /// as a kernel thread would on its own stack); its result is the call's.
    sched::Task<std::int64_t> then{};
};

/// An immediate call: returns the a0 value (>= 0, or abi::error_return()).
using ImmediateSyscall = std::int64_t (*)(SyscallContext& call);
/// A blocking call: a coroutine whose result is the a0 value.
using BlockingSyscall = sched::Task<std::int64_t> (*)(UserThread& thread, SyscallArgs args);

/// One row of the table. Exactly one of the handlers is set.
struct SyscallEntry {
    const char* name = nullptr;            ///< for traces and errors
    ImmediateSyscall immediate = nullptr;  ///< the handler, if immediate
    BlockingSyscall blocking = nullptr;    ///< the handler, if blocking
};

/// A decoded call: the row to run (nullptr: no such call) and its arguments.
struct SyscallRequest {
    const SyscallEntry* entry = nullptr;  ///< the handler row, or nullptr for an unknown number
    std::uint64_t number = 0;             ///< the number the program asked for (a7)
    SyscallArgs args{};                   ///< a0..a5
};

/// Installs @p entry as call @p number (replacing any earlier one).
void register_syscall(abi::Sys number, SyscallEntry entry);
/// The row for @p number, or nullptr.
const SyscallEntry* syscall_entry(std::uint64_t number);

/// Reads the call out of a thread's saved registers after an `ecall`: moves sepc
/// past the ecall (so the thread continues after it), looks a7 up, copies a0..a5.
SyscallRequest decode_syscall(arch::TrapFrame& user);
/// Stores @p result as the call's return value (a0).
void complete_syscall(arch::TrapFrame& user, std::int64_t result);

/// Finishes the call that @p thread waits for (SyscallContext::wait_for_call) with
/// @p result and wakes the thread. Safe from any hart.
void finish_call(UserThread& thread, std::int64_t result);

/// System calls handled so far (all threads).
std::uint64_t syscall_count();

}  // namespace cops::proc
