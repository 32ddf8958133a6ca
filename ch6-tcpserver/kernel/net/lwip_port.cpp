/// @file lwip_port.cpp
/// @brief What lwIP needs from the kernel with NO_SYS=1: a millisecond clock, a
/// random source, diagnostics, assertions, and the check that the caller holds the
/// stack lock.
#include <cstdarg>
#include <cstdio>

#include "cops/arch/csr.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/lib/console.hpp"
#include "cops/lib/panic.hpp"
#include "cops/net/stack.hpp"

extern "C" {
#include "lwip/sys.h"
}

extern "C" {

/// lwIP's clock: milliseconds since boot (it wraps after 49 days; lwIP handles that).
u32_t sys_now(void) {
    const std::uint64_t per_ms = cops::boot::info().timebase_hz / 1000;
    return static_cast<u32_t>(cops::arch::read_time() / (per_ms != 0 ? per_ms : 1));
}

void cops_lwip_diag(const char* format, ...) {
    char line[160];
    va_list args;
    va_start(args, format);
    const int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n > 0) {
        cops::console::write({line, n < static_cast<int>(sizeof line) ? static_cast<std::size_t>(n) : sizeof line - 1});
    }
}

void cops_lwip_assert(const char* message, const char* file, int line) {
    cops::panic("lwIP: assertion \"{}\" failed at {}:{}", message, file, line);
}

uint32_t cops_lwip_rand(void) {
    // xorshift64*, seeded from the clock: ports and initial sequence numbers only.
    static std::uint64_t state = 0;
    if (state == 0) {
        state = cops::arch::read_time() | 1;
    }
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return static_cast<uint32_t>((state * 0x2545F4914F6CDD1DULL) >> 32);
}

/// LWIP_ASSERT_CORE_LOCKED(): every entry into lwIP checks the rule of stack.hpp.
void cops_lwip_assert_core_locked(void) {
    if (!cops::net::stack_lock().held_here()) {
        cops::panic("lwIP entered without the stack lock (see net/stack.hpp: hold a StackGuard)");
    }
}

}  // extern "C"
