/// @file axi_ethernet.hpp
/// @brief The Xilinx AXI 1G Ethernet MAC (PG138): the registers the driver uses, and
/// its PHY management (MDIO).
///
/// Frames do not pass through these registers: they stream to and from the AXI DMA
/// (axi_dma.hpp). Here the driver sets the MAC address, turns the receiver and the
/// transmitter on at 1 Gb/s, and asks the PHY (a KSZ9031) whether the link is up.
#pragma once

#include <cstdint>

#include "cops/fpga/registers.hpp"
#include "cops/lib/result.hpp"

namespace cops::fpga::ethernet {

inline constexpr std::uint32_t kIs = 0x00c;       ///< interrupt status (write 1 to clear)
inline constexpr std::uint32_t kIe = 0x014;       ///< interrupt enable
inline constexpr std::uint32_t kRcw1 = 0x404;     ///< receiver configuration, word 1
inline constexpr std::uint32_t kTc = 0x408;       ///< transmitter configuration
inline constexpr std::uint32_t kEmmc = 0x410;     ///< speed
inline constexpr std::uint32_t kMdioMc = 0x500;   ///< MDIO setup
inline constexpr std::uint32_t kMdioMcr = 0x504;  ///< MDIO control: one PHY register access
inline constexpr std::uint32_t kMdioMwd = 0x508;  ///< MDIO write data
inline constexpr std::uint32_t kMdioMrd = 0x50c;  ///< MDIO read data
inline constexpr std::uint32_t kUaw0 = 0x700;     ///< unicast address, bytes 0..3
inline constexpr std::uint32_t kUaw1 = 0x704;     ///< unicast address, bytes 4..5
inline constexpr std::uint32_t kFmi = 0x708;      ///< filter mode (bit 31: promiscuous)

inline constexpr std::uint32_t kEnable = 1U << 28;       ///< RCW1, TC: receiver, transmitter on
inline constexpr std::uint32_t kSpeed1000 = 2U << 30;    ///< EMMC: 1 Gb/s
inline constexpr std::uint32_t kSpeedMask = 3U << 30;    ///< EMMC's speed field
inline constexpr std::uint32_t kPromiscuous = 1U << 31;  ///< FMI
inline constexpr std::uint32_t kIsRxReject = 0x08;       ///< IS: a frame was rejected
inline constexpr std::uint32_t kIsRxFifoOverrun = 0x10;  ///< IS: the receive FIFO overran
inline constexpr std::uint32_t kMdioEnable = 0x40;       ///< MC
inline constexpr std::uint32_t kMdioClockDivide = 29;    ///< MC: 100 MHz AXI clock / (2·(29+1)) < 2.5 MHz
inline constexpr std::uint32_t kMdioRead = 0x8000;       ///< MCR: a read
inline constexpr std::uint32_t kMdioWrite = 0x4000;      ///< MCR: a write
inline constexpr std::uint32_t kMdioInitiate = 0x800;    ///< MCR: start it
inline constexpr std::uint32_t kMdioReady = 0x80;        ///< MCR: the bus is idle

/// PHY registers (IEEE 802.3 clause 22).
inline constexpr unsigned kPhyBmsr = 1;                ///< basic status
inline constexpr unsigned kPhyId1 = 2;                 ///< identifier, high
inline constexpr unsigned kPhyId2 = 3;                 ///< identifier, low
inline constexpr std::uint16_t kBmsrLinkUp = 1U << 2;  ///< BMSR: the link is up

/// Polls of the MDIO ready bit before a PHY access is given up (about 1 ms of reads).
inline constexpr unsigned kMdioPolls = 100000;

/// Reads PHY register @p reg of the PHY at MDIO address @p phy. Errors: Busy (the
/// MDIO bus never became ready).
Result<std::uint16_t> mdio_read(const Registers32& mac, unsigned phy, unsigned reg);

/// Sets the MAC address @p mac (6 bytes), turns MDIO, the receiver and the
/// transmitter on at 1 Gb/s, not promiscuous, and checks that the PHY at @p phy
/// answers. Errors: Busy (MDIO never ready), NotFound (no PHY answers: its ID reads
/// all ones or all zeros).
Status start_mac(const Registers32& mac, const std::uint8_t* address, unsigned phy);

}  // namespace cops::fpga::ethernet
