/// @file axi_nic.cpp
/// @brief The board's network device: the AXI DMA's rings and the AXI Ethernet MAC.
#include "cops/fpga/axi_nic.hpp"

#include <cstring>
#include <initializer_list>

#include "cops/fpga/axi_ethernet.hpp"

namespace cops::fpga {

using namespace dma;

namespace {
/// True if a completed receive descriptor's @p status holds a whole frame the stack takes.
bool plausible_frame(std::uint32_t status) {
    const std::size_t length = status & kStatusLength;
    return (status & kStatusErrors) == 0 && (status & kStatusRxSof) != 0 && (status & kStatusRxEof) != 0 &&
           length >= net::kMinFrame && length <= net::kMaxFrame;
}

/// A full memory barrier: descriptors are written before the DMA is told, and read
/// after it says it finished.
void barrier() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
}  // namespace

std::uint64_t AxiNic::device_address(const void* p) const {
    return memory_.device + static_cast<std::uint64_t>(static_cast<const std::uint8_t*>(p) - memory_.cpu);
}

void AxiNic::link_ring(Descriptor* ring, unsigned slots, std::uint8_t* buffers, std::uint32_t control) {
    for (unsigned i = 0; i < slots; ++i) {
        Descriptor& d = ring[i];
        d = Descriptor{};
        const std::uint64_t next = device_address(&ring[(i + 1) % slots]);
        const std::uint64_t buffer = device_address(buffers + std::size_t{i} * kBufferBytes);
        d.next = static_cast<std::uint32_t>(next);
        d.next_msb = static_cast<std::uint32_t>(next >> 32);
        d.buffer = static_cast<std::uint32_t>(buffer);
        d.buffer_msb = static_cast<std::uint32_t>(buffer >> 32);
        d.control = control;
    }
}

void AxiNic::write_tail(std::uint32_t channel, const Descriptor& d) {
    const std::uint64_t at = device_address(&d);
    barrier();
    dma_.write(channel + kTaildescMsb, static_cast<std::uint32_t>(at >> 32));
    dma_.write(channel + kTaildesc, static_cast<std::uint32_t>(at));  // the low word starts it
}

Status AxiNic::start(Registers32 dma, Registers32 mac, Memory memory, const std::uint8_t* address, unsigned phy) {
    if (memory.cpu == nullptr || memory.bytes < kMemoryBytes ||
        reinterpret_cast<std::uintptr_t>(memory.cpu) % 64 != 0 || memory.device % 64 != 0) {
        return Error::BadState;
    }
    dma_ = dma;
    mac_ = mac;
    memory_ = memory;
    std::memcpy(address_, address, sizeof address_);
    // Layout: the receive ring, the send ring, then the buffers (descriptors first keeps
    // them 64-byte aligned).
    rx_ring_ = reinterpret_cast<Descriptor*>(memory.cpu);
    tx_ring_ = rx_ring_ + kReceiveSlots;
    rx_buffers_ = reinterpret_cast<std::uint8_t*>(tx_ring_ + kSendSlots);
    tx_buffers_ = rx_buffers_ + kReceiveSlots * kBufferBytes;
    COPS_TRY(reset_and_build());
    return ethernet::start_mac(mac_, address_, phy);
}

Status AxiNic::reset_and_build() {
    dma_.write(kMm2s + kCr, kCrReset);  // resets both channels
    unsigned polls = 0;
    while ((dma_.read(kMm2s + kCr) & kCrReset) != 0) {
        if (++polls == kResetPolls) {
            return Error::BadState;
        }
    }
    link_ring(rx_ring_, kReceiveSlots, rx_buffers_, static_cast<std::uint32_t>(kBufferBytes));
    link_ring(tx_ring_, kSendSlots, tx_buffers_, 0);  // lengths come with each frame
    rx_next_ = 0;
    rx_dropping_ = false;
    tx_next_ = tx_oldest_ = tx_in_flight_ = 0;
    barrier();
    // CURDESC while halted, then run, then TAILDESC (PG021's order for scatter-gather).
    for (const std::uint32_t channel : {kMm2s, kS2mm}) {
        const std::uint64_t first = device_address(channel == kMm2s ? &tx_desc(0) : &rx_desc(0));
        dma_.write(channel + kCurdescMsb, static_cast<std::uint32_t>(first >> 32));
        dma_.write(channel + kCurdesc, static_cast<std::uint32_t>(first));
        dma_.write(channel + kCr, kCrRunStop | kCrIocIrqEn | kCrErrIrqEn | cr_threshold(1));
    }
    write_tail(kS2mm, rx_desc(kReceiveSlots - 1));  // every receive buffer to the DMA
    return {};
}

bool AxiNic::recover_if_halted() {
    const std::uint32_t rx = dma_.read(kS2mm + kSr);
    const std::uint32_t tx = dma_.read(kMm2s + kSr);
    if (((rx | tx) & kSrErrors) == 0) {
        return false;
    }
    ++counters_.device_errors;
    ++resets_;
    if (!reset_and_build()) {
        ++counters_.device_errors;  // the DMA did not come out of reset: it stays stopped
    }
    return true;
}

unsigned AxiNic::receive(net::FrameSink sink, void* context) {
    if (rx_ring_ == nullptr) {
        return 0;
    }
    unsigned looked = 0;
    const Descriptor* last_posted = nullptr;
    for (; looked < kReceiveSlots; ++looked) {
        Descriptor& d = rx_desc(rx_next_);
        barrier();
        const std::uint32_t status = d.status;
        if ((status & kStatusCmplt) == 0) {
            break;  // the DMA has not filled it yet
        }
        // A frame longer than one buffer spans descriptors: drop every piece of it.
        const bool starts = (status & kStatusRxSof) != 0;
        const bool ends = (status & kStatusRxEof) != 0;
        if (starts) {
            rx_dropping_ = false;  // a new frame begins, whatever came before
        }
        if (rx_dropping_) {
            rx_dropping_ = !ends;  // the rest of a frame already counted
        } else if (!plausible_frame(status)) {
            ++counters_.malformed;
            rx_dropping_ = !ends;
        } else {
            const std::uint8_t* frame = rx_buffers_ + std::size_t{rx_next_} * kBufferBytes;
            net::hand_on(counters_, sink, context, frame, status & kStatusLength);
        }
        // Back to the DMA: cleared, the whole buffer again.
        d.status = 0;
        d.control = static_cast<std::uint32_t>(kBufferBytes);
        last_posted = &d;
        rx_next_ = (rx_next_ + 1) % kReceiveSlots;
    }
    if (recover_if_halted()) {
        return looked;  // the rings are new: every buffer is posted again
    }
    if (last_posted != nullptr) {
        write_tail(kS2mm, *last_posted);
    }
    return looked;
}

void AxiNic::inject(const std::uint8_t* frame, std::size_t length, net::FrameSink sink, void* context) {
    const std::uint32_t status = kStatusCmplt | kStatusRxSof | kStatusRxEof |
                                 static_cast<std::uint32_t>(length > kStatusLength ? kStatusLength : length);
    if (length > kBufferBytes || !plausible_frame(status)) {
        ++counters_.malformed;
        return;
    }
    net::hand_on(counters_, sink, context, frame, length);
}

void AxiNic::reclaim_sent() {
    while (tx_in_flight_ > 0) {
        Descriptor& d = tx_desc(tx_oldest_);
        barrier();
        if ((d.status & kStatusCmplt) == 0) {
            return;
        }
        if ((d.status & kStatusErrors) != 0) {
            // The channel halts on an error: start both rings again (what was queued
            // behind it is lost; TCP sends it again).
            if (recover_if_halted()) {
                return;
            }
            ++counters_.device_errors;  // it went on after this one
        }
        d.status = 0;
        tx_oldest_ = (tx_oldest_ + 1) % kSendSlots;
        --tx_in_flight_;
    }
}

std::uint8_t* AxiNic::send_buffer() {
    if (tx_ring_ == nullptr) {
        return nullptr;
    }
    reclaim_sent();
    if (tx_in_flight_ == kSendSlots) {
        recover_if_halted();  // a stopped channel never gives its descriptors back
        reclaim_sent();
        if (tx_in_flight_ == kSendSlots) {
            ++counters_.no_room;
            return nullptr;
        }
    }
    return tx_buffers_ + std::size_t{tx_next_} * kBufferBytes;
}

void AxiNic::submit(std::size_t length) {
    if (length < net::kMinFrame || length > net::kMaxFrame || tx_in_flight_ == kSendSlots) {
        ++counters_.no_room;  // not a frame, or no send_buffer() before: nothing to offer
        return;
    }
    Descriptor& d = tx_desc(tx_next_);
    d.status = 0;
    d.control = static_cast<std::uint32_t>(length) | kCtrlSof | kCtrlEof;
    tx_next_ = (tx_next_ + 1) % kSendSlots;
    ++tx_in_flight_;
    ++counters_.frames_out;
    write_tail(kMm2s, d);
}

bool AxiNic::acknowledge() {
    bool any = false;
    for (const std::uint32_t channel : {kMm2s, kS2mm}) {
        const std::uint32_t pending = dma_.read(channel + kSr) & kSrIrqs;
        if (pending != 0) {
            dma_.write(channel + kSr, pending);  // write 1 to clear
            any = true;
        }
    }
    ++counters_.interrupts;
    return any;
}

}  // namespace cops::fpga
