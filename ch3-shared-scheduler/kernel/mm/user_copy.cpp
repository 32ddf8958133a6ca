/// @file user_copy.cpp
/// @brief copy_in / copy_out: the only way the kernel touches user memory.
#include <algorithm>
#include <cstring>

#include "cops/mm/address_space.hpp"

namespace cops::mm {

namespace {
/// The kernel pointer for user address @p address if it is mapped with @p need, or nullptr.
unsigned char* user_byte(const AddressSpace& space, std::uint64_t address, PteFlags need) {
    // LAB(ch3): checking one user page
    // translate() gives the physical address only for pages mapped with U. The page
    // must also allow the access: R to copy in, W to copy out. Physical addresses
    // are kernel pointers (the kernel is identity-mapped).
    const auto t = space.translate(address);
    if (!t || !t->flags.has(need)) {
        return nullptr;
    }
    return pointer_to<unsigned char>(t->physical);
    // LAB-STUB: (void)space; (void)address; (void)need;
    // LAB-STUB: return nullptr;
    // END-LAB
}

/// Bytes from @p address to the end of its page.
std::size_t rest_of_page(std::uint64_t address) { return kPageSize - address % kPageSize; }
}  // namespace

Status copy_in(const AddressSpace& space, void* to, std::uint64_t from, std::size_t bytes) {
    // LAB(ch3): copy_in checks
    // First the whole range: inside user space, and no wrap-around (a huge length
    // must fail here, before any copying). Then page by page: each page must be
    // mapped and readable (user_byte), and a copy never crosses a page boundary,
    // because the next virtual page may be anywhere in physical memory.
    if (!in_user_range(from, bytes)) {
        return Error::BadAddress;
    }
    auto* dst = static_cast<unsigned char*>(to);
    while (bytes > 0) {
        const unsigned char* src = user_byte(space, from, PteFlag::Read);
        if (src == nullptr) {
            return Error::BadAddress;
        }
        const std::size_t chunk = std::min(bytes, rest_of_page(from));
        std::memcpy(dst, src, chunk);
        dst += chunk;
        from += chunk;
        bytes -= chunk;
    }
    return {};
    // LAB-STUB: (void)space; (void)to; (void)from; (void)bytes; (void)rest_of_page;
    // LAB-STUB: return Error::BadAddress;
    // END-LAB
}

Status copy_out(const AddressSpace& space, std::uint64_t to, const void* from, std::size_t bytes) {
    // LAB(ch3): copy_out checks
    // The mirror of copy_in, needing W instead of R.
    if (!in_user_range(to, bytes)) {
        return Error::BadAddress;
    }
    const auto* src = static_cast<const unsigned char*>(from);
    while (bytes > 0) {
        unsigned char* dst = user_byte(space, to, PteFlag::Write);
        if (dst == nullptr) {
            return Error::BadAddress;
        }
        const std::size_t chunk = std::min(bytes, rest_of_page(to));
        std::memcpy(dst, src, chunk);
        src += chunk;
        to += chunk;
        bytes -= chunk;
    }
    return {};
    // LAB-STUB: (void)space; (void)to; (void)from; (void)bytes;
    // LAB-STUB: return Error::BadAddress;
    // END-LAB
}

bool user_range_allowed(const AddressSpace& space, std::uint64_t address, std::uint64_t bytes, PteFlags need) {
    if (!in_user_range(address, bytes)) {
        return false;
    }
    for (std::uint64_t page = page_floor(address); page < address + bytes; page += kPageSize) {
        if (user_byte(space, page, need) == nullptr) {
            return false;
        }
    }
    return true;
}

Result<std::size_t> copy_in_string(const AddressSpace& space, char* to, std::size_t capacity, std::uint64_t from) {
    std::size_t n = 0;
    while (n < capacity) {
        if (!in_user_range(from + n, 1)) {
            return Error::BadAddress;
        }
        const unsigned char* src = user_byte(space, from + n, PteFlag::Read);
        if (src == nullptr) {
            return Error::BadAddress;
        }
        // Scan to the end of this page or of the buffer, whichever comes first.
        const std::size_t chunk = std::min(capacity - n, rest_of_page(from + n));
        for (std::size_t i = 0; i < chunk; ++i) {
            to[n + i] = static_cast<char>(src[i]);
            if (src[i] == 0) {
                return n + i;
            }
        }
        n += chunk;
    }
    return Error::Malformed;
}

}  // namespace cops::mm
