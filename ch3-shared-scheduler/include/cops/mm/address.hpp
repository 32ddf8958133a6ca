/// @file address.hpp
/// @brief Virtual and physical addresses as two types that do not mix.
///
/// `map(va, pa, flags)` with two bare integers compiles just as well with its
/// arguments swapped, and the mistake shows only as a fault far away. Here a
/// virtual address (VirtAddr) and a physical one (PhysAddr) are different types:
/// both are made explicitly from an integer, offsets can be added to either, and
/// neither turns into the other. The kernel runs identity-mapped, so a physical
/// address is also a pointer the kernel can use: pointer_to() says so where it
/// happens, and physical_of() gives a frame's address.
#pragma once

#include <compare>
#include <cstdint>

#include "cops/lib/format.hpp"

namespace cops::mm {

/// An address in one kind of address space (@p Space is only a tag).
template <class Space>
class Address {
public:
    /// Address 0.
    constexpr Address() = default;
    /// The address @p value (never implicit: say which kind of address it is).
    constexpr explicit Address(std::uint64_t value) : value_(value) {}

    /// The address as an integer (for arithmetic on page numbers, or printing).
    constexpr std::uint64_t value() const { return value_; }
    /// The address @p bytes further on.
    constexpr Address operator+(std::uint64_t bytes) const { return Address{value_ + bytes}; }
    /// The address @p bytes before this one.
    constexpr Address operator-(std::uint64_t bytes) const { return Address{value_ - bytes}; }
    /// How many bytes @p earlier lies before this address.
    constexpr std::uint64_t operator-(Address earlier) const { return value_ - earlier.value_; }
    /// True if the address is a multiple of @p bytes (a power of two).
    constexpr bool aligned_to(std::uint64_t bytes) const { return (value_ & (bytes - 1)) == 0; }
    /// The address rounded down to a multiple of @p bytes (a power of two).
    constexpr Address align_down(std::uint64_t bytes) const { return Address{value_ & ~(bytes - 1)}; }
    /// Its offset inside the aligned block of @p bytes (a power of two) that holds it.
    constexpr std::uint64_t offset_in(std::uint64_t bytes) const { return value_ & (bytes - 1); }
    /// Addresses of one kind compare as integers.
    constexpr auto operator<=>(const Address&) const = default;

private:
    std::uint64_t value_ = 0;
};

/// The tag of virtual addresses (what a program, or the kernel's code, names).
struct VirtualSpace;
/// The tag of physical addresses (what a page-table entry names).
struct PhysicalSpace;

/// A virtual address.
using VirtAddr = Address<VirtualSpace>;
/// A physical address.
using PhysAddr = Address<PhysicalSpace>;

/// Addresses print as 0x-prefixed hex (found by lib::format through ADL).
template <class Space>
lib::FormatArg to_format_arg(Address<Space> a) {
    lib::FormatArg arg{lib::FormatArg::Kind::Pointer, {}};
    arg.u = a.value();
    return arg;
}

/// The kernel's pointer to physical address @p pa (the kernel runs identity-mapped).
template <class T = void>
T* pointer_to(PhysAddr pa) {
    return reinterpret_cast<T*>(static_cast<std::uintptr_t>(pa.value()));
}

/// The physical address of the kernel's memory at @p p (identity-mapped: its value).
inline PhysAddr physical_of(const void* p) { return PhysAddr{reinterpret_cast<std::uintptr_t>(p)}; }

}  // namespace cops::mm
