/// @file address_space.hpp
/// @brief A process's address space: its page table, the user part of it, and the
/// checked copies between user memory and the kernel.
///
/// Layout of every address space (Sv39, lower half only):
///
///     0 .. 4 GiB          the kernel's identity map (root entries 0..3, no U bit):
///                         MMIO and RAM, so traps land in mapped kernel code
///     4 GiB (kUserBase)   user program segments, then its .bss and heap
///     ...                 free
///     kUserStackTop       user stacks grow down from here, one slot per thread
///     256 GiB (kUserEnd)  end of the lower half
///
/// The kernel never dereferences a user pointer. copy_in() and copy_out() check the
/// whole range, translate it page by page through the process's table, and copy
/// through the kernel's identity map. A bad pointer is an error code, never a fault.
///
/// User addresses here are integers, as programs hand them over (registers, ELF
/// headers) and as in_user_range() checks them; physical addresses are PhysAddr. The
/// page table below takes VirtAddr and PhysAddr only (address.hpp), so this file is
/// where a user address becomes a VirtAddr.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "cops/lib/result.hpp"
#include "cops/mm/page_table.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::mm {

/// First user address (4 GiB): everything below belongs to the kernel.
inline constexpr std::uint64_t kUserBase = 0x1'0000'0000;
/// One past the last user address (the end of Sv39's lower half).
inline constexpr std::uint64_t kUserEnd = kSv39LowerHalfEnd;
/// Root entries [0, kKernelRootEntries) are the kernel's, shared by every process.
inline constexpr unsigned kKernelRootEntries = kUserBase / kGigaPage;
/// User stacks: slot i spans [top - (i + 1) * kStackSlot, top - i * kStackSlot); the
/// lowest page of each slot stays unmapped as a guard.
inline constexpr std::uint64_t kUserStackTop = kUserEnd - kGigaPage;
/// Bytes reserved per thread stack slot (including its guard page).
inline constexpr std::uint64_t kStackSlot = 1ULL << 20;
/// Bytes of each user stack that are mapped.
inline constexpr std::uint64_t kUserStackBytes = 64 * 1024;

/// True if [@p address, @p address + @p bytes) lies inside user space (no wrap-around).
constexpr bool in_user_range(std::uint64_t address, std::uint64_t bytes) {
    return address >= kUserBase && address <= kUserEnd && bytes <= kUserEnd - address;
}

/// A user address space. Thread-safe: threads of one process share it.
class AddressSpace {
public:
    /// An empty space; init() gives it a table.
    AddressSpace() = default;
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;
    /// Frees everything it owns.
    ~AddressSpace() { destroy(); }

    /// Creates the page table, sharing the kernel's entries of @p kernel.
    Status init(FrameSource& frames, const PageTable& kernel);
    /// Maps zeroed user pages over [@p address, @p address + @p bytes) (page-rounded)
    /// with @p perms (U and V are added). Fails on a bad range, an overlap, or no memory;
    /// then the pages it mapped stay mapped (destroy() frees them).
    Status map_zeroed(std::uint64_t address, std::uint64_t bytes, PteFlags perms);
    /// Unmaps and frees the user pages over [@p address, @p address + @p bytes).
    void unmap(std::uint64_t address, std::uint64_t bytes);
    /// Maps the frames at physical @p physical (page-aligned, owned by someone else:
    /// never freed by this space) at [address, address + bytes) with @p perms for user
    /// mode. Errors: as map_zeroed(), and Error::BadAddress for an unaligned frame.
    Status map_shared(std::uint64_t address, PhysAddr physical, std::uint64_t bytes, PteFlags perms);
    /// Writes into user pages, whatever their permissions (the ELF loader, argv).
    Status write(std::uint64_t address, const void* data, std::size_t bytes);
    /// The translation of one user address, if it is mapped with U.
    std::optional<Translation> translate(std::uint64_t address) const;
    /// Frees all user pages and tables.
    void destroy();

    /// The `satp` value of this space.
    std::uint64_t satp() const { return table_.satp(); }
    /// User pages mapped now.
    std::size_t mapped_pages() const { return pages_; }

private:
    mutable sync::SpinLock lock_;
    PageTable table_;
    std::size_t pages_ = 0;
};

/// True if every byte of [@p address, @p address + @p bytes) is user memory mapped with
/// @p need (Read or Write). Copies nothing: a system call checks its whole buffer first,
/// so that a bad one fails before any side effect.
bool user_range_allowed(const AddressSpace& space, std::uint64_t address, std::uint64_t bytes, PteFlags need);
/// Copies @p bytes from user address @p from into @p to. Error::BadAddress (and
/// possibly a partial copy) if any byte is outside user space, unmapped, or not readable.
Status copy_in(const AddressSpace& space, void* to, std::uint64_t from, std::size_t bytes);
/// Copies @p bytes from @p from to user address @p to. Error::BadAddress if any byte is
/// outside user space, unmapped or not writable; the copy may then be partial.
Status copy_out(const AddressSpace& space, std::uint64_t to, const void* from, std::size_t bytes);
/// Copies a NUL-terminated user string into @p to (at most @p capacity bytes with the
/// NUL) and returns its length. Error::BadAddress as copy_in; Error::Malformed if no
/// NUL comes within @p capacity bytes.
Result<std::size_t> copy_in_string(const AddressSpace& space, char* to, std::size_t capacity, std::uint64_t from);

}  // namespace cops::mm
