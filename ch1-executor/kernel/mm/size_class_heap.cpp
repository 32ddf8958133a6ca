/// @file size_class_heap.cpp
/// @brief The size-class allocator. Portable: also built for the host tests.
#include "cops/mm/size_class_heap.hpp"

namespace cops::mm {

/// Sits just before every block.
struct SizeClassHeap::Header {
    std::uint32_t magic;      ///< kLive or kFree
    std::uint32_t cls;        ///< size class
    std::uint64_t requested;  ///< bytes the caller asked for
};

namespace {
constexpr std::uint32_t kLive = 0xC0C0A11C;
constexpr std::uint32_t kFree = 0xC0C0F4EE;
constexpr std::size_t kHeader = 16;  // sizeof(Header), checked in allocate()
}  // namespace

void SizeClassHeap::init(void* base, std::size_t bytes) {
    sync::LockGuard guard(lock_);
    auto start = reinterpret_cast<std::uintptr_t>(base);
    const std::uintptr_t aligned = (start + 15) & ~std::uintptr_t{15};
    base_ = reinterpret_cast<std::uint8_t*>(aligned);
    size_ = bytes > aligned - start ? bytes - (aligned - start) : 0;
    carved_ = 0;
    for (auto& f : free_) {
        f = nullptr;
    }
    for (auto& l : live_) {
        l = 0;
    }
    stats_ = HeapStats{};
    stats_.capacity = size_;
}

unsigned SizeClassHeap::class_of(std::size_t bytes) {
    unsigned cls = 0;
    std::size_t size = kMinBlock;
    while (size < bytes) {
        size <<= 1;
        if (++cls == kClasses) {
            return kClasses;
        }
    }
    return cls;
}

void* SizeClassHeap::allocate(std::size_t bytes) {
    static_assert(sizeof(Header) == kHeader);
    const unsigned cls = class_of(bytes);
    sync::LockGuard guard(lock_);
    if (cls >= kClasses) {
        ++stats_.failures;
        return nullptr;
    }
    Header* h;
    if (free_[cls] != nullptr) {
        auto* block = free_[cls];
        free_[cls] = block->next;
        h = reinterpret_cast<Header*>(reinterpret_cast<std::uint8_t*>(block) - kHeader);
    } else {
        const std::size_t need = kHeader + class_size(cls);
        if (need > size_ - carved_) {
            ++stats_.failures;
            return nullptr;
        }
        h = reinterpret_cast<Header*>(base_ + carved_);
        carved_ += need;
        stats_.carved = carved_;
    }
    h->magic = kLive;
    h->cls = cls;
    h->requested = bytes;
    ++live_[cls];
    ++stats_.allocations;
    stats_.bytes_in_use += bytes;
    stats_.bytes_reserved += kHeader + class_size(cls);
    if (stats_.bytes_in_use > stats_.peak_in_use) {
        stats_.peak_in_use = stats_.bytes_in_use;
    }
    return reinterpret_cast<std::uint8_t*>(h) + kHeader;
}

SizeClassHeap::Header* SizeClassHeap::header_of(const void* p) const {
    const auto* bytes = static_cast<const std::uint8_t*>(p);
    if (bytes < base_ + kHeader || bytes >= base_ + carved_ ||
        ((reinterpret_cast<std::uintptr_t>(bytes) - reinterpret_cast<std::uintptr_t>(base_)) & 15U) != 0) {
        return nullptr;
    }
    return reinterpret_cast<Header*>(const_cast<std::uint8_t*>(bytes) - kHeader);
}

FreeError SizeClassHeap::free(void* p) {
    if (p == nullptr) {
        return FreeError::None;
    }
    sync::LockGuard guard(lock_);
    Header* h = header_of(p);
    if (h == nullptr) {
        ++stats_.bad_frees;
        return FreeError::NotFromHeap;
    }
    if (h->magic == kFree) {
        ++stats_.bad_frees;
        return FreeError::DoubleFree;
    }
    if (h->magic != kLive || h->cls >= kClasses || h->requested > class_size(h->cls)) {
        ++stats_.bad_frees;
        return FreeError::Corrupt;
    }
    h->magic = kFree;
    --live_[h->cls];
    ++stats_.frees;
    stats_.bytes_in_use -= h->requested;
    stats_.bytes_reserved -= kHeader + class_size(h->cls);
    auto* block = static_cast<FreeBlock*>(p);
    block->next = free_[h->cls];
    free_[h->cls] = block;
    return FreeError::None;
}

std::size_t SizeClassHeap::size_of(const void* p) const {
    sync::LockGuard guard(lock_);
    const Header* h = header_of(p);
    return h != nullptr && h->magic == kLive ? h->requested : 0;
}

HeapStats SizeClassHeap::stats() const {
    sync::LockGuard guard(lock_);
    return stats_;
}

}  // namespace cops::mm
