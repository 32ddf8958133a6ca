/// @file trap.hpp
/// @brief Traps: the kernel's trap vector and the handler tables that layers fill.
///
/// Every trap (interrupt or exception) enters trap_entry (trap_entry.S), which saves
/// all registers as a TrapFrame on the current stack and calls trap_dispatch(). The
/// dispatcher looks the cause up in two tables; a cause nobody registered is a
/// kernel panic that names it. After an interrupt the dispatcher asks the scheduler
/// whether to preempt the coroutine that was running (preemption.hpp).
#pragma once

#include <cstdint>

#include "cops/arch/trap_frame.hpp"

namespace cops::arch {

/// Interrupt causes (`scause` with the top bit set), S-mode.
enum class Interrupt : std::uint8_t {
    Software = 1,  ///< an IPI (SSIP)
    Timer = 5,     ///< the hart's timer (STIP)
    External = 9,  ///< the PLIC (SEIP)
};

/// Exception causes (`scause` with the top bit clear).
enum class Exception : std::uint8_t {
    InstructionMisaligned = 0,
    InstructionAccessFault = 1,
    IllegalInstruction = 2,
    Breakpoint = 3,
    LoadMisaligned = 4,
    LoadAccessFault = 5,
    StoreMisaligned = 6,
    StoreAccessFault = 7,
    UserEcall = 8,
    SupervisorEcall = 9,
    InstructionPageFault = 12,
    LoadPageFault = 13,
    StorePageFault = 15,
};

/// Number of slots in each handler table (causes 0..15).
inline constexpr unsigned kTrapCauses = 16;

/// A trap handler; it may change the frame (e.g. advance sepc past an instruction).
using TrapHandler = void (*)(TrapFrame& frame);

/// Installs @p handler for interrupt @p cause (nullptr removes it).
void set_interrupt_handler(Interrupt cause, TrapHandler handler);
/// The handler installed for interrupt @p cause (nullptr if none).
TrapHandler interrupt_handler(Interrupt cause);
/// Installs @p handler for exception @p cause (nullptr removes it).
void set_exception_handler(Exception cause, TrapHandler handler);

/// Points this hart's `stvec` at the kernel's trap vector.
void install_trap_vector();

}  // namespace cops::arch

extern "C" {
/// The trap vector (trap_entry.S).
void trap_entry();
/// Called by trap_entry with the saved registers.
void trap_dispatch(cops::arch::TrapFrame* frame);
}
