/// @file csr.hpp
/// @brief RISC-V control and status registers the kernel reads and writes (S-mode).
#pragma once

#include <cstdint>

namespace cops::arch {

// The one home of the CSR bits the kit uses (privileged spec, chapter "Supervisor-Level ISA").
/// `sstatus.SIE`: supervisor interrupts enabled.
inline constexpr std::uint64_t kSstatusSie = 1UL << 1;
/// `sstatus.SPIE`: SIE before the trap; `sret` copies it back.
inline constexpr std::uint64_t kSstatusSpie = 1UL << 5;
/// `sstatus.SPP`: the mode the trap came from (0 user, 1 supervisor); `sret` returns to it.
inline constexpr std::uint64_t kSstatusSpp = 1UL << 8;
/// `sstatus.FS` (two bits): the floating-point unit's state; 0 turns it off.
inline constexpr std::uint64_t kSstatusFs = 3UL << 13;
/// `sstatus.SUM`: supervisor code may access user pages.
inline constexpr std::uint64_t kSstatusSum = 1UL << 18;
/// `sie.SSIE` / `sip.SSIP`: the supervisor software interrupt (the IPI).
inline constexpr std::uint64_t kSieSsie = 1UL << 1;
/// `sip.SSIP`, the same bit as kSieSsie, named for `sip`.
inline constexpr std::uint64_t kSipSsip = kSieSsie;
/// `sie.STIE`: the supervisor timer interrupt.
inline constexpr std::uint64_t kSieStie = 1UL << 5;
/// `sie.SEIE`: supervisor external interrupts (the PLIC).
inline constexpr std::uint64_t kSieSeie = 1UL << 9;
/// `scause` interrupt flag (top bit).
inline constexpr std::uint64_t kScauseInterrupt = 1UL << 63;
/// `scause` code of a supervisor timer interrupt.
inline constexpr std::uint64_t kCauseSupervisorTimer = 5;

/// A control and status register, by its number. Usage: `arch::sstatus.set(kSstatusSie)`.
/// The number is an immediate in the instruction, so each access is one `csr*` instruction.
template <std::uint16_t Number>
struct Csr {
    /// The register's value.
    std::uint64_t read() const {
        std::uint64_t v;
        asm volatile("csrr %0, %1" : "=r"(v) : "i"(Number));
        return v;
    }
    /// Replaces the value.
    void write(std::uint64_t v) const { asm volatile("csrw %0, %1" ::"i"(Number), "r"(v)); }
    /// Sets the bits in @p bits.
    void set(std::uint64_t bits) const { asm volatile("csrs %0, %1" ::"i"(Number), "r"(bits)); }
    /// Clears the bits in @p bits.
    void clear(std::uint64_t bits) const { asm volatile("csrc %0, %1" ::"i"(Number), "r"(bits)); }
};

inline constexpr Csr<0x100> sstatus{};   ///< supervisor status
inline constexpr Csr<0x104> sie{};       ///< supervisor interrupt enable
inline constexpr Csr<0x105> stvec{};     ///< trap vector base
inline constexpr Csr<0x140> sscratch{};  ///< scratch (the trap entry's stack)
inline constexpr Csr<0x141> sepc{};      ///< exception program counter
inline constexpr Csr<0x142> scause{};    ///< trap cause
inline constexpr Csr<0x143> stval{};     ///< trap value (address or instruction)
inline constexpr Csr<0x144> sip{};       ///< supervisor interrupt pending
inline constexpr Csr<0x180> satp{};      ///< address translation and protection

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
