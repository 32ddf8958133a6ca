/// @file kernel_space.hpp
/// @brief The kernel's address space: RAM and devices identity-mapped, on every hart.
///
/// At boot (an arch init call) the RAM after the kernel heap becomes page frames,
/// the kernel page table maps the first 4 GiB with 1 GiB pages (devices below RAM
/// read/write, RAM read/write/execute, all global and without U), and every hart
/// turns on Sv39 with it. Each user address space shares those root entries, so a
/// trap from user mode lands in mapped kernel code without switching tables.
#pragma once

#include "cops/mm/address_space.hpp"
#include "cops/mm/page_table.hpp"

namespace cops::mm {

/// The kernel page table.
const PageTable& kernel_page_table();
/// Makes the calling hart use the kernel page table (and flushes its TLB).
void activate_kernel_space();
/// Makes the calling hart use @p space (and flushes its TLB).
void activate(const AddressSpace& space);

}  // namespace cops::mm
