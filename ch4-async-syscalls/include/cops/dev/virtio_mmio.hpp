/// @file virtio_mmio.hpp
/// @brief virtio over MMIO (virtio 1.1, §4.2), the legacy interface (Version 1) that
/// QEMU 7.2's `virt` machine gives by default, and a split virtqueue in the legacy
/// layout. Shared by the block driver (ch4) and, later, the network driver (ch6).
///
/// Legacy queue layout (one physically contiguous area, QueueAlign = 4096):
///
///     descriptors  16 * N bytes        the driver fills them
///     available    4 + 2 * N bytes     the driver's ring of heads it offers
///     (pad to 4096)
///     used         4 + 8 * N bytes     the device's ring of heads it finished
#pragma once

#include <cstddef>
#include <cstdint>

#include "cops/lib/result.hpp"

namespace cops::dev::virtio {

/// Register offsets of a virtio-mmio device (legacy where they differ).
enum class Reg : std::uint32_t {
    Magic = 0x000,            ///< "virt" (0x74726976)
    Version = 0x004,          ///< 1: legacy, 2: modern
    DeviceId = 0x008,         ///< 0: empty slot, 1: network, 2: block
    HostFeatures = 0x010,     ///< features the device offers (bits 0..31)
    GuestFeatures = 0x020,    ///< features the driver takes
    GuestPageSize = 0x028,    ///< legacy: the page size the PFN counts in
    QueueSel = 0x030,         ///< which queue the next queue registers mean
    QueueNumMax = 0x034,      ///< largest size the device allows for it
    QueueNum = 0x038,         ///< the size the driver chose
    QueueAlign = 0x03c,       ///< legacy: alignment of the used ring
    QueuePfn = 0x040,         ///< legacy: page number of the queue area (0: none)
    QueueNotify = 0x050,      ///< write the queue index: new buffers are available
    InterruptStatus = 0x060,  ///< bit 0: used ring updated, bit 1: configuration changed
    InterruptAck = 0x064,     ///< write the bits handled
    Status = 0x070,           ///< the driver's progress (Status bits); 0 resets
    Config = 0x100,           ///< device-specific configuration starts here
};

/// Device status bits.
enum class StatusBit : std::uint32_t {
    Acknowledge = 1,  ///< the guest saw the device
    Driver = 2,       ///< the guest has a driver for it
    DriverOk = 4,     ///< the driver is ready
    Failed = 128,     ///< the driver gave up
};

/// Device types (virtio 1.1 §5).
enum class DeviceType : std::uint32_t {
    Network = 1,  ///< virtio-net
    Block = 2,    ///< virtio-blk
};

/// One virtio-mmio register window.
class Mmio {
public:
    /// The window at @p base.
    explicit Mmio(std::uintptr_t base = 0) : base_(base) {}
    /// Reads register @p r (plus @p offset, for configuration bytes).
    std::uint32_t read(Reg r, std::uint32_t offset = 0) const {
        return *reinterpret_cast<volatile std::uint32_t*>(base_ + static_cast<std::uint32_t>(r) + offset);
    }
    /// Writes register @p r.
    void write(Reg r, std::uint32_t value) const {
        *reinterpret_cast<volatile std::uint32_t*>(base_ + static_cast<std::uint32_t>(r)) = value;
    }
    /// Sets status bit @p b (keeping the others).
    void set_status(StatusBit b) const { write(Reg::Status, read(Reg::Status) | static_cast<std::uint32_t>(b)); }
    /// The window's base address.
    std::uintptr_t base() const { return base_; }

private:
    std::uintptr_t base_;
};

/// A device found in the device tree.
struct Found {
    Mmio regs;         ///< its registers
    unsigned irq = 0;  ///< its PLIC interrupt
};

/// The virtio-mmio device of type @p type at the highest address but @p nth (0: the
/// highest) among the slots that are not empty. QEMU fills slots from the top, so
/// this is the order of the `-device` options. Errors: NotFound (none), Malformed
/// (bad node), BadState (not the legacy interface: QEMU with
/// `-global virtio-mmio.force-legacy=false`).
Result<Found> find_device(DeviceType type, unsigned nth = 0);

/// Descriptor flags.
inline constexpr std::uint16_t kDescNext = 1;   ///< another descriptor follows (in `next`)
inline constexpr std::uint16_t kDescWrite = 2;  ///< the device writes this buffer

/// One descriptor.
struct Descriptor {
    std::uint64_t address;  ///< physical address of the buffer
    std::uint32_t length;   ///< its bytes
    std::uint16_t flags;    ///< kDescNext, kDescWrite
    std::uint16_t next;     ///< the next descriptor of the chain
};
static_assert(sizeof(Descriptor) == 16);

/// A split virtqueue in the legacy layout, in memory the driver owns.
class SplitQueue {
public:
    /// Allocates the queue area for @p size entries (a power of two, at most 256) and
    /// hands it to queue @p index of @p regs. Errors: OutOfMemory, BadState (the
    /// device's queue is missing or smaller than @p size).
    Status setup(const Mmio& regs, std::uint32_t index, std::uint16_t size);

    /// Descriptor @p i.
    Descriptor& desc(std::uint16_t i) { return desc_[i]; }
    /// Offers the chain starting at descriptor @p head to the device (then notify).
    void offer(std::uint16_t head);
    /// Takes the next finished chain: its head in *@p head, bytes written in *@p length.
    /// False when the device has finished nothing new.
    bool take_used(std::uint16_t* head, std::uint32_t* length);
    /// Entries of the queue.
    std::uint16_t size() const { return size_; }

private:
    Descriptor* desc_ = nullptr;
    volatile std::uint16_t* avail_ = nullptr;  // flags, idx, ring[size]
    volatile std::uint16_t* used_ = nullptr;   // flags, idx, then {u32 id, u32 len}[size]
    std::uint16_t size_ = 0;
    std::uint16_t last_used_ = 0;
};

}  // namespace cops::dev::virtio
