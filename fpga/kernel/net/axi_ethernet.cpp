/// @file axi_ethernet.cpp
/// @brief The AXI Ethernet MAC: PHY access over MDIO and the MAC's setup.
#include "cops/fpga/axi_ethernet.hpp"

namespace cops::fpga::ethernet {

namespace {
/// True once the MDIO bus is idle, false after kMdioPolls reads.
bool wait_ready(const Registers32& mac) {
    for (unsigned i = 0; i < kMdioPolls; ++i) {
        if ((mac.read(kMdioMcr) & kMdioReady) != 0) {
            return true;
        }
    }
    return false;
}
}  // namespace

Result<std::uint16_t> mdio_read(const Registers32& mac, unsigned phy, unsigned reg) {
    if (!wait_ready(mac)) {
        return Error::Busy;
    }
    mac.write(kMdioMcr, ((phy & 0x1f) << 24) | ((reg & 0x1f) << 16) | kMdioRead | kMdioInitiate);
    if (!wait_ready(mac)) {
        return Error::Busy;
    }
    return static_cast<std::uint16_t>(mac.read(kMdioMrd) & 0xffff);
}

Status start_mac(const Registers32& mac, const std::uint8_t* address, unsigned phy) {
    mac.write(kMdioMc, kMdioEnable | kMdioClockDivide);
    const std::uint16_t id1 = COPS_TRY(mdio_read(mac, phy, kPhyId1));
    const std::uint16_t id2 = COPS_TRY(mdio_read(mac, phy, kPhyId2));
    if ((id1 == 0xffff && id2 == 0xffff) || (id1 == 0 && id2 == 0)) {
        return Error::NotFound;  // nothing drives the bus at that address
    }
    mac.write(kUaw0, std::uint32_t{address[0]} | (std::uint32_t{address[1]} << 8) | (std::uint32_t{address[2]} << 16) |
                         (std::uint32_t{address[3]} << 24));
    mac.write(kUaw1, (mac.read(kUaw1) & ~0xffffU) | std::uint32_t{address[4]} | (std::uint32_t{address[5]} << 8));
    mac.write(kFmi, mac.read(kFmi) & ~kPromiscuous);
    mac.write(kEmmc, (mac.read(kEmmc) & ~kSpeedMask) | kSpeed1000);
    mac.write(kIe, 0);    // the DMA's interrupts say when frames moved
    mac.write(kIs, ~0U);  // clear what came before
    mac.write(kRcw1, mac.read(kRcw1) | kEnable);
    mac.write(kTc, mac.read(kTc) | kEnable);
    return {};
}

}  // namespace cops::fpga::ethernet
