/// @file emulate.hpp
/// @brief The N extension's user-interrupt instructions, emulated on one thread's
/// state slot: what the kernel does when one of them traps as an illegal
/// instruction (QEMU 7.2 has no N extension), and the delivery of a pending
/// interrupt on the way back to user mode. Portable: the host unit tests run it.
#pragma once

#include <cstdint>

#include "cops/abi/uintr_abi.hpp"

namespace cops::uintr {

/// What emulate() made of an instruction word.
enum class Emulated : std::uint8_t {
    NotOurs,  ///< not a user-interrupt instruction (or a malformed one): still illegal
    Done,     ///< a CSR access or uipi_read/uipi_write: pc moves past it
    Uret,     ///< `uret`: pc is now uepc
    Send,     ///< `uipi_send`: pc moves past it; the kernel sends on `handle`
};

/// The outcome of emulate().
struct Emulation {
    Emulated kind = Emulated::NotOurs;  ///< what it was
    std::uint64_t handle = 0;           ///< Send: the sender handle (rs1's value)
};

/// The user-visible value of @p csr in @p slot (the read rules: reserved bits read
/// as 0), or false if @p csr is not one of the user-interrupt CSRs.
bool read_csr(const abi::uintr::Slot& slot, std::uint32_t csr, std::uint64_t& value);
/// Writes @p value into @p csr of @p slot through its write mask (uip: only USIP);
/// false if @p csr is not one of them.
bool write_csr(abi::uintr::Slot& slot, std::uint32_t csr, std::uint64_t value);

/// Emulates instruction @p insn of a thread whose state is @p slot, registers
/// @p regs (x0..x31; x0 is never written) and pc @p pc (advanced or set to uepc).
/// Zicsr rules: CSRRW with rd = x0 does not read; CSRRS/CSRRC with rs1 = x0 (or a
/// zero immediate) do not write. uipi_activate/deactivate are the kernel's: NotOurs.
Emulation emulate(std::uint32_t insn, abi::uintr::Slot& slot, std::uint64_t (&regs)[32], std::uint64_t& pc);

/// `uret` on @p slot: UIE = UPIE, UPIE = 1, @p pc = uepc.
void uret(abi::uintr::Slot& slot, std::uint64_t& pc);

/// Raises vector @p vector (0..63) on a receiver: its pending bit, then USIP.
void raise(abi::uintr::Slot& slot, unsigned vector);

/// True if @p slot has an interrupt that is pending (USIP) and enabled (UIE, USIE).
bool deliverable(const abi::uintr::Slot& slot);

/// Delivery on the return to user mode: if deliverable(), uepc = @p pc, ucause =
/// interrupt | USI, utval = 0, UPIE = UIE, UIE = 0, @p pc = utvec's base (vectored:
/// + 4 x cause). True if it delivered.
bool deliver(abi::uintr::Slot& slot, std::uint64_t& pc);

}  // namespace cops::uintr
