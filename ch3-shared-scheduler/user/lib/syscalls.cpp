/// @file syscalls.cpp
/// @brief ecall wrappers.
#include "cops/user/sys.hpp"

namespace cops::user {

long syscall(abi::Sys number, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2, std::uint64_t a3, std::uint64_t a4,
             std::uint64_t a5) {
    register std::uint64_t r0 asm("a0") = a0;
    register std::uint64_t r1 asm("a1") = a1;
    register std::uint64_t r2 asm("a2") = a2;
    register std::uint64_t r3 asm("a3") = a3;
    register std::uint64_t r4 asm("a4") = a4;
    register std::uint64_t r5 asm("a5") = a5;
    register std::uint64_t r7 asm("a7") = static_cast<std::uint64_t>(number);
    asm volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7) : "memory");
    return static_cast<long>(r0);
}

void exit(int status) {
    syscall(abi::Sys::Exit, static_cast<std::uint64_t>(status));
    for (;;) {}  // not reached: the kernel ends the process
}

long write(int fd, const void* buf, std::size_t len) {
    return syscall(abi::Sys::Write, static_cast<std::uint64_t>(fd), reinterpret_cast<std::uint64_t>(buf), len);
}

long read(int fd, void* buf, std::size_t len) {
    return syscall(abi::Sys::Read, static_cast<std::uint64_t>(fd), reinterpret_cast<std::uint64_t>(buf), len);
}

long yield() { return syscall(abi::Sys::Yield); }
long getpid() { return syscall(abi::Sys::GetPid); }
long spawn(const char* command_line) { return syscall(abi::Sys::Spawn, reinterpret_cast<std::uint64_t>(command_line)); }
long wait(long pid, long* status) {
    return syscall(abi::Sys::Wait, static_cast<std::uint64_t>(pid), reinterpret_cast<std::uint64_t>(status));
}
long kill(long pid) { return syscall(abi::Sys::Kill, static_cast<std::uint64_t>(pid)); }
long sleep(std::uint64_t ticks) { return syscall(abi::Sys::Sleep, ticks); }
long get_time() { return syscall(abi::Sys::GetTime); }
long hart_id() { return syscall(abi::Sys::HartId); }

}  // namespace cops::user
