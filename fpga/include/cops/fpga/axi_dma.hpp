/// @file axi_dma.hpp
/// @brief The Xilinx AXI DMA in scatter-gather mode (PG021): its registers, its
/// descriptors, and the memory the driver hands it.
///
/// Two channels: MM2S (memory to stream: frames to send) and S2MM (stream to
/// memory: frames received). Each walks a ring of 64-byte descriptors from CURDESC
/// and stops after TAILDESC; writing TAILDESC is what starts it. A descriptor it has
/// finished has STATUS.Cmplt set; the driver clears STATUS before it hands the
/// descriptor back (the DMA refuses a descriptor that is already complete).
#pragma once

#include <cstddef>
#include <cstdint>

namespace cops::fpga::dma {

/// Byte offset of the MM2S channel's registers (sending).
inline constexpr std::uint32_t kMm2s = 0x00;
/// Byte offset of the S2MM channel's registers (receiving).
inline constexpr std::uint32_t kS2mm = 0x30;

/// Registers of a channel, from its offset.
inline constexpr std::uint32_t kCr = 0x00;           ///< control
inline constexpr std::uint32_t kSr = 0x04;           ///< status
inline constexpr std::uint32_t kCurdesc = 0x08;      ///< current descriptor, low word
inline constexpr std::uint32_t kCurdescMsb = 0x0c;   ///< current descriptor, high word
inline constexpr std::uint32_t kTaildesc = 0x10;     ///< tail descriptor, low word (writing it starts the channel)
inline constexpr std::uint32_t kTaildescMsb = 0x14;  ///< tail descriptor, high word

/// CR bits.
inline constexpr std::uint32_t kCrRunStop = 1U << 0;    ///< run
inline constexpr std::uint32_t kCrReset = 1U << 2;      ///< soft reset of both channels (reads 1 until done)
inline constexpr std::uint32_t kCrIocIrqEn = 1U << 12;  ///< interrupt on complete
inline constexpr std::uint32_t kCrErrIrqEn = 1U << 14;  ///< interrupt on error
/// CR: raise the completion interrupt after this many descriptors (bits 23:16).
constexpr std::uint32_t cr_threshold(std::uint32_t n) { return (n & 0xff) << 16; }

/// SR bits.
inline constexpr std::uint32_t kSrHalted = 1U << 0;   ///< the channel is stopped
inline constexpr std::uint32_t kSrIdle = 1U << 1;     ///< it reached TAILDESC
inline constexpr std::uint32_t kSrErrors = 0x770;     ///< DMA/SG internal, slave and decode errors
inline constexpr std::uint32_t kSrIocIrq = 1U << 12;  ///< completion interrupt (write 1 to clear)
inline constexpr std::uint32_t kSrDlyIrq = 1U << 13;  ///< delay interrupt (write 1 to clear)
inline constexpr std::uint32_t kSrErrIrq = 1U << 14;  ///< error interrupt (write 1 to clear)
inline constexpr std::uint32_t kSrIrqs = kSrIocIrq | kSrDlyIrq | kSrErrIrq;  ///< every interrupt bit

/// Descriptor CONTROL bits.
inline constexpr std::uint32_t kCtrlLength = 0x03ffffff;  ///< buffer length (bits 25:0)
inline constexpr std::uint32_t kCtrlEof = 1U << 26;       ///< end of frame (MM2S)
inline constexpr std::uint32_t kCtrlSof = 1U << 27;       ///< start of frame (MM2S)

/// Descriptor STATUS bits.
inline constexpr std::uint32_t kStatusLength = 0x03ffffff;  ///< bytes transferred (bits 25:0)
inline constexpr std::uint32_t kStatusRxEof = 1U << 26;     ///< the frame ends in this buffer (S2MM)
inline constexpr std::uint32_t kStatusRxSof = 1U << 27;     ///< the frame starts in this buffer (S2MM)
inline constexpr std::uint32_t kStatusIntErr = 1U << 28;    ///< internal error
inline constexpr std::uint32_t kStatusSlvErr = 1U << 29;    ///< slave error
inline constexpr std::uint32_t kStatusDecErr = 1U << 30;    ///< decode error
inline constexpr std::uint32_t kStatusCmplt = 1U << 31;     ///< the DMA finished this descriptor
inline constexpr std::uint32_t kStatusErrors = kStatusIntErr | kStatusSlvErr | kStatusDecErr;  ///< any error

/// One scatter-gather descriptor, as the DMA reads and writes it.
struct alignas(64) Descriptor {
    std::uint32_t next = 0;          ///< 0x00: the next descriptor's address, low word
    std::uint32_t next_msb = 0;      ///< 0x04: high word
    std::uint32_t buffer = 0;        ///< 0x08: the buffer's address, low word
    std::uint32_t buffer_msb = 0;    ///< 0x0c: high word
    std::uint32_t reserved[2] = {};  ///< 0x10, 0x14
    std::uint32_t control = 0;       ///< 0x18: length, SOF, EOF
    std::uint32_t status = 0;        ///< 0x1c: written by the DMA
    std::uint32_t app[5] = {};       ///< 0x20..0x30: the Ethernet's per-frame words
};
static_assert(sizeof(Descriptor) == 64, "PG021: descriptors are 64-byte aligned, 0x34 bytes used");

/// Memory the DMA may reach, handed to the driver: @p bytes at @p cpu, which the
/// device sees at @p device (the same address on the board: RAM is mapped one to one).
struct Memory {
    std::uint8_t* cpu = nullptr;  ///< where the kernel reads and writes it
    std::uint64_t device = 0;     ///< the same memory as the DMA addresses it
    std::size_t bytes = 0;        ///< its size
};

}  // namespace cops::fpga::dma
