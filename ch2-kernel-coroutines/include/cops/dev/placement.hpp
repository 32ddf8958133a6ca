/// @file placement.hpp
/// @brief Where the UART and the PLIC are and how to reach them, read from the device
/// tree: pure functions over a FdtReader, so the host tests check them on QEMU virt's
/// tree and on the FPGA board's (fpga/board/cops-zcu102.dts).
///
/// The two machines differ exactly here: QEMU's ns16550a has byte registers one
/// byte apart and two PLIC contexts per hart (M, S); the board's AXI UART16550 has
/// 32-bit registers 4 bytes apart from +0x1000, and its PLIC has three contexts per
/// hart (M, S, U). The drivers (uart.cpp, plic.cpp) take what these functions find.
#pragma once

#include <array>
#include <cstdint>

#include "cops/boot/boot_info.hpp"
#include "cops/lib/fdt.hpp"
#include "cops/lib/result.hpp"

namespace cops::dev {

/// An ns16550a's registers as the device tree places them.
struct UartPlacement {
    std::uintptr_t registers = 0;  ///< the first register: `reg`'s address plus `reg-offset`
    unsigned stride = 1;           ///< bytes from one register to the next (1 << `reg-shift`)
    unsigned io_width = 1;         ///< bytes per access (`reg-io-width`: 1 or 4)
    unsigned irq = 0;              ///< its PLIC interrupt (`interrupts`)
};

/// The first `ns16550a` of @p fdt. Errors: NotFound; Malformed (no `reg` or
/// `interrupts`, a `reg-shift` above 4, a `reg-io-width` other than 1 or 4, or
/// registers that do not fit in `reg`).
Result<UartPlacement> find_uart(const lib::FdtReader& fdt);

/// No PLIC context serves this hart's S-mode.
inline constexpr unsigned kNoPlicContext = ~0U;

/// The PLIC and the context of each hart's S-mode external interrupt.
struct PlicPlacement {
    std::uintptr_t base = 0;  ///< its registers
    /// Indexed by hart id: the context whose `interrupts-extended` entry names that
    /// hart's interrupt controller with cause 9 (S external), or kNoPlicContext.
    std::array<unsigned, boot::kMaxHarts> context_of_hart_id{};
};

/// The first `riscv,plic0` (or `sifive,plic-1.0.0`) of @p fdt. Errors: NotFound;
/// Malformed (no `reg` or `interrupts-extended`, or a ragged `interrupts-extended`).
Result<PlicPlacement> find_plic(const lib::FdtReader& fdt);

}  // namespace cops::dev
