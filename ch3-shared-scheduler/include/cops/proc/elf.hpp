/// @file elf.hpp
/// @brief Checking an ELF64 RISC-V executable and listing what to load.
///
/// The loader trusts nothing in the file: every offset and size is checked against
/// the file's length and the user address range, without overflow, before a byte is
/// copied. A file that fails a check is Error::Malformed, with a reason for the log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "cops/lib/result.hpp"
#include "cops/mm/page_table.hpp"

namespace cops::proc {

/// Most loadable segments a program may have.
inline constexpr unsigned kMaxSegments = 8;
/// Most bytes one segment may occupy in memory (larger is "absurd").
inline constexpr std::uint64_t kMaxSegmentBytes = 64ULL << 20;

/// One PT_LOAD segment, checked.
struct ElfSegment {
    std::uint64_t address = 0;      ///< where it goes (p_vaddr)
    std::uint64_t memory_size = 0;  ///< bytes in memory (p_memsz); the rest after file_size is zero
    std::uint64_t file_offset = 0;  ///< where its bytes start in the file (p_offset)
    std::uint64_t file_size = 0;    ///< bytes in the file (p_filesz)
    mm::PteFlags perms;             ///< Read/Write/Execute from p_flags
};

/// A checked executable: its entry point and its segments.
struct ElfImage {
    std::uint64_t entry = 0;                 ///< first instruction (e_entry)
    ElfSegment segments[kMaxSegments] = {};  ///< the PT_LOAD segments in file order
    unsigned segment_count = 0;              ///< how many are used
};

/// Where a program may be loaded: [lo, hi).
struct LoadRange {
    std::uint64_t lo;  ///< lowest address
    std::uint64_t hi;  ///< one past the highest
};

/// Checks @p file and lists its segments. Error::Malformed if it is not a 64-bit
/// little-endian RISC-V executable, if a header or segment lies outside the file, if
/// a segment is outside @p range, larger than kMaxSegmentBytes or overlaps another
/// (at page granularity), if there are no or too many segments, or if the entry
/// point is not in an executable segment. @p why (if given) gets the reason.
Result<ElfImage> parse_elf(std::span<const std::byte> file, LoadRange range, const char** why = nullptr);

}  // namespace cops::proc
