/// @file syscalls_io.cpp
/// @brief write and read on the console (fd 0 in, fds 1 and 2 out).
#include "cops/dev/uart.hpp"
#include "cops/init/initcall.hpp"
#include "cops/lib/console.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/syscall.hpp"
#include "cops/proc/syscall_errors.hpp"

namespace cops::proc {

namespace {
using abi::Errno;
constexpr std::size_t kChunk = 128;

std::int64_t sys_write(SyscallContext& c) {
    const std::uint64_t fd = c.args[0];
    const std::uint64_t buf = c.args[1];
    const std::uint64_t len = c.args[2];
    if (fd != 1 && fd != 2) {
        return abi::error_return(Errno::BadFd);
    }
    const mm::AddressSpace& space = c.thread.process->space;
    // All or nothing: a bad buffer writes no byte.
    if (!mm::user_range_allowed(space, buf, len, mm::PteFlag::Read)) {
        return abi::error_return(Errno::Fault);
    }
    char chunk[kChunk];
    for (std::uint64_t done = 0; done < len;) {
        const std::size_t n = len - done < kChunk ? len - done : kChunk;
        if (!mm::copy_in(space, chunk, buf + done, n)) {
            return abi::error_return(Errno::Fault);
        }
        console::write({chunk, n});
        done += n;
    }
    return static_cast<std::int64_t>(len);
}

/// Reads up to len bytes of one line (the newline included) from the console.
sched::Task<std::int64_t> sys_read(UserThread& t, SyscallArgs a) {
    const std::uint64_t fd = a[0];
    const std::uint64_t buf = a[1];
    const std::uint64_t len = a[2];
    dev::Uart* uart = dev::console_uart();
    if (fd != 0 || uart == nullptr) {
        co_return abi::error_return(Errno::BadFd);
    }
    const mm::AddressSpace& space = t.process->space;
    if (!mm::user_range_allowed(space, buf, len, mm::PteFlag::Write)) {
        co_return abi::error_return(Errno::Fault);
    }
    std::uint64_t n = 0;
    while (n < len) {
        const char ch = co_await uart->read();
        if (!mm::copy_out(space, buf + n, &ch, 1)) {
            co_return abi::error_return(Errno::Fault);
        }
        ++n;
        if (ch == '\n' || ch == '\r' || ch == 0x04) {
            break;
        }
    }
    co_return static_cast<std::int64_t>(n);
}

void register_io_calls() {
    register_syscall(abi::Sys::Write, {"write", sys_write, nullptr});
    register_syscall(abi::Sys::Read, {"read", nullptr, sys_read});
}
COPS_INITCALL(late, register_io_calls);
}  // namespace

}  // namespace cops::proc
