/// @file virtio_net.cpp
/// @brief The virtio-net driver: setup, the receive path, the send path, the interrupt.
#include "cops/net/virtio_net.hpp"

#include <cstring>
#include <new>

#include "cops/net/stack.hpp"

namespace cops::net {

namespace {
using dev::virtio::Reg;
using dev::virtio::StatusBit;
constexpr std::uint32_t kFeatureMac = 1U << 5;  // VIRTIO_NET_F_MAC: the MAC is in the config space
constexpr std::uint16_t kReceiveQueue = 0;
constexpr std::uint16_t kSendQueue = 1;
}  // namespace

Status Nic::start(const dev::virtio::Found& where) {
    regs_ = where.regs;
    regs_.write(Reg::Status, 0);  // reset
    regs_.set_status(StatusBit::Acknowledge);
    regs_.set_status(StatusBit::Driver);
    // Only the MAC: no checksum offload, no merged buffers (the header stays 10 bytes).
    regs_.write(Reg::GuestFeatures, regs_.read(Reg::HostFeatures) & kFeatureMac);
    regs_.write(Reg::GuestPageSize, 4096);
    if (const Status s = rx_.setup(regs_, kReceiveQueue, kQueueEntries); !s) {
        regs_.set_status(StatusBit::Failed);
        return s;
    }
    if (const Status s = tx_.setup(regs_, kSendQueue, kQueueEntries); !s) {
        regs_.set_status(StatusBit::Failed);
        return s;
    }
    rx_area_ = static_cast<std::uint8_t*>(::operator new (std::size_t{kQueueEntries} * kBufferBytes, std::nothrow));
    tx_area_ = static_cast<std::uint8_t*>(::operator new (std::size_t{kQueueEntries} * kBufferBytes, std::nothrow));
    if (rx_area_ == nullptr || tx_area_ == nullptr) {
        regs_.set_status(StatusBit::Failed);
        return Error::OutOfMemory;
    }
    // The MAC: the first six bytes of the configuration space, read as two words.
    const std::uint32_t lo = regs_.read(Reg::Config, 0);
    const std::uint32_t hi = regs_.read(Reg::Config, 4);
    for (unsigned i = 0; i < 4; ++i) {
        mac_[i] = static_cast<std::uint8_t>(lo >> (8 * i));
    }
    mac_[4] = static_cast<std::uint8_t>(hi);
    mac_[5] = static_cast<std::uint8_t>(hi >> 8);
    // The kernel maps RAM one to one: buffer addresses are the physical ones.
    for (std::uint16_t i = 0; i < kQueueEntries; ++i) {
        rx_.desc(i) = {reinterpret_cast<std::uintptr_t>(rx_buffer(i)), static_cast<std::uint32_t>(kBufferBytes),
                       dev::virtio::kDescWrite, 0};
        rx_.offer(i);
        tx_free_[tx_free_count_++] = i;
    }
    regs_.set_status(StatusBit::DriverOk);
    regs_.write(Reg::QueueNotify, kReceiveQueue);
    return {};
}

unsigned Nic::receive(FrameSink sink, void* context) {
    reclaim_sent();
    unsigned seen = 0;
    std::uint16_t head;
    std::uint32_t length;
    // LAB(ch6): the receive path
    // For every buffer the device has finished (rx_.take_used(&head, &length)):
    // 1. `length` counts the 10-byte virtio header too. A buffer that cannot hold a
    //    frame (plausible_buffer_length) or names no buffer of ours (head out of
    //    range) is malformed: count it and drop it.
    // 2. Otherwise hand the frame (after the header) to sink(); a false return means
    //    it was dropped for lack of memory: count it in no_room; else in frames_in.
    // 3. Give the buffer back: its descriptor (the same index) is offered again.
    // Count every buffer in `seen`; if any, notify the device once (QueueNotify 0) so
    // it sees the buffers posted again.
    while (rx_.take_used(&head, &length)) {
        ++seen;
        if (head >= kQueueEntries || !plausible_buffer_length(length)) {
            ++counters_.malformed;
        } else if (sink(context, rx_buffer(head) + kNetHeaderBytes, length - kNetHeaderBytes)) {
            ++counters_.frames_in;
        } else {
            ++counters_.no_room;
        }
        if (head < kQueueEntries) {
            rx_.desc(head).length = static_cast<std::uint32_t>(kBufferBytes);
            rx_.offer(head);
        }
    }
    if (seen > 0) {
        regs_.write(Reg::QueueNotify, kReceiveQueue);
    }
    // LAB-STUB: (void)sink; (void)context; (void)head; (void)length;
    // END-LAB
    return seen;
}

void Nic::inject(const std::uint8_t* frame, std::size_t length, FrameSink sink, void* context) {
    if (!plausible_buffer_length(length + kNetHeaderBytes)) {
        ++counters_.malformed;
        return;
    }
    hand_on(counters_, sink, context, frame, length);
}

void Nic::reclaim_sent() {
    std::uint16_t head;
    std::uint32_t length;
    while (tx_.take_used(&head, &length)) {
        if (head < kQueueEntries && tx_free_count_ < kQueueEntries) {
            tx_free_[tx_free_count_++] = head;
        }
    }
}

std::uint8_t* Nic::send_buffer() {
    if (tx_free_count_ == 0) {
        reclaim_sent();
    }
    if (tx_free_count_ == 0) {
        ++counters_.no_room;
        return nullptr;
    }
    std::uint8_t* b = tx_buffer(tx_free_[tx_free_count_ - 1]);
    std::memset(b, 0, kNetHeaderBytes);  // no offloads: an all-zero header
    return b + kNetHeaderBytes;
}

void Nic::submit(std::size_t length) {
    const std::uint16_t i = tx_free_[--tx_free_count_];
    tx_.desc(i) = {reinterpret_cast<std::uintptr_t>(tx_buffer(i)), static_cast<std::uint32_t>(kNetHeaderBytes + length),
                   0, 0};
    tx_.offer(i);
    regs_.write(Reg::QueueNotify, kSendQueue);
    ++counters_.frames_out;
}

void Nic::on_interrupt(void* self) {
    auto& nic = *static_cast<Nic*>(self);
    nic.regs_.write(Reg::InterruptAck, nic.regs_.read(Reg::InterruptStatus) & 3U);
    ++nic.counters_.interrupts;
    kick();
}

}  // namespace cops::net
