/// @file axi_nic.hpp
/// @brief The board's network device: the AXI Ethernet MAC, its frames carried by the
/// AXI DMA's two descriptor rings. A net::Link, so the stack drives it like virtio-net.
///
///     receive: the DMA fills a posted buffer, completes its descriptor and raises
///              the S2MM interrupt; on_interrupt() acknowledges it and the network
///              coroutine calls receive(), which checks each completed descriptor
///              (status, one buffer per frame, a plausible length), hands the frame
///              to lwIP, clears the descriptor and moves TAILDESC past it
///     send:    transmit() takes the next free descriptor of the send ring, copies
///              the frame into its buffer and moves TAILDESC to it; descriptors
///              come back when the DMA completes them
///     errors:  a channel that halts with an error bit (seen in SR after a receive
///              round, or in a send descriptor's status) is reset and both rings are
///              built again (frames in flight are lost; TCP sends its own again)
///
/// Nothing here takes a lock: receive() and the send path run under the stack lock,
/// and the interrupt handler touches only the DMA's status registers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cops/fpga/axi_dma.hpp"
#include "cops/fpga/registers.hpp"
#include "cops/lib/result.hpp"
#include "cops/net/link.hpp"

namespace cops::fpga {

/// Where the board's Ethernet is and what it needs (from the device tree: board_tree.hpp).
struct AxiNicPlacement {
    std::uintptr_t mac_registers = 0;  ///< the AXI Ethernet's registers
    std::uintptr_t dma_registers = 0;  ///< the AXI DMA's registers
    unsigned mac_irq = 0;              ///< the MAC's interrupt (receive rejects, overruns)
    unsigned send_irq = 0;             ///< the DMA's MM2S interrupt
    unsigned receive_irq = 0;          ///< the DMA's S2MM interrupt
    std::uint8_t address[6] = {};      ///< its MAC address (`local-mac-address`)
    unsigned phy = 0;                  ///< the PHY's MDIO address
};

/// The AXI Ethernet with its DMA.
class AxiNic final : public net::Link {
public:
    /// Descriptors (and buffers) of the receive ring.
    static constexpr unsigned kReceiveSlots = 32;
    /// Descriptors (and buffers) of the send ring.
    static constexpr unsigned kSendSlots = 32;
    /// Bytes of each buffer: the largest frame, rounded up (the MAC strips the FCS).
    static constexpr std::size_t kBufferBytes = 1536;
    /// Bytes of DMA memory start() needs: both rings and their buffers.
    static constexpr std::size_t kMemoryBytes = (kReceiveSlots + kSendSlots) * (sizeof(dma::Descriptor) + kBufferBytes);
    /// Polls of CR.Reset before a DMA reset is given up.
    static constexpr unsigned kResetPolls = 100000;

    /// Resets the DMA, builds both rings in @p memory (64-byte aligned, at least
    /// kMemoryBytes), starts both channels, posts every receive buffer, then starts the
    /// MAC with @p address and checks the PHY at @p phy. Errors: BadState (the memory
    /// is too small or misaligned; the DMA did not come out of reset), and
    /// ethernet::start_mac's.
    Status start(Registers32 dma, Registers32 mac, dma::Memory memory, const std::uint8_t* address, unsigned phy);

    const std::uint8_t* mac() const override { return address_; }
    unsigned receive(net::FrameSink sink, void* context) override;
    void inject(const std::uint8_t* frame, std::size_t length, net::FrameSink sink, void* context) override;
    std::uint8_t* send_buffer() override;
    void submit(std::size_t length) override;
    const net::NicCounters& counters() const override { return counters_; }

    /// The interrupt handler's part: acknowledges both channels' interrupts. Returns
    /// true if there was something to acknowledge (the caller then wakes the stack).
    bool acknowledge();
    /// DMA resets after errors, since start().
    unsigned resets() const { return resets_; }

private:
    dma::Descriptor& rx_desc(unsigned i) { return rx_ring_[i]; }
    dma::Descriptor& tx_desc(unsigned i) { return tx_ring_[i]; }
    std::uint64_t device_address(const void* p) const;
    Status reset_and_build();
    /// Makes @p slots descriptors at @p ring a circle, descriptor i on buffer i of @p buffers.
    void link_ring(dma::Descriptor* ring, unsigned slots, std::uint8_t* buffers, std::uint32_t control);
    void reclaim_sent();
    bool recover_if_halted();
    void write_tail(std::uint32_t channel, const dma::Descriptor& d);

    Registers32 dma_;
    Registers32 mac_;
    dma::Memory memory_;
    dma::Descriptor* rx_ring_ = nullptr;
    dma::Descriptor* tx_ring_ = nullptr;
    std::uint8_t* rx_buffers_ = nullptr;
    std::uint8_t* tx_buffers_ = nullptr;
    unsigned rx_next_ = 0;      // the oldest posted receive descriptor
    bool rx_dropping_ = false;  // inside a frame that spans buffers: drop to its EOF
    unsigned tx_next_ = 0;      // the next send descriptor to fill
    unsigned tx_oldest_ = 0;    // the oldest send descriptor on the DMA
    unsigned tx_in_flight_ = 0;
    unsigned resets_ = 0;
    std::uint8_t address_[6] = {};
    net::NicCounters counters_;
};

}  // namespace cops::fpga
