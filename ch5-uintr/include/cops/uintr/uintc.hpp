/// @file uintc.hpp
/// @brief The user-interrupt controller (UINTC) of the FPGA board's rocket-chip and
/// the S-mode CSRs that point a hart at it (U-interrupt project spec v0.1.1): the
/// register layout and the values the kernel writes. Portable: host tests check the
/// programming against the layout; the native backend uses it on hardware.
///
///     receiver i's block at base + 0x20 x i (i < 512):
///         +0x00 SEND      write a vector number: sets that pending bit
///         +0x08 STATUS    bit 0 active, bit 1 mode, bits 31:16 the hart it runs on
///         +0x10 PENDING   the 64 pending bits (read; write to set)
///         +0x18 ACTIVE    (a copy of the active bit the hart's UINTC port reads)
///     a sender-table entry (8 bytes, in memory): bit 0 valid, 31:16 the vector,
///         63:48 the receiver index
///     suist 0x1b0: bit 63 enable, 55:44 the table's size in pages - 1, 43:0 its PPN
///     suirs 0x1b1: bit 63 enable, 15:0 the receiver index of the thread on this hart
#pragma once

#include <cstdint>

namespace cops::uintr::uintc {

inline constexpr std::uint64_t kReceiverStride = 0x20;  ///< bytes per receiver block
inline constexpr unsigned kMaxReceivers = 512;          ///< blocks a controller has
inline constexpr std::uint64_t kSend = 0x00;            ///< offsets inside a block
inline constexpr std::uint64_t kStatus = 0x08;          ///< active, mode, hart id
inline constexpr std::uint64_t kPending = 0x10;         ///< the 64 pending bits
inline constexpr std::uint64_t kActive = 0x18;          ///< the active bit the hart's port reads
inline constexpr std::uint32_t kCsrSuist = 0x1b0;       ///< the sender table
inline constexpr std::uint32_t kCsrSuirs = 0x1b1;       ///< the receiver on this hart
inline constexpr std::uint32_t kCsrSuicfg = 0x1b2;      ///< the controller's configuration

/// A sender-table entry for @p receiver and @p vector (valid).
constexpr std::uint64_t sender_entry(unsigned receiver, unsigned vector) {
    return (static_cast<std::uint64_t>(receiver & 0xffff) << 48) | (static_cast<std::uint64_t>(vector & 0xffff) << 16) |
           1;
}
/// suist for a table of @p pages pages at physical page number @p ppn.
constexpr std::uint64_t suist_value(std::uint64_t ppn, unsigned pages) {
    return (1ULL << 63) | (static_cast<std::uint64_t>((pages - 1) & 0xfff) << 44) | (ppn & ((1ULL << 44) - 1));
}
/// suirs naming receiver @p index (or, with @p enable false, none).
constexpr std::uint64_t suirs_value(unsigned index, bool enable) {
    return (enable ? (1ULL << 63) : 0) | (index & 0xffff);
}
/// The STATUS word of a receiver that runs (@p active) on hart @p hart_id.
constexpr std::uint64_t status_value(unsigned hart_id, bool active) {
    return (static_cast<std::uint64_t>(hart_id & 0xffff) << 16) | (active ? 1 : 0);
}

/// One controller's registers at @p base (an MMIO mapping; host tests pass memory).
class Controller {
public:
    /// The controller at @p base.
    explicit Controller(volatile std::uint64_t* base) : base_(base) {}
    /// Marks receiver @p index active on hart @p hart_id (or inactive).
    void bind(unsigned index, unsigned hart_id, bool active);
    /// Raises @p vector on receiver @p index (what a uipi_send through the table does).
    void send(unsigned index, unsigned vector);
    /// Receiver @p index's pending bits.
    std::uint64_t pending(unsigned index) const;
    /// Clears receiver @p index's pending bits and its status (a freed receiver).
    void reset(unsigned index);

private:
    volatile std::uint64_t* reg(unsigned index, std::uint64_t offset) const {
        return base_ + (index * kReceiverStride + offset) / sizeof(std::uint64_t);
    }
    volatile std::uint64_t* base_;
};

}  // namespace cops::uintr::uintc
