/// @file kernel_space.hpp
/// @brief The kernel's address space: RAM and devices identity-mapped, on every hart.
///
/// At boot (an arch init call) the RAM after the kernel heap becomes page frames,
/// the kernel page table maps the first 4 GiB with 1 GiB pages (devices below RAM
/// read/write, RAM read/write/execute, all global and without U), and every hart
/// turns on Sv39 with it. Each user address space shares those root entries, so a
/// trap from user mode lands in mapped kernel code without switching tables.
#pragma once

#include <optional>

#include "cops/mm/address_space.hpp"
#include "cops/mm/page_table.hpp"

namespace cops::mm {

/// The kernel page table.
const PageTable& kernel_page_table();
/// Makes the calling hart use the kernel page table (writing satp and flushing the
/// TLB only if another table is loaded).
void activate_kernel_space();
/// Makes the calling hart use @p space (writing satp only if another table is loaded).
/// The table stays loaded after the thread's next trap, so a system call and the way
/// back to user mode write satp not at all. The hart leaves it as soon as the thread's
/// coroutine may stop running here: before each co_await of run_user_thread(), and when
/// the interrupt exit preempts it (smp::Hart::on_preempt). A user table is therefore
/// loaded on a hart only while one of its process's threads runs there, and a process's
/// table is freed only after all its threads have ended: no hart ever has a freed table
/// loaded. The frame allocator checks that when a table is destroyed (table_retiring).
void activate(const AddressSpace& space);
/// The hart that has the table whose root is @p frame loaded, if any (destroying that
/// table panics: its entries, the kernel's own among them, would vanish under that hart).
std::optional<unsigned> hart_with_root_loaded(const void* frame);

}  // namespace cops::mm
