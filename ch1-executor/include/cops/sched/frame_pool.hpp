/// @file frame_pool.hpp
/// @brief Coroutine frames from a fixed pool instead of the heap.
///
/// A coroutine whose **first parameter** is a `FramePool&` gets its frame from that
/// pool (task.hpp's promise finds the pool among the arguments):
///
///     sched::Task<void> serve(sched::FramePool& pool, Request& r);   // frame from pool
///
/// The pool is carved once, at boot, into equal slots; taking and returning a slot is
/// a pop and a push on a free list. When every slot is taken (or the frame is larger
/// than a slot) the coroutine cannot start: the call returns an empty Task, which the
/// caller reports as an error (ch4 returns EAGAIN). Nothing is allocated per call.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cops/sync/spinlock.hpp"

namespace cops::sched {

/// A fixed set of equal-sized coroutine frames. Thread-safe.
class FramePool {
public:
    /// An empty pool: every allocation fails until init().
    FramePool() = default;
    FramePool(const FramePool&) = delete;
    FramePool& operator=(const FramePool&) = delete;

    /// Uses @p memory (at least @p slots * @p slot_bytes bytes, 16-byte aligned) as
    /// @p slots frames of @p slot_bytes each (rounded up to 16).
    void init(void* memory, std::uint32_t slots, std::uint32_t slot_bytes) {
        sync::LockGuard<sync::SpinLock> g(lock_);
        slot_bytes_ = (slot_bytes + 15U) & ~15U;
        capacity_ = slots;
        free_ = nullptr;
        auto* base = static_cast<unsigned char*>(memory);
        for (std::uint32_t i = slots; i-- > 0;) {
            auto* s = reinterpret_cast<FreeSlot*>(base + std::size_t{i} * slot_bytes_);
            s->next = free_;
            free_ = s;
        }
    }

    /// A slot for a frame of @p bytes, or nullptr (pool empty, or @p bytes > slot size).
    void* allocate(std::size_t bytes) noexcept {
        sync::LockGuard<sync::SpinLock> g(lock_);
        if (bytes > slot_bytes_) {
            ++too_big_;
            return nullptr;
        }
        FreeSlot* s = free_;
        if (s == nullptr) {
            ++exhausted_;
            return nullptr;
        }
        free_ = s->next;
        if (++in_use_ > high_water_) {
            high_water_ = in_use_;
        }
        return s;
    }

    /// Returns a slot taken by allocate().
    void free(void* slot) noexcept {
        sync::LockGuard<sync::SpinLock> g(lock_);
        auto* s = static_cast<FreeSlot*>(slot);
        s->next = free_;
        free_ = s;
        --in_use_;
    }

    /// Slots in the pool.
    std::uint32_t capacity() const { return capacity_; }
    /// Bytes of each slot.
    std::uint32_t slot_bytes() const { return slot_bytes_; }
    /// Slots taken now.
    std::uint32_t in_use() const { return in_use_; }
    /// Most slots ever taken at once.
    std::uint32_t high_water() const { return high_water_; }
    /// Allocations refused because every slot was taken.
    std::uint64_t exhausted() const { return exhausted_; }
    /// Allocations refused because the frame was larger than a slot (a kit bug: the
    /// slot size must cover the largest pooled coroutine).
    std::uint64_t too_big() const { return too_big_; }

private:
    struct FreeSlot {
        FreeSlot* next;
    };
    sync::SpinLock lock_;
    FreeSlot* free_ = nullptr;
    std::uint32_t capacity_ = 0;
    std::uint32_t slot_bytes_ = 0;
    std::uint32_t in_use_ = 0;
    std::uint32_t high_water_ = 0;
    std::uint64_t exhausted_ = 0;
    std::uint64_t too_big_ = 0;
};

}  // namespace cops::sched
