/// @file page_table.hpp
/// @brief Sv39 page tables: three levels of 512 entries, 4 KiB pages, 39-bit addresses.
///
/// A virtual address splits into three 9-bit indices (VPN[2], VPN[1], VPN[0]) and a
/// 12-bit page offset. Each level is one 4 KiB frame of 512 page-table entries
/// (PTEs); a PTE with any of R, W, X set is a leaf, otherwise it points to the next
/// level. The kernel runs identity-mapped (virtual = physical), so the frame a PTE
/// names is also a pointer the kernel can follow. Host tests use the same code with
/// frames from a buffer.
#pragma once

#include <cstdint>
#include <optional>

#include "cops/lib/result.hpp"
#include "cops/mm/address.hpp"
#include "cops/mm/frame_allocator.hpp"

namespace cops::mm {

/// Bits of a page-table entry (the low byte of a Sv39 PTE).
enum class PteFlag : std::uint64_t {
    Valid = 1U << 0,     ///< V: the entry is in use
    Read = 1U << 1,      ///< R: readable
    Write = 1U << 2,     ///< W: writable
    Execute = 1U << 3,   ///< X: executable
    User = 1U << 4,      ///< U: reachable from user mode (and not from S-mode unless SUM)
    Global = 1U << 5,    ///< G: in every address space (the kernel's mappings)
    Accessed = 1U << 6,  ///< A: set in advance (QEMU and the board would fault otherwise)
    Dirty = 1U << 7,     ///< D: set in advance, for the same reason
    Shared = 1U << 8,    ///< RSW bit 0 (software's): the frame belongs to someone else;
                         ///< destroy() leaves it (the shared scheduler's pages)
};

/// A set of PteFlag bits.
struct PteFlags {
    std::uint64_t bits = 0;  ///< the low 10 bits of a PTE (8 hardware flags, 2 for software)
    /// The empty set.
    constexpr PteFlags() = default;
    /// One flag.
    constexpr PteFlags(PteFlag f) : bits(static_cast<std::uint64_t>(f)) {}  // NOLINT: implicit by design
    /// True if every flag of @p f is set.
    constexpr bool has(PteFlags f) const { return (bits & f.bits) == f.bits; }
    /// The union.
    constexpr PteFlags operator|(PteFlags o) const { return from_bits(bits | o.bits); }
    /// Flags from raw PTE bits.
    static constexpr PteFlags from_bits(std::uint64_t b) {
        PteFlags f;
        f.bits = b & 0x3ff;
        return f;
    }
    /// Equal sets.
    constexpr bool operator==(const PteFlags&) const = default;
};
/// The union of two flags.
constexpr PteFlags operator|(PteFlag a, PteFlag b) { return PteFlags{a} | PteFlags{b}; }

/// One page-table entry.
struct Pte {
    std::uint64_t raw = 0;  ///< PPN in bits 10..53, flags in bits 0..7

    /// True if V is set.
    constexpr bool valid() const { return (raw & 1U) != 0; }
    /// True for a leaf (R, W or X set); a valid non-leaf points to the next level.
    constexpr bool leaf() const { return (raw & 0xe) != 0; }
    /// The flags.
    constexpr PteFlags flags() const { return PteFlags::from_bits(raw); }
    /// The physical address the entry names (the next table, or the page).
    constexpr PhysAddr address() const { return PhysAddr{((raw >> 10) & ((1ULL << 44) - 1)) << 12}; }
    /// An entry naming @p address (page-aligned) with @p flags.
    static constexpr Pte make(PhysAddr address, PteFlags flags) {
        return Pte{((address.value() >> 12) << 10) | flags.bits};
    }
};

/// Entries per table (4096 / 8).
inline constexpr unsigned kPtesPerTable = 512;
/// Bytes a level-2 (root) entry covers: 1 GiB.
inline constexpr std::uint64_t kGigaPage = 1ULL << 30;
/// Virtual addresses below this are the lower half of Sv39; the kit uses only that half.
inline constexpr std::uint64_t kSv39LowerHalfEnd = 1ULL << 38;

/// The index into the level-@p level table (2 = root) for virtual address @p va.
constexpr unsigned vpn(VirtAddr va, unsigned level) { return (va.value() >> (12 + 9 * level)) & 0x1ff; }
/// True if @p va lies in the lower half of Sv39, the only half the kit uses.
constexpr bool in_lower_half(VirtAddr va) { return va.value() < kSv39LowerHalfEnd; }

/// What translate() finds for a virtual address.
struct Translation {
    PhysAddr physical;  ///< the physical address (page base + offset)
    PteFlags flags;     ///< the leaf's flags
};

/// One Sv39 page table: a root frame and the frames below it.
class PageTable {
public:
    /// A table with no root (create() makes a real one).
    PageTable() = default;
    /// A table with a fresh, empty root from @p frames.
    static Result<PageTable> create(FrameSource& frames);

    /// The leaf entry for @p va at level 0, or nullptr if a level is missing and
    /// @p create is false (or a frame for it cannot be allocated). With @p create,
    /// missing levels are allocated. A huge leaf on the way (a gigapage) also
    /// gives nullptr: it has no level-0 entry.
    Pte* walk(VirtAddr va, bool create);
    /// Maps the 4 KiB page at @p va to the frame at @p pa with @p flags (V is added).
    /// Error::BadAddress if either is not page-aligned or @p va is outside the lower
    /// half; Error::Malformed if @p flags has none of R, W, X; Error::BadState if @p va is
    /// already mapped; Error::OutOfMemory.
    Status map(VirtAddr va, PhysAddr pa, PteFlags flags);
    /// Maps the 1 GiB page at @p va to @p pa in the root (both 1 GiB-aligned).
    Status map_giga(VirtAddr va, PhysAddr pa, PteFlags flags);
    /// Removes the mapping of the page at @p va and returns the frame it named.
    Result<PhysAddr> unmap(VirtAddr va);
    /// The physical address and flags for @p va, if it is mapped (any page size).
    std::optional<Translation> translate(VirtAddr va) const;
    /// Copies the root entries [@p first, @p last) of @p other (the kernel's part).
    void share_root_entries(const PageTable& other, unsigned first, unsigned last);
    /// Frees every frame below the root that this table owns: the lower-level tables,
    /// and the pages of level-0 leaves with U set. Root leaves (shared gigapages)
    /// stay. Then frees the root. The table is empty afterwards.
    void destroy();

    /// The `satp` value that selects this table (Sv39 mode, ASID 0).
    std::uint64_t satp() const;
    /// The root frame (nullptr before create()).
    Pte* root() const { return root_; }
    /// The source its frames come from.
    FrameSource* frames() const { return frames_; }

private:
    void free_level(Pte* table, unsigned level);
    Pte* root_ = nullptr;
    FrameSource* frames_ = nullptr;
};

}  // namespace cops::mm
