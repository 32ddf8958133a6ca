/// @file csr.hpp
/// @brief RISC-V control and status registers the kernel reads and writes (S-mode).
#pragma once

#include <cstdint>

namespace cops::arch {

/// Bits of `sstatus`.
inline constexpr std::uint64_t kSstatusSie = 1UL << 1;   ///< supervisor interrupts enabled
/// Bits of `sie` / `sip`.
inline constexpr std::uint64_t kSieStie = 1UL << 5;      ///< supervisor timer interrupt
/// `scause` interrupt flag (top bit).
inline constexpr std::uint64_t kScauseInterrupt = 1UL << 63;
/// `scause` code of a supervisor timer interrupt.
inline constexpr std::uint64_t kCauseSupervisorTimer = 5;

#define COPS_CSR_READ(name)                                     \
    inline std::uint64_t read_##name() {                        \
        std::uint64_t v;                                        \
        asm volatile("csrr %0, " #name : "=r"(v));              \
        return v;                                               \
    }
#define COPS_CSR_WRITE(name)                                    \
    inline void write_##name(std::uint64_t v) { asm volatile("csrw " #name ", %0" ::"r"(v)); } \
    inline void set_##name(std::uint64_t bits) { asm volatile("csrs " #name ", %0" ::"r"(bits)); } \
    inline void clear_##name(std::uint64_t bits) { asm volatile("csrc " #name ", %0" ::"r"(bits)); }

// The accessors each CSR gets: read_X(), write_X(), set_X(bits), clear_X(bits).
COPS_CSR_READ(sstatus)
COPS_CSR_WRITE(sstatus)
COPS_CSR_READ(sie)
COPS_CSR_WRITE(sie)
COPS_CSR_READ(sip)
COPS_CSR_READ(scause)
COPS_CSR_READ(sepc)
COPS_CSR_WRITE(sepc)
COPS_CSR_READ(stval)
COPS_CSR_READ(stvec)
COPS_CSR_WRITE(stvec)
COPS_CSR_READ(sscratch)
COPS_CSR_WRITE(sscratch)
COPS_CSR_READ(satp)
#undef COPS_CSR_READ
#undef COPS_CSR_WRITE

/// The `time` counter (ticks at the FDT's timebase-frequency).
inline std::uint64_t read_time() {
    std::uint64_t v;
    asm volatile("rdtime %0" : "=r"(v));
    return v;
}

/// Instructions retired. Under `qemu -icount shift=0` this is exact and repeatable.
inline std::uint64_t read_instret() {
    std::uint64_t v;
    asm volatile("rdinstret %0" : "=r"(v));
    return v;
}

/// Cycles. Under `-icount shift=0`, equal to instructions.
inline std::uint64_t read_cycle() {
    std::uint64_t v;
    asm volatile("rdcycle %0" : "=r"(v));
    return v;
}

/// Waits for an interrupt (the hart sleeps; QEMU skips ahead in virtual time).
inline void wait_for_interrupt() { asm volatile("wfi"); }

/// The frame pointer of the caller (s0), for backtraces.
inline std::uintptr_t frame_pointer() {
    std::uintptr_t fp;
    asm volatile("mv %0, s0" : "=r"(fp));
    return fp;
}

}  // namespace cops::arch
