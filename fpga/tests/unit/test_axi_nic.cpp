// Unit tests: the board's network driver (fpga/kernel/net/axi_nic.cpp) against a
// register-level model of the AXI DMA and the AXI Ethernet MAC (axi_model.hpp).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>
#include <vector>

#include "axi_model.hpp"
#include "cops/fpga/axi_nic.hpp"

using namespace cops;
using namespace cops::fpga;
namespace eth = cops::fpga::ethernet;

namespace {
constexpr std::uint8_t kMac[6] = {0x00, 0x0a, 0x35, 0x00, 0x1e, 0x53};

struct Freed {
    void operator()(std::uint8_t* p) const { std::free(p); }
};

/// A frame of @p length bytes whose bytes say which frame it is.
std::vector<std::uint8_t> frame(std::size_t length, unsigned tag) {
    std::vector<std::uint8_t> f(length);
    for (std::size_t i = 0; i < length; ++i) {
        f[i] = static_cast<std::uint8_t>(tag * 7 + i);
    }
    return f;
}

/// The driver on the models, with DMA memory whose device address is its own.
struct Rig {
    model::AxiDma dma;
    model::AxiMac mac;
    std::unique_ptr<std::uint8_t, Freed> area{static_cast<std::uint8_t*>(std::aligned_alloc(64, AxiNic::kMemoryBytes))};
    AxiNic nic;
    std::vector<std::vector<std::uint8_t>> received;

    dma::Memory memory() { return {area.get(), reinterpret_cast<std::uintptr_t>(area.get()), AxiNic::kMemoryBytes}; }
    Status start(unsigned phy = 3) {
        return nic.start(Registers32::modelled(dma), Registers32::modelled(mac), memory(), kMac, phy);
    }
    static bool keep(void* self, const std::uint8_t* f, std::size_t n) {
        static_cast<Rig*>(self)->received.emplace_back(f, f + n);
        return true;
    }
    unsigned receive() { return nic.receive(keep, this); }
    bool send(const std::vector<std::uint8_t>& f) {
        std::uint8_t* buffer = nic.send_buffer();
        if (buffer == nullptr) {
            return false;
        }
        std::copy(f.begin(), f.end(), buffer);
        nic.submit(f.size());
        return true;
    }
};
}  // namespace

TEST_CASE("axi nic: start resets the DMA, runs both channels and posts every receive buffer", "[axi]") {
    Rig rig;
    REQUIRE(rig.start().ok());
    CHECK(rig.dma.violations.empty());
    CHECK(rig.dma.resets == 1);
    CHECK(rig.dma.running(dma::kMm2s));
    CHECK(rig.dma.running(dma::kS2mm));
    CHECK(rig.dma.posted() == AxiNic::kReceiveSlots);
    // The MAC: its address, receiver and transmitter on at 1 Gb/s, not promiscuous.
    CHECK(rig.mac.regs[eth::kUaw0] == 0x00350a00U);
    CHECK((rig.mac.regs[eth::kUaw1] & 0xffff) == 0x531eU);
    CHECK((rig.mac.regs[eth::kRcw1] & eth::kEnable) != 0);
    CHECK((rig.mac.regs[eth::kTc] & eth::kEnable) != 0);
    CHECK((rig.mac.regs[eth::kEmmc] & eth::kSpeedMask) == eth::kSpeed1000);
    CHECK((rig.mac.regs[eth::kFmi] & eth::kPromiscuous) == 0);
    CHECK(std::equal(kMac, kMac + 6, rig.nic.mac()));
}

TEST_CASE("axi nic: frames sent leave in order with their bytes, around the ring many times", "[axi]") {
    Rig rig;
    REQUIRE(rig.start().ok());
    constexpr unsigned kFrames = 5 * AxiNic::kSendSlots + 3;
    for (unsigned i = 0; i < kFrames; ++i) {
        REQUIRE(rig.send(frame(60 + i % 1400, i)));
    }
    REQUIRE(rig.dma.sent.size() == kFrames);
    for (unsigned i = 0; i < kFrames; ++i) {
        INFO("frame " << i);
        CHECK(rig.dma.sent[i] == frame(60 + i % 1400, i));
    }
    CHECK(rig.nic.counters().frames_out == kFrames);
    CHECK(rig.dma.violations.empty());
}

TEST_CASE("axi nic: with every send descriptor on a busy DMA, send_buffer says no, then recovers", "[axi]") {
    Rig rig;
    REQUIRE(rig.start().ok());
    rig.dma.hold_sends = true;
    for (unsigned i = 0; i < AxiNic::kSendSlots; ++i) {
        REQUIRE(rig.send(frame(100, i)));
    }
    CHECK(rig.nic.send_buffer() == nullptr);
    CHECK(rig.nic.counters().no_room == 1);
    rig.dma.release_sends();
    CHECK(rig.dma.sent.size() == AxiNic::kSendSlots);
    REQUIRE(rig.send(frame(100, 99)));
    CHECK(rig.dma.sent.back() == frame(100, 99));
    CHECK(rig.dma.violations.empty());
}

TEST_CASE("axi nic: frames received reach the stack in order, and their buffers go back", "[axi]") {
    Rig rig;
    REQUIRE(rig.start().ok());
    constexpr unsigned kFrames = 7 * AxiNic::kReceiveSlots + 5;
    unsigned next = 0;
    while (next < kFrames) {
        // A burst of up to a ring's worth, then the network coroutine's turn.
        for (unsigned n = 0; n < 20 && next < kFrames; ++n, ++next) {
            rig.dma.arrive(frame(64 + next % 1450, next));
        }
        rig.receive();
    }
    REQUIRE(rig.received.size() == kFrames);
    for (unsigned i = 0; i < kFrames; ++i) {
        INFO("frame " << i);
        CHECK(rig.received[i] == frame(64 + i % 1450, i));
    }
    CHECK(rig.dma.posted() == AxiNic::kReceiveSlots);  // every buffer is the DMA's again
    CHECK(rig.dma.violations.empty());                 // none was handed back still marked complete
    CHECK(rig.nic.counters().frames_in == kFrames);
}

TEST_CASE("axi nic: a full receive ring stalls the wire and loses nothing", "[axi]") {
    Rig rig;
    REQUIRE(rig.start().ok());
    for (unsigned i = 0; i < AxiNic::kReceiveSlots + 10; ++i) {
        rig.dma.arrive(frame(200, i));
    }
    CHECK(rig.dma.waiting.size() == 10);  // no descriptor left: they wait
    rig.receive();                        // hands 32 on and posts 32 buffers: the 10 go in
    CHECK(rig.dma.waiting.empty());
    rig.receive();
    REQUIRE(rig.received.size() == AxiNic::kReceiveSlots + 10);
    CHECK(rig.received.back() == frame(200, AxiNic::kReceiveSlots + 9));
}

TEST_CASE("axi nic: runts, giants that span buffers and broken descriptors are dropped and counted once", "[axi]") {
    Rig rig;
    REQUIRE(rig.start().ok());
    rig.dma.arrive(frame(60, 1));
    rig.dma.arrive(frame(13, 2));    // shorter than an Ethernet header
    rig.dma.arrive(frame(1515, 3));  // one byte over the largest frame
    rig.dma.arrive(frame(4000, 4));  // three buffers: SOF, a middle piece, EOF
    rig.dma.arrive(frame(60, 5));
    rig.receive();
    REQUIRE(rig.received.size() == 2);
    CHECK(rig.received[0] == frame(60, 1));
    CHECK(rig.received[1] == frame(60, 5));
    CHECK(rig.nic.counters().malformed == 3);
    // The same checks for a frame handed in by a test (net::inject_frame).
    rig.nic.inject(frame(10, 6).data(), 10, Rig::keep, &rig);
    rig.nic.inject(frame(9000, 7).data(), 9000, Rig::keep, &rig);
    rig.nic.inject(frame(1514, 8).data(), 1514, Rig::keep, &rig);
    CHECK(rig.nic.counters().malformed == 5);
    CHECK(rig.received.back() == frame(1514, 8));
}

TEST_CASE("axi nic: a receive channel halted by a bus error is reset and receives again", "[axi]") {
    Rig rig;
    REQUIRE(rig.start().ok());
    rig.dma.arrive(frame(80, 1));
    rig.dma.fail_next(dma::kS2mm, dma::kStatusSlvErr);
    rig.dma.arrive(frame(80, 2));  // completes with the error; the channel halts
    CHECK_FALSE(rig.dma.running(dma::kS2mm));
    CHECK(rig.dma.interrupt(dma::kS2mm));
    rig.receive();
    CHECK(rig.nic.resets() == 1);
    CHECK(rig.nic.counters().device_errors == 1);
    CHECK(rig.dma.running(dma::kS2mm));
    CHECK(rig.dma.posted() == AxiNic::kReceiveSlots);
    rig.dma.arrive(frame(80, 3));
    rig.receive();
    REQUIRE(rig.received.size() == 2);
    CHECK(rig.received[0] == frame(80, 1));
    CHECK(rig.received[1] == frame(80, 3));
    CHECK(rig.dma.violations.empty());
}

TEST_CASE("axi nic: a send channel halted by an error gives its ring back after a reset", "[axi]") {
    Rig rig;
    REQUIRE(rig.start().ok());
    rig.dma.fail_next(dma::kMm2s, dma::kStatusDecErr);
    REQUIRE(rig.send(frame(100, 1)));  // fails on the bus; the channel halts
    CHECK_FALSE(rig.dma.running(dma::kMm2s));
    // Sends pile up while it is halted; when the ring is full, send_buffer resets the DMA.
    unsigned accepted = 1;
    while (accepted < 3 * AxiNic::kSendSlots && rig.send(frame(100, accepted))) {
        ++accepted;
    }
    CHECK(rig.nic.resets() == 1);
    CHECK(rig.dma.running(dma::kMm2s));
    REQUIRE(rig.send(frame(100, 500)));
    CHECK(rig.dma.sent.back() == frame(100, 500));
}

TEST_CASE("axi nic: acknowledge clears both channels' interrupts, once", "[axi]") {
    Rig rig;
    REQUIRE(rig.start().ok());
    REQUIRE(rig.send(frame(100, 1)));
    rig.dma.arrive(frame(100, 2));
    CHECK(rig.dma.interrupt(dma::kMm2s));
    CHECK(rig.dma.interrupt(dma::kS2mm));
    CHECK(rig.nic.acknowledge());
    CHECK_FALSE(rig.dma.interrupt(dma::kMm2s));
    CHECK_FALSE(rig.dma.interrupt(dma::kS2mm));
    CHECK_FALSE(rig.nic.acknowledge());
}

TEST_CASE("axi nic: start refuses a dead DMA, a missing PHY, a silent MDIO bus and bad memory", "[axi]") {
    {
        Rig rig;
        rig.dma.reset_stuck = true;
        CHECK(rig.start().error() == Error::BadState);
    }
    {
        Rig rig;
        CHECK(rig.start(5).error() == Error::NotFound);  // the PHY answers at 3 only
    }
    {
        Rig rig;
        rig.mac.mdio_stuck = true;
        CHECK(rig.start().error() == Error::Busy);
    }
    {
        Rig rig;
        dma::Memory small = rig.memory();
        small.bytes -= 1;
        CHECK(rig.nic.start(Registers32::modelled(rig.dma), Registers32::modelled(rig.mac), small, kMac, 3).error() ==
              Error::BadState);
        dma::Memory crooked = rig.memory();
        crooked.cpu += 8;
        crooked.device += 8;
        crooked.bytes -= 64;
        CHECK(rig.nic.start(Registers32::modelled(rig.dma), Registers32::modelled(rig.mac), crooked, kMac, 3).error() ==
              Error::BadState);
        // A driver that never started sends and receives nothing, and does not crash.
        CHECK(rig.nic.send_buffer() == nullptr);
        CHECK(rig.receive() == 0);
    }
}

TEST_CASE("axi nic: the PHY's registers are read over MDIO", "[axi]") {
    model::AxiMac mac;
    const auto regs = Registers32::modelled(mac);
    CHECK(eth::mdio_read(regs, 3, eth::kPhyId1).value() == 0x0022);
    CHECK(eth::mdio_read(regs, 3, eth::kPhyId2).value() == 0x1622);
    CHECK((eth::mdio_read(regs, 3, eth::kPhyBmsr).value() & eth::kBmsrLinkUp) != 0);
    CHECK(eth::mdio_read(regs, 4, eth::kPhyId1).value() == 0xffff);  // nobody at 4
    mac.mdio_stuck = true;
    CHECK(eth::mdio_read(regs, 3, eth::kPhyId1).error() == Error::Busy);
}
