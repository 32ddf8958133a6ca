/// @file plic.hpp
/// @brief The platform-level interrupt controller: routes device interrupts to harts.
///
/// Found in the device tree (`riscv,plic0`). Each hart's S-mode has a PLIC *context*;
/// which context belongs to which hart is read from the PLIC's `interrupts-extended`
/// (pairs of a hart's interrupt-controller phandle and cause 9, S-external).
#pragma once

#include "cops/lib/result.hpp"

namespace cops::dev::plic {

/// Finds the PLIC and installs the external-interrupt handler (boot hart, once).
/// Errors: NotFound (no PLIC in the device tree), Malformed.
Status init();
/// Lets the calling hart take external interrupts (threshold 0, `sie.SEIE`).
void init_this_hart();
/// Routes interrupt @p irq to hart @p hart_index and calls @p handler(@p ctx) for it.
/// Errors: NotFound (no PLIC, or no context for that hart), BadState (irq out of range).
Status attach(unsigned irq, void (*handler)(void*), void* ctx, unsigned hart_index);
/// External interrupts handled so far.
unsigned long handled();

}  // namespace cops::dev::plic
