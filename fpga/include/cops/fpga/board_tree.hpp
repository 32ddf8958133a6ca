/// @file board_tree.hpp
/// @brief Finding the board's Ethernet in the device tree: the MAC, the DMA it streams
/// through (`axistream-connected`), their interrupts, the MAC address and the PHY.
/// Pure: the host tests read fpga/board/cops-zcu102.dts with it.
#pragma once

#include "cops/fpga/axi_nic.hpp"
#include "cops/lib/fdt.hpp"
#include "cops/lib/result.hpp"

namespace cops::fpga {

/// The first `xlnx,axi-ethernet-1.00.a` of @p fdt with its DMA. Errors: NotFound (no
/// such node: QEMU virt); Malformed (no `reg`, `interrupts` or `local-mac-address`; no
/// DMA node behind `axistream-connected`, or one without two interrupts; a
/// `phy-handle` that names no node with a `reg`).
Result<AxiNicPlacement> find_axi_nic(const lib::FdtReader& fdt);

}  // namespace cops::fpga
