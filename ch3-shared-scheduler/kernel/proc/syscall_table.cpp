/// @file syscall_table.cpp
/// @brief The table of system calls, and decoding a call from the saved registers.
#include <atomic>

#include "cops/proc/syscall.hpp"

namespace cops::proc {

namespace {
SyscallEntry g_table[abi::kMaxSyscalls];
std::atomic<std::uint64_t> g_calls{0};
constexpr unsigned kA0 = 10;  // x10..x15 are a0..a5
constexpr unsigned kA7 = 17;
constexpr std::uint64_t kEcallBytes = 4;
}  // namespace

void register_syscall(abi::Sys number, SyscallEntry entry) { g_table[static_cast<std::uint32_t>(number)] = entry; }

const SyscallEntry* syscall_entry(std::uint64_t number) {
    if (number >= abi::kMaxSyscalls || g_table[number].name == nullptr) {
        return nullptr;
    }
    return &g_table[number];
}

SyscallRequest decode_syscall(arch::TrapFrame& user) {
    g_calls.fetch_add(1, std::memory_order_relaxed);
    SyscallRequest r;
    // LAB(ch3): decoding a system call
    // The number is in a7 and the arguments in a0..a5 of the saved user registers.
    // An unknown or out-of-range number gives a request with no entry (the caller
    // then returns ENOSYS; the number comes from the user, so never index the table
    // with it unchecked). The thread must continue after its `ecall`, which is 4
    // bytes long: sepc points at it now.
    r.number = user.regs[kA7];
    r.entry = syscall_entry(r.number);
    for (unsigned i = 0; i < r.args.size(); ++i) {
        r.args[i] = user.regs[kA0 + i];
    }
    user.sepc += kEcallBytes;
    // LAB-STUB: (void)user; (void)kA0; (void)kA7; (void)kEcallBytes;
    // END-LAB
    return r;
}

void complete_syscall(arch::TrapFrame& user, std::int64_t result) {
    // LAB(ch3): returning a system call's result
    user.regs[kA0] = static_cast<std::uint64_t>(result);
    // LAB-STUB: (void)user; (void)result;
    // END-LAB
}

std::uint64_t syscall_count() { return g_calls.load(std::memory_order_relaxed); }

}  // namespace cops::proc
