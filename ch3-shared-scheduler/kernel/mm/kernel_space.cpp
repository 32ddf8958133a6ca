/// @file kernel_space.cpp
/// @brief Boot step: page frames, the kernel page table, Sv39 on every hart.
#include "cops/mm/kernel_space.hpp"

#include "cops/arch/csr.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/init/initcall.hpp"
#include "cops/lib/console.hpp"
#include "cops/lib/panic.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/smp/hart.hpp"

namespace cops::mm {

namespace {
FrameAllocator g_frames;
PageTable g_kernel_table;

/// User code may read the cycle, time and instret counters (rdcycle, rdtime, rdinstret).
constexpr std::uint64_t kCounterenCyTmIr = 0b111;

void write_satp(std::uint64_t value) { asm volatile("csrw satp, %0\n\tsfence.vma zero, zero" ::"r"(value) : "memory"); }

void enable_on_this_hart() {
    activate_kernel_space();
    asm volatile("csrw scounteren, %0" ::"r"(kCounterenCyTmIr));
}

void setup_paging() {
    const boot::BootInfo& b = boot::info();
    const std::uint64_t ram_end = b.memory_base + b.memory_size;
    if (ram_end > kUserBase) {
        panic(
            "paging: RAM ends at {:#x}, above the 4 GiB the kernel identity-maps; the kit's layout "
            "(include/cops/mm/address_space.hpp) needs RAM below kUserBase",
            ram_end);
    }
    // Frames: RAM after the kernel heap, except the firmware's device tree (OpenSBI
    // puts it near the end of RAM) which drivers still read.
    const std::uintptr_t dtb_lo = page_floor(reinterpret_cast<std::uintptr_t>(b.dtb));
    const std::uintptr_t dtb_hi = page_ceil(reinterpret_cast<std::uintptr_t>(b.dtb) + boot::fdt().total_size());
    if (dtb_hi <= b.free_start || dtb_lo >= ram_end) {
        (void)g_frames.add_region(reinterpret_cast<void*>(b.free_start), ram_end - b.free_start);
    } else {
        const std::uintptr_t below = dtb_lo > b.free_start ? dtb_lo : b.free_start;
        (void)g_frames.add_region(reinterpret_cast<void*>(b.free_start), below - b.free_start);
        (void)g_frames.add_region(reinterpret_cast<void*>(dtb_hi), ram_end - dtb_hi);
    }
    auto table = PageTable::create(g_frames);
    if (!table) {
        panic("paging: no frame for the kernel page table ({})", error_name(table.error()));
    }
    g_kernel_table = table.value();
    // Gigapages 0 and 1 (devices) read/write; 2 and 3 (RAM on QEMU virt) also execute.
    const PteFlags device = PteFlag::Read | PteFlag::Write | PteFlag::Global;
    const PteFlags ram = device | PteFlag::Execute;
    for (std::uint64_t gb = 0; gb < kKernelRootEntries; ++gb) {
        const bool has_ram = gb * kGigaPage < ram_end && (gb + 1) * kGigaPage > b.memory_base;
        if (!g_kernel_table.map_giga(VirtAddr{gb * kGigaPage}, PhysAddr{gb * kGigaPage}, has_ram ? ram : device)) {
            panic("paging: cannot map gigapage {}", gb);
        }
    }
    enable_on_this_hart();
    smp::add_hart_init(enable_on_this_hart);
    console::println("paging: Sv39 on; {} frames ({} KiB) for page tables and user memory", g_frames.total_count(),
                     g_frames.total_count() * kPageSize / 1024);
}
COPS_INITCALL(arch, setup_paging);
}  // namespace

FrameAllocator& frames() { return g_frames; }

const PageTable& kernel_page_table() { return g_kernel_table; }

void activate_kernel_space() { write_satp(g_kernel_table.satp()); }

void activate(const AddressSpace& space) { write_satp(space.satp()); }

}  // namespace cops::mm
