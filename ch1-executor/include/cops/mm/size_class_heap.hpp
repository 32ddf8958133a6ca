/// @file size_class_heap.hpp
/// @brief A size-class allocator over one memory region, with byte accounting.
///
/// Requests are rounded up to a power of two from 16 bytes to 4 MiB (19 classes).
/// Each class keeps a free list of blocks it has handed out before; a class with an
/// empty list carves a new block from the untouched end of the region. Freed blocks
/// stay in their class (no coalescing): simple, O(1), and exactly what coroutine
/// frames of a few fixed sizes want. A 16-byte header before each block records its
/// class and a magic word, so a double free or a foreign pointer is caught.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cops/sync/spinlock.hpp"

namespace cops::mm {

/// Counters a heap keeps; `bytes_in_use` counts what callers asked for.
struct HeapStats {
    std::size_t bytes_in_use = 0;    ///< sum of requested sizes of live blocks
    std::size_t bytes_reserved = 0;  ///< sum of class sizes (incl. headers) of live blocks
    std::size_t peak_in_use = 0;     ///< highest bytes_in_use seen
    std::size_t carved = 0;          ///< bytes taken from the region so far
    std::size_t capacity = 0;        ///< size of the region
    std::uint64_t allocations = 0;   ///< successful allocate() calls
    std::uint64_t frees = 0;         ///< successful free() calls
    std::uint64_t failures = 0;      ///< allocate() calls that returned nullptr
    std::uint64_t bad_frees = 0;     ///< free() calls with a pointer the heap did not give out
};

/// What free() found wrong with a pointer.
enum class FreeError : std::uint8_t {
    None,         ///< freed
    NotFromHeap,  ///< outside the region or misaligned
    DoubleFree,   ///< the block is already free
    Corrupt,      ///< the block's header was overwritten
};

/// The allocator. Thread-safe (one spin lock).
class SizeClassHeap {
public:
    /// Smallest block (bytes, without header).
    static constexpr std::size_t kMinBlock = 16;
    /// Number of classes: 16 B .. 4 MiB.
    static constexpr unsigned kClasses = 19;
    /// Largest request served.
    static constexpr std::size_t kMaxBlock = kMinBlock << (kClasses - 1);

    /// An empty heap; call init() before use.
    SizeClassHeap() = default;
    /// Manages [@p base, @p base + @p bytes).
    void init(void* base, std::size_t bytes);

    /// A block of at least @p bytes (16-byte aligned), or nullptr. 0 bytes gives a 16-byte block.
    void* allocate(std::size_t bytes);
    /// Returns a block; reports (and survives) pointers it did not hand out.
    FreeError free(void* p);
    /// The requested size of a live block, or 0 if @p p is not a live block of this heap.
    std::size_t size_of(const void* p) const;
    /// The class a request of @p bytes falls in (kClasses if too large).
    static unsigned class_of(std::size_t bytes);
    /// Size of blocks of class @p cls.
    static constexpr std::size_t class_size(unsigned cls) { return kMinBlock << cls; }

    /// A snapshot of the counters.
    HeapStats stats() const;
    /// Number of live blocks in class @p cls.
    std::size_t live_in_class(unsigned cls) const { return cls < kClasses ? live_[cls] : 0; }

private:
    struct Header;
    struct FreeBlock {
        FreeBlock* next;
    };
    Header* header_of(const void* p) const;

    std::uint8_t* base_ = nullptr;
    std::size_t size_ = 0;
    std::size_t carved_ = 0;
    FreeBlock* free_[kClasses] = {};
    std::size_t live_[kClasses] = {};
    HeapStats stats_;
    mutable sync::SpinLock lock_;
};

}  // namespace cops::mm
