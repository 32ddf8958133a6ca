/// @file trap_frame.hpp
/// @brief The registers saved when a trap enters the kernel.
#pragma once

#include <cstdint>

namespace cops::arch {

/// All general registers plus the trap CSRs, in the order the entry code stores them.
struct TrapFrame {
    std::uint64_t regs[32];  ///< x0..x31 (x0 slot unused; x2 is the interrupted sp)
    std::uint64_t sstatus;   ///< status at the trap
    std::uint64_t sepc;      ///< where the trap happened
    std::uint64_t scause;    ///< why (top bit: interrupt)
    std::uint64_t stval;     ///< the faulting address or instruction
};

/// Register numbers used by name.
enum class Reg : unsigned { Ra = 1, Sp = 2, S0 = 8, A0 = 10, A1 = 11 };

/// A human-readable name for an `scause` value, e.g. "load page fault".
const char* cause_name(std::uint64_t scause);

/// Installs ch1's trap vector, which reports any trap as a panic (boot calls it first),
/// except a timer interrupt at the test watchdog's deadline (see watchdog.hpp).
void install_fatal_trap_vector();

}  // namespace cops::arch
