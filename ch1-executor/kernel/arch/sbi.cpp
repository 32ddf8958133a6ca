/// @file sbi.cpp
/// @brief SBI calls through `ecall`.
#include "cops/arch/sbi.hpp"

namespace cops::arch::sbi {

namespace {
constexpr long kLegacyPutchar = 0x01;
constexpr long kLegacyGetchar = 0x02;
constexpr long kLegacyShutdown = 0x08;
constexpr long kBase = 0x10;
constexpr long kTime = 0x54494D45;  // "TIME"
constexpr long kHsm = 0x48534D;     // "HSM"
constexpr long kSrst = 0x53525354;  // "SRST"
}  // namespace

SbiResult call(long extension, long function, unsigned long a0, unsigned long a1, unsigned long a2) {
    register unsigned long r0 asm("a0") = a0;
    register unsigned long r1 asm("a1") = a1;
    register unsigned long r2 asm("a2") = a2;
    register long r6 asm("a6") = function;
    register long r7 asm("a7") = extension;
    asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    return {static_cast<long>(r0), static_cast<long>(r1)};
}

void console_putchar(char c) { call(kLegacyPutchar, 0, static_cast<unsigned char>(c)); }

int console_getchar() { return static_cast<int>(call(kLegacyGetchar, 0).error); }

void set_timer(std::uint64_t stime_value) { call(kTime, 0, stime_value); }

bool probe_extension(long extension) {
    const SbiResult r = call(kBase, 3, static_cast<unsigned long>(extension));
    return r.error == 0 && r.value != 0;
}

void shutdown(ResetReason reason) {
    if (probe_extension(kSrst)) {
        call(kSrst, 0, /*shutdown*/ 0, static_cast<unsigned long>(reason));
    }
    call(kLegacyShutdown, 0);
    for (;;) {
        asm volatile("wfi");
    }
}

SbiResult hart_start(unsigned long hartid, unsigned long start, unsigned long opaque) {
    return call(kHsm, 0, hartid, start, opaque);
}

SbiResult hart_status(unsigned long hartid) { return call(kHsm, 2, hartid); }

}  // namespace cops::arch::sbi
