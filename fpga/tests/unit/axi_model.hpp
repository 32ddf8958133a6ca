// A register-level model of the AXI DMA (PG021, scatter-gather) and the AXI Ethernet
// MAC's registers the driver uses (PG138), for the host tests of fpga/'s driver.
//
// The model acts when the driver writes a register (a TAILDESC write runs the
// channel) and when a test puts a frame on the wire (arrive()). Descriptor and buffer
// addresses are host pointers: the tests hand the driver memory whose device address
// is its own address. What the model checks of the driver, as the hardware would
// (or would fail silently), is counted in `violations`.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "cops/fpga/axi_dma.hpp"
#include "cops/fpga/axi_ethernet.hpp"
#include "cops/fpga/registers.hpp"

namespace model {

/// The AXI DMA's two channels.
class AxiDma final : public cops::fpga::Registers32::Model {
public:
    std::uint32_t read(std::uint32_t offset) override;
    void write(std::uint32_t offset, std::uint32_t value) override;

    /// A frame from the wire: S2MM writes it into the posted descriptors (spanning
    /// as many as it needs); it waits while none is posted (the stream stalls).
    void arrive(std::vector<std::uint8_t> frame);
    /// The next descriptor @p channel processes completes with @p status_error and the
    /// channel halts with a slave error, as after a bus fault.
    void fail_next(std::uint32_t channel, std::uint32_t status_error);
    /// True if @p channel's interrupt line is raised (an enabled SR interrupt bit).
    bool interrupt(std::uint32_t channel) const;
    /// True if @p channel is running (not halted).
    bool running(std::uint32_t channel) const;
    /// Descriptors S2MM may still fill before it reaches TAILDESC.
    unsigned posted() const;

    std::vector<std::vector<std::uint8_t>> sent;    ///< frames MM2S put on the wire, in order
    std::deque<std::vector<std::uint8_t>> waiting;  ///< frames that arrived and wait for a descriptor
    std::vector<std::string> violations;            ///< what the driver did that the hardware forbids
    unsigned resets = 0;                            ///< soft resets
    bool reset_stuck = false;                       ///< CR.Reset never clears (a dead DMA)
    bool hold_sends = false;                        ///< MM2S takes no descriptor while set (a busy link)

    /// Runs MM2S after hold_sends is cleared.
    void release_sends();

private:
    struct Channel {
        std::uint32_t cr = 0;
        std::uint32_t sr = cops::fpga::dma::kSrHalted;
        std::uint64_t current = 0;
        std::uint64_t tail = 0;
        std::uint32_t tail_msb = 0;
        std::uint32_t current_msb = 0;
        bool at_tail = true;  // processed TAILDESC (or never given one)
        std::uint32_t fail_with = 0;
    };
    Channel& channel(std::uint32_t offset) { return offset < cops::fpga::dma::kS2mm ? mm2s_ : s2mm_; }
    void reset();
    void run_mm2s();
    void run_s2mm();
    bool halt_on_fault(Channel& c, cops::fpga::dma::Descriptor& d);
    void complete(Channel& c, cops::fpga::dma::Descriptor& d, std::uint32_t status);

    Channel mm2s_;
    Channel s2mm_;
    std::vector<std::uint8_t> gathering_;  // MM2S: the frame between SOF and EOF
};

/// The AXI Ethernet MAC's configuration registers and an MDIO bus with one PHY.
class AxiMac final : public cops::fpga::Registers32::Model {
public:
    std::uint32_t read(std::uint32_t offset) override;
    void write(std::uint32_t offset, std::uint32_t value) override;

    unsigned phy_address = 3;                ///< where the PHY answers
    std::map<unsigned, std::uint16_t> phy = {///< its registers: a KSZ9031 with the link up
                                             {cops::fpga::ethernet::kPhyBmsr, 0x796d},
                                             {cops::fpga::ethernet::kPhyId1, 0x0022},
                                             {cops::fpga::ethernet::kPhyId2, 0x1622}};
    bool mdio_stuck = false;                      ///< the MDIO bus never becomes ready
    std::map<std::uint32_t, std::uint32_t> regs;  ///< every other register, as last written
    unsigned mdio_accesses = 0;                   ///< PHY register accesses started
};

}  // namespace model
