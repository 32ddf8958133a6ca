/// @file frame_allocator.hpp
/// @brief Physical page frames (4 KiB): a free list threaded through the free frames.
///
/// Page tables, user pages and user stacks come from here. The kernel's instance
/// (frames()) owns the RAM after the kernel heap; a host test gives one a buffer.
/// Frames are handed out zeroed, so a new page table or user page never leaks
/// what an earlier owner left in it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cops/lib/result.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::mm {

/// Bytes in a page (and a frame).
inline constexpr std::size_t kPageSize = 4096;

/// Rounds @p v down to a page boundary.
constexpr std::uint64_t page_floor(std::uint64_t v) { return v & ~std::uint64_t{kPageSize - 1}; }
/// Rounds @p v up to a page boundary (wraps to 0 above 2^64 - 4096; callers check).
constexpr std::uint64_t page_ceil(std::uint64_t v) { return page_floor(v + kPageSize - 1); }

/// Where page frames come from. The page-table code asks this interface, so host
/// tests can count and fail allocations.
class FrameSource {
public:
    /// A zeroed, page-aligned frame, or Error::OutOfMemory.
    virtual Result<void*> allocate_frame() = 0;
    /// Returns a frame from allocate_frame().
    virtual void free_frame(void* frame) = 0;
    /// Called by PageTable::destroy() before it clears the table whose root is @p root.
    /// The kernel's allocator panics if this hart still has that table loaded: its
    /// mappings, the kernel's own among them, would vanish under the hart. Host
    /// sources have no page tables loaded to check.
    virtual void table_retiring(const void* root) { (void)root; }

protected:
    ~FrameSource() = default;
};

/// A free list of page frames inside one memory region. Thread-safe.
class FrameAllocator final : public FrameSource {
public:
    /// An allocator with no memory; call add_region().
    FrameAllocator() = default;
    FrameAllocator(const FrameAllocator&) = delete;
    FrameAllocator& operator=(const FrameAllocator&) = delete;

    /// Hands the whole pages inside [@p start, @p start + @p bytes) to the allocator
    /// (at most kMaxRegions regions; more are ignored and false is returned).
    bool add_region(void* start, std::size_t bytes);
    /// Most separate regions an allocator takes.
    static constexpr unsigned kMaxRegions = 4;
    Result<void*> allocate_frame() override;
    void free_frame(void* frame) override;
    void table_retiring(const void* root) override;

    /// Frames free now.
    std::size_t free_count() const;
    /// Frames the allocator manages in total.
    std::size_t total_count() const { return total_; }

private:
    struct FreeFrame {
        FreeFrame* next;
    };
    mutable sync::SpinLock lock_;
    FreeFrame* free_ = nullptr;
    std::size_t free_count_ = 0;
    std::size_t total_ = 0;
    struct Region {
        std::uintptr_t lo, hi;
    };
    Region regions_[kMaxRegions] = {};  // to reject frames that are not ours
    unsigned region_count_ = 0;
};

/// The kernel's frame allocator (RAM after the kernel heap; set up at boot by ch3).
FrameAllocator& frames();

}  // namespace cops::mm
