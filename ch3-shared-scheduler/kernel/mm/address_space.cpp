/// @file address_space.cpp
/// @brief Building and tearing down user address spaces.
#include "cops/mm/address_space.hpp"

#include <algorithm>
#include <cstring>

namespace cops::mm {

Status AddressSpace::init(FrameSource& frames, const PageTable& kernel) {
    auto t = PageTable::create(frames);
    if (!t) {
        return t.error();
    }
    table_ = t.value();
    table_.share_root_entries(kernel, 0, kKernelRootEntries);
    return {};
}

Status AddressSpace::map_zeroed(std::uint64_t address, std::uint64_t bytes, PteFlags perms) {
    // Check [address, address + bytes) itself: adding the offset into the first page to
    // bytes first could wrap a huge length around to a small one.
    if (bytes == 0 || !in_user_range(address, bytes)) {
        return Error::BadAddress;
    }
    const std::uint64_t lo = page_floor(address);
    const std::uint64_t hi = page_ceil(address + bytes);
    sync::LockGuard guard(lock_);
    for (std::uint64_t va = lo; va < hi; va += kPageSize) {
        auto frame = table_.frames()->allocate_frame();
        if (!frame) {
            return frame.error();
        }
        const Status s = table_.map(VirtAddr{va}, physical_of(frame.value()), perms | PteFlag::User);
        if (!s) {
            table_.frames()->free_frame(frame.value());
            return s;
        }
        ++pages_;
    }
    return {};
}

Status AddressSpace::map_shared(std::uint64_t address, PhysAddr physical, std::uint64_t bytes, PteFlags perms) {
    if (bytes == 0 || !in_user_range(address, bytes) || !physical.aligned_to(kPageSize) ||
        page_floor(address) != address) {
        return Error::BadAddress;
    }
    sync::LockGuard guard(lock_);
    for (std::uint64_t off = 0; off < bytes; off += kPageSize) {
        const Status s = table_.map(VirtAddr{address + off}, physical + off, perms | PteFlag::User | PteFlag::Shared);
        if (!s) {
            return s;
        }
    }
    return {};
}

void AddressSpace::unmap(std::uint64_t address, std::uint64_t bytes) {
    const std::uint64_t lo = page_floor(address);
    if (!in_user_range(lo, bytes)) {
        return;
    }
    sync::LockGuard guard(lock_);
    for (std::uint64_t va = lo; va < address + bytes; va += kPageSize) {
        const auto t = table_.translate(VirtAddr{va});
        if (t && t->flags.has(PteFlag::User)) {
            const bool shared = t->flags.has(PteFlag::Shared);
            const auto pa = table_.unmap(VirtAddr{va});
            if (pa && !shared) {
                table_.frames()->free_frame(pointer_to(pa.value()));
                --pages_;
            }
        }
    }
}

Status AddressSpace::write(std::uint64_t address, const void* data, std::size_t bytes) {
    if (!in_user_range(address, bytes)) {
        return Error::BadAddress;
    }
    const auto* src = static_cast<const unsigned char*>(data);
    while (bytes > 0) {
        const auto t = translate(address);
        if (!t) {
            return Error::BadAddress;
        }
        const std::size_t chunk = std::min<std::uint64_t>(bytes, kPageSize - address % kPageSize);
        std::memcpy(pointer_to(t->physical), src, chunk);
        src += chunk;
        address += chunk;
        bytes -= chunk;
    }
    return {};
}

std::optional<Translation> AddressSpace::translate(std::uint64_t address) const {
    if (!in_user_range(address, 1)) {
        return std::nullopt;
    }
    sync::LockGuard guard(lock_);
    const auto t = table_.translate(VirtAddr{address});
    if (!t || !t->flags.has(PteFlag::User)) {
        return std::nullopt;
    }
    return t;
}

void AddressSpace::destroy() {
    sync::LockGuard guard(lock_);
    table_.destroy();
    pages_ = 0;
}

}  // namespace cops::mm
