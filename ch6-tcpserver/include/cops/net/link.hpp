/// @file link.hpp
/// @brief What the stack needs of a network device: frames in, frames out, its MAC.
///
/// Two drivers implement it: virtio-net (virtio_net.hpp, QEMU) and the FPGA board's
/// AXI Ethernet behind its AXI DMA (fpga/include/cops/fpga/axi_nic.hpp). The stack
/// (stack.cpp) gives each Link one lwIP netif and calls it only under the stack lock.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cops/lib/result.hpp"

namespace cops::net {

/// Smallest frame a driver passes on: an Ethernet header.
inline constexpr std::size_t kMinFrame = 14;
/// Largest frame: 1500 bytes of payload plus the Ethernet header.
inline constexpr std::size_t kMaxFrame = 1514;

/// Counters of one network device.
struct NicCounters {
    std::uint64_t frames_in = 0;      ///< frames handed on
    std::uint64_t frames_out = 0;     ///< frames offered to the device
    std::uint64_t malformed = 0;      ///< received frames too short, too long or broken (dropped)
    std::uint64_t no_room = 0;        ///< frames dropped: no free send buffer, or lwIP had no pbuf
    std::uint64_t interrupts = 0;     ///< interrupts taken
    std::uint64_t device_errors = 0;  ///< errors the device reported (and recovered from)
};

/// Where received frames go: @p frame points at @p length bytes, valid only during
/// the call. Returns false if the frame was dropped (no memory).
using FrameSink = bool (*)(void* context, const std::uint8_t* frame, std::size_t length);

/// Hands @p length bytes at @p frame to @p sink and counts the frame in @p counters:
/// frames_in, or no_room if the sink dropped it. Every driver's last step for a frame.
inline void hand_on(NicCounters& counters, FrameSink sink, void* context, const std::uint8_t* frame,
                    std::size_t length) {
    if (sink(context, frame, length)) {
        ++counters.frames_in;
    } else {
        ++counters.no_room;
    }
}

/// One network device as the stack drives it.
class Link {
public:
    /// Its MAC address (6 bytes).
    virtual const std::uint8_t* mac() const = 0;
    /// Hands every frame the device has received to @p sink and gives the buffers
    /// back to the device. Returns the frames looked at.
    virtual unsigned receive(FrameSink sink, void* context) = 0;
    /// Passes @p length bytes at @p frame through the same checks as a received
    /// frame, then to @p sink (for tests: malformed input).
    virtual void inject(const std::uint8_t* frame, std::size_t length, FrameSink sink, void* context) = 0;
    /// A free send buffer for a frame of up to kMaxFrame bytes, or nullptr (all busy).
    /// Fill it, then submit().
    virtual std::uint8_t* send_buffer() = 0;
    /// Offers the buffer send_buffer() gave, holding @p length bytes of frame.
    virtual void submit(std::size_t length) = 0;
    /// Its counters.
    virtual const NicCounters& counters() const = 0;

protected:
    ~Link() = default;
};

}  // namespace cops::net
