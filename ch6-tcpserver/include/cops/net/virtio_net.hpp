/// @file virtio_net.hpp
/// @brief The virtio-net driver: one NIC, its receive queue (0) and send queue (1),
/// in the legacy interface QEMU 7.2 gives by default (virtio_mmio.hpp).
///
/// Every buffer is one frame behind a 10-byte virtio-net header (legacy, no
/// MRG_RXBUF: getting the size wrong corrupts every frame). Descriptor i of a queue
/// always points at buffer i, so a finished head names its buffer.
///
///     receive: the device fills a posted buffer, raises the interrupt; on_interrupt()
///              only acknowledges it and wakes the network coroutine; that coroutine
///              calls receive(), which checks each frame, hands it to lwIP and posts
///              the buffer again (the lab region)
///     send:    transmit() copies a frame into a free send buffer and offers it;
///              buffers come back when the device has sent them
///
/// Nothing here takes a lock: receive() and transmit() run under the stack lock
/// (net/stack.hpp), and the interrupt handler touches only the device's registers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cops/dev/virtio_mmio.hpp"
#include "cops/lib/result.hpp"
#include "cops/net/link.hpp"

namespace cops::net {

/// Bytes of the legacy virtio-net header before each frame.
inline constexpr std::size_t kNetHeaderBytes = 10;
/// Bytes of one buffer (at least 1526 without MRG_RXBUF: header plus the largest frame).
inline constexpr std::size_t kBufferBytes = 1536;
/// Entries of each queue.
inline constexpr std::uint16_t kQueueEntries = 64;

/// True if @p length bytes (virtio header included) can hold a frame the driver passes on.
constexpr bool plausible_buffer_length(std::size_t length) {
    return length >= kNetHeaderBytes + kMinFrame && length <= kNetHeaderBytes + kMaxFrame;
}

/// One virtio-net device.
class Nic final : public Link {
public:
    /// Resets the device at @p where, negotiates the MAC feature only, sets up both
    /// queues and posts every receive buffer. Errors: BadState, OutOfMemory.
    Status start(const dev::virtio::Found& where);
    /// Its MAC address (6 bytes).
    const std::uint8_t* mac() const override { return mac_; }
    /// Hands every frame the device has received to @p sink, posts the buffers
    /// again and notifies the device once. Returns the frames looked at.
    unsigned receive(FrameSink sink, void* context) override;
    /// Passes @p length bytes at @p frame through the same checks as a received frame
    /// (for tests: malformed input).
    void inject(const std::uint8_t* frame, std::size_t length, FrameSink sink, void* context) override;
    /// A free send buffer for a frame of up to kMaxFrame bytes, or nullptr (all on the
    /// device). Fill it, then submit().
    std::uint8_t* send_buffer() override;
    /// Offers the buffer send_buffer() gave, holding @p length bytes of frame.
    void submit(std::size_t length) override;
    /// The interrupt handler: acknowledges the device and wakes the network coroutine.
    static void on_interrupt(void* self);
    /// Its counters.
    const NicCounters& counters() const override { return counters_; }

private:
    void reclaim_sent();
    std::uint8_t* rx_buffer(std::uint16_t i) { return rx_area_ + std::size_t{i} * kBufferBytes; }
    std::uint8_t* tx_buffer(std::uint16_t i) { return tx_area_ + std::size_t{i} * kBufferBytes; }

    dev::virtio::Mmio regs_;
    dev::virtio::SplitQueue rx_;
    dev::virtio::SplitQueue tx_;
    std::uint8_t* rx_area_ = nullptr;
    std::uint8_t* tx_area_ = nullptr;
    std::uint16_t tx_free_[kQueueEntries] = {};  // free send buffers (a stack)
    std::uint16_t tx_free_count_ = 0;
    std::uint8_t mac_[6] = {};
    NicCounters counters_;
};

}  // namespace cops::net
