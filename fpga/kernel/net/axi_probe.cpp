/// @file axi_probe.cpp
/// @brief The board's Ethernet into the stack: found in the device tree, started,
/// given its two DMA interrupts, and added as the stack's next net::Link. On QEMU
/// virt the tree has no such node and this step does nothing.
#include <new>

#include "cops/boot/boot_info.hpp"
#include "cops/dev/plic.hpp"
#include "cops/fpga/board_tree.hpp"
#include "cops/init/initcall.hpp"
#include "cops/lib/console.hpp"
#include "cops/mm/address.hpp"
#include "cops/net/stack.hpp"

namespace cops::fpga {

namespace {
/// A DMA interrupt (either channel): acknowledged here, the frames moved by the
/// network coroutine (AxiNic::receive under the stack lock).
void on_dma_interrupt(void* self) {
    if (static_cast<AxiNic*>(self)->acknowledge()) {
        net::kick();
    }
}

void start_axi_nic() {
    const auto placed = find_axi_nic(boot::fdt());
    if (!placed) {
        if (placed.error() != Error::NotFound) {
            console::println("axi-ethernet: the device tree's Ethernet node is {}; the board has no network",
                             error_name(placed.error()));
        }
        return;  // QEMU virt: no AXI Ethernet
    }
    const AxiNicPlacement& where = placed.value();
    // Descriptors must be 64-byte aligned: take 64 bytes more and align by hand.
    auto* raw = static_cast<std::uint8_t*>(::operator new(AxiNic::kMemoryBytes + 64, std::nothrow));
    auto* nic = new (std::nothrow) AxiNic;
    if (raw == nullptr || nic == nullptr) {
        console::println("axi-ethernet: no memory for the DMA rings");
        return;
    }
    auto* area = raw + (64 - reinterpret_cast<std::uintptr_t>(raw) % 64) % 64;
    // The kernel maps RAM one to one: the DMA sees the rings at their own address.
    const dma::Memory memory{area, mm::physical_of(area).value(), AxiNic::kMemoryBytes};
    if (const Status s = nic->start(Registers32::at(where.dma_registers), Registers32::at(where.mac_registers), memory,
                                    where.address, where.phy);
        !s) {
        console::println("axi-ethernet: cannot start the MAC at {:#x} with its DMA at {:#x}: {}", where.mac_registers,
                         where.dma_registers, error_name(s.error()));
        return;  // (its memory stays: the DMA may still own its rings)
    }
    const auto index = net::add_link(*nic);
    if (!index) {
        console::println("axi-ethernet: the stack refused the NIC: {}", error_name(index.error()));
        return;
    }
    for (const unsigned irq : {where.send_irq, where.receive_irq}) {
        if (!dev::plic::attach(irq, on_dma_interrupt, nic, 0)) {
            console::println("axi-ethernet: cannot attach interrupt {}", irq);
        }
    }
    console::println("axi-ethernet: NIC {} at {:#x} (DMA {:#x}, PHY {}), MAC {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                     index.value(), where.mac_registers, where.dma_registers, where.phy, unsigned{where.address[0]},
                     unsigned{where.address[1]}, unsigned{where.address[2]}, unsigned{where.address[3]},
                     unsigned{where.address[4]}, unsigned{where.address[5]});
}
}  // namespace

COPS_INITCALL(late, start_axi_nic, start_stack);

}  // namespace cops::fpga
