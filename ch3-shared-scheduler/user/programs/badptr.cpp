/// @file badptr.cpp
/// @brief Every system call that takes a pointer, given bad ones: each call must fail
/// with EFAULT (or the error named), and the process must live on to count. Exits
/// with the number of checks that failed.
#include <cstdint>
#include <string_view>

#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"

using namespace cops::user;
using cops::abi::Errno;
using cops::abi::Sys;

namespace {
unsigned g_failed = 0;
unsigned g_checked = 0;

void expect(std::string_view what, long got, Errno want) {
    ++g_checked;
    if (got != -static_cast<long>(want)) {
        ++g_failed;
        println("badptr: FAIL {}: returned {}, expected -{}", what, got, static_cast<long>(want));
    }
}

std::uint64_t page_ceil(std::uint64_t v) { return (v + 4095) & ~std::uint64_t{4095}; }
}  // namespace

int main(int, char** argv) {
    // Addresses no call may accept.
    const std::uint64_t null = 0;
    const std::uint64_t kernel = 0x8020'0000;            // the kernel image
    const std::uint64_t unmapped = 0x20'0000'0000;       // user space, never mapped
    const std::uint64_t wraps = ~std::uint64_t{0} - 15;  // + 32 bytes wraps around 2^64
    // The page above the main stack is unmapped: 4 bytes before it straddle the end.
    const std::uint64_t straddle = page_ceil(reinterpret_cast<std::uint64_t>(argv)) - 4;
    const std::uint64_t text = reinterpret_cast<std::uint64_t>(&main);  // mapped, not writable
    char good[16] = "0123456789abcde";
    const auto g = reinterpret_cast<std::uint64_t>(good);

    // The top of the stack holds argv's strings; make its last 4 bytes a string
    // without a NUL, so that a string read from there runs into the unmapped page.
    char* edge = reinterpret_cast<char*>(straddle);
    for (int i = 0; i < 4; ++i) {
        edge[i] = 'x';
    }

    const std::uint64_t bad[] = {null, kernel, unmapped, wraps, straddle};
    const char* names[] = {"null", "kernel", "unmapped", "wraps", "straddle"};
    char what[64];
    for (unsigned i = 0; i < 5; ++i) {
        expect(cops::lib::format_buffer(what, sizeof what, "write {}", names[i]), syscall(Sys::Write, 1, bad[i], 32),
               Errno::Fault);
        expect(cops::lib::format_buffer(what, sizeof what, "read {}", names[i]), syscall(Sys::Read, 0, bad[i], 32),
               Errno::Fault);
        expect(cops::lib::format_buffer(what, sizeof what, "spawn {}", names[i]), syscall(Sys::Spawn, bad[i]),
               Errno::Fault);
        if (bad[i] != null) {  // a null status pointer means "do not store"
            expect(cops::lib::format_buffer(what, sizeof what, "wait {}", names[i]),
                   syscall(Sys::Wait, static_cast<std::uint64_t>(-1), bad[i]), Errno::Fault);
        }
    }
    // Huge lengths from a good buffer.
    expect("write huge length", syscall(Sys::Write, 1, g, ~std::uint64_t{0}), Errno::Fault);
    expect("write 2^62 bytes", syscall(Sys::Write, 1, g, 1ULL << 62), Errno::Fault);
    expect("read huge length", syscall(Sys::Read, 0, g, ~std::uint64_t{0}), Errno::Fault);
    // Permissions: reading into code, waiting with a status pointer into code.
    expect("read into read-only code", syscall(Sys::Read, 0, text, 8), Errno::Fault);
    expect("wait status into code", syscall(Sys::Wait, static_cast<std::uint64_t>(-1), text), Errno::Fault);
    // Not pointers, but bad arguments all the same.
    char long_line[300];
    for (char& c : long_line) {
        c = 'a';
    }
    long_line[299] = '\0';
    expect("spawn 299-byte command line", spawn(long_line), Errno::TooBig);
    expect("spawn no such program", spawn("no-such-program"), Errno::NoEntry);
    expect("write to fd 7", write(7, good, 4), Errno::BadFd);
    expect("wait without children", wait(-1, nullptr), Errno::NoChild);
    expect("thread at a kernel address", syscall(Sys::ThreadCreate, kernel, 0, 0), Errno::Invalid);
    expect("join no such thread", syscall(Sys::ThreadJoin, 99), Errno::NoProcess);
    expect("system call 99", syscall(static_cast<Sys>(99)), Errno::NoSys);
    expect("system call 100000", syscall(static_cast<Sys>(100000)), Errno::NoSys);
    // The process is intact: a good call still works.
    ++g_checked;
    if (write(1, "badptr: still alive\n", 20) != 20) {
        ++g_failed;
    }
    println("badptr: {} checks, {} failed", g_checked, g_failed);
    return static_cast<int>(g_failed);
}
