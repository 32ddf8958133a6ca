/// @file board_tree.cpp
/// @brief Reading the board's Ethernet and DMA from the device tree.
#include "cops/fpga/board_tree.hpp"

namespace cops::fpga {

namespace {
std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

struct PhandleSearch {
    const lib::FdtReader* fdt;
    std::uint32_t phandle;
    lib::FdtNode found;
    bool ok = false;
};

bool match_phandle(const lib::FdtNode& n, void* p) {
    auto& s = *static_cast<PhandleSearch*>(p);
    if (s.fdt->property_u32(n, "phandle") == s.phandle) {
        s.found = n;
        s.ok = true;
        return false;  // stop the walk
    }
    return true;
}

/// The node whose `phandle` is the value of @p node's property @p name.
Result<lib::FdtNode> follow(const lib::FdtReader& fdt, const lib::FdtNode& node, std::string_view name) {
    const auto ph = fdt.property_u32(node, name);
    if (!ph) {
        return Error::Malformed;
    }
    PhandleSearch s{&fdt, *ph, {}};
    if (!fdt.walk(match_phandle, &s) || !s.ok) {
        return Error::Malformed;
    }
    return s.found;
}
}  // namespace

Result<AxiNicPlacement> find_axi_nic(const lib::FdtReader& fdt) {
    const lib::FdtNode mac = COPS_TRY(fdt.find_compatible("xlnx,axi-ethernet-1.00.a"));
    AxiNicPlacement placed;
    const auto mac_reg = fdt.reg(mac);
    const auto mac_irq = fdt.property_u32(mac, "interrupts");
    const auto address = fdt.property(mac, "local-mac-address");
    if (!mac_reg || !mac_irq || !address || address->size() != 6) {
        return Error::Malformed;
    }
    placed.mac_registers = static_cast<std::uintptr_t>(mac_reg.value().address);
    placed.mac_irq = *mac_irq;
    for (unsigned i = 0; i < 6; ++i) {
        placed.address[i] = (*address)[i];
    }
    const lib::FdtNode dma = COPS_TRY(follow(fdt, mac, "axistream-connected"));
    const auto dma_reg = fdt.reg(dma);
    const auto dma_irqs = fdt.property(dma, "interrupts");
    if (!dma_reg || !dma_irqs || dma_irqs->size() != 8) {
        return Error::Malformed;
    }
    placed.dma_registers = static_cast<std::uintptr_t>(dma_reg.value().address);
    placed.send_irq = be32(dma_irqs->data());         // MM2S first, as Linux's binding has them
    placed.receive_irq = be32(dma_irqs->data() + 4);  // then S2MM
    if (fdt.property(mac, "phy-handle")) {
        const lib::FdtNode phy = COPS_TRY(follow(fdt, mac, "phy-handle"));
        const auto phy_address = fdt.property_u32(phy, "reg");
        if (!phy_address || *phy_address > 31) {
            return Error::Malformed;
        }
        placed.phy = *phy_address;
    }
    return placed;
}

}  // namespace cops::fpga
