/// @file frame_allocator.cpp
/// @brief The free list of page frames.
#include "cops/mm/frame_allocator.hpp"

#include <cstring>

#include "cops/arch/csr.hpp"
#include "cops/lib/panic.hpp"

namespace cops::mm {

bool FrameAllocator::add_region(void* start, std::size_t bytes) {
    const std::uintptr_t lo = page_ceil(reinterpret_cast<std::uintptr_t>(start));
    const std::uintptr_t hi = page_floor(reinterpret_cast<std::uintptr_t>(start) + bytes);
    sync::LockGuard guard(lock_);
    if (region_count_ == kMaxRegions) {
        return false;
    }
    if (hi <= lo) {
        return true;
    }
    regions_[region_count_++] = {lo, hi};
    // Push high to low so that the first frames handed out are the lowest ones.
    for (std::uintptr_t p = hi; p > lo;) {
        p -= kPageSize;
        auto* f = reinterpret_cast<FreeFrame*>(p);
        f->next = free_;
        free_ = f;
        ++free_count_;
        ++total_;
    }
    return true;
}

Result<void*> FrameAllocator::allocate_frame() {
    FreeFrame* f;
    {
        sync::LockGuard guard(lock_);
        f = free_;
        if (f == nullptr) {
            return Error::OutOfMemory;
        }
        free_ = f->next;
        --free_count_;
    }
    std::memset(f, 0, kPageSize);
    return static_cast<void*>(f);
}

void FrameAllocator::free_frame(void* frame) {
    const auto p = reinterpret_cast<std::uintptr_t>(frame);
    bool ours = false;
    for (unsigned i = 0; i < region_count_; ++i) {
        ours = ours || (p >= regions_[i].lo && p < regions_[i].hi);
    }
    if (p % kPageSize != 0 || !ours) {
        panic("free_frame({}): not a frame this allocator handed out", frame);
    }
    auto* f = static_cast<FreeFrame*>(frame);
    sync::LockGuard guard(lock_);
    f->next = free_;
    free_ = f;
    ++free_count_;
}

void FrameAllocator::table_retiring(const void* root) {
    // A hart runs a user table only between entering user mode and the trap that ends
    // it (user_thread.cpp switches back at once), so only this hart can have the table
    // loaded here: the last thread of a process frees its table itself.
    const std::uint64_t ppn = reinterpret_cast<std::uintptr_t>(root) >> 12;
    if ((arch::satp.read() & ((1ULL << 44) - 1)) == ppn) {
        panic(
            "page table {}: this hart still has it loaded; switch to the kernel's table "
            "(activate_kernel_space) before a process's table is freed",
            root);
    }
}

std::size_t FrameAllocator::free_count() const {
    sync::LockGuard guard(lock_);
    return free_count_;
}

}  // namespace cops::mm
