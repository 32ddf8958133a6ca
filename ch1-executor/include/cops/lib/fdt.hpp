/// @file fdt.hpp
/// @brief A read-only flattened device tree reader: what the kernel needs from the DTB.
///
/// OpenSBI hands the kernel a device tree blob (DTB). This reader walks it without
/// allocating and treats it as untrusted: every offset and length is checked, so a
/// corrupt blob yields Error::Malformed, never a wild read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "cops/lib/result.hpp"

namespace cops::lib {

/// One node of the tree, as found by a walk.
struct FdtNode {
    std::uint32_t offset = 0;        ///< offset of its BEGIN_NODE token in the structure block
    std::string_view name;           ///< unit name, e.g. "test@100000"; "" for the root
    std::uint32_t depth = 0;         ///< 0 for the root
    std::uint8_t address_cells = 2;  ///< \#address-cells of its parent (for decoding `reg`)
    std::uint8_t size_cells = 1;     ///< \#size-cells of its parent
};

/// One (address, size) pair of a `reg` property.
struct FdtReg {
    std::uint64_t address = 0;  ///< start address
    std::uint64_t size = 0;     ///< length in bytes
};

/// Reader over a DTB in memory.
class FdtReader {
public:
    /// Validates the header of the blob at @p blob, reading at most @p max_bytes.
    /// Errors: Malformed (bad magic, version, or offsets outside the blob).
    static Result<FdtReader> open(const void* blob, std::size_t max_bytes);

    /// Total size of the blob, from its header.
    std::uint32_t total_size() const { return total_size_; }

    /// Calls @p visit(node, ctx) for every node in document order until it returns false.
    /// Errors: Malformed.
    Status walk(bool (*visit)(const FdtNode&, void*), void* ctx) const;

    /// The node at an absolute path such as "/chosen" or "/cpus". Errors: NotFound, Malformed.
    Result<FdtNode> find_path(std::string_view path) const;
    /// The first node whose `compatible` list contains @p compatible.
    Result<FdtNode> find_compatible(std::string_view compatible) const;
    /// The first node whose `device_type` is @p type (e.g. "memory").
    Result<FdtNode> find_device_type(std::string_view type) const;

    /// The raw bytes of property @p name of @p node, if present.
    std::optional<std::span<const std::uint8_t>> property(const FdtNode& node, std::string_view name) const;
    /// A NUL-terminated string property (without the NUL), if present and well formed.
    std::optional<std::string_view> property_string(const FdtNode& node, std::string_view name) const;
    /// A 32-bit big-endian cell property, if present.
    std::optional<std::uint32_t> property_u32(const FdtNode& node, std::string_view name) const;
    /// True when @p node's `compatible` string list contains @p compatible.
    bool is_compatible(const FdtNode& node, std::string_view compatible) const;
    /// Entry @p index of @p node's `reg`. Errors: NotFound, Malformed.
    Result<FdtReg> reg(const FdtNode& node, unsigned index = 0) const;

private:
    FdtReader() = default;
    const std::uint8_t* base_ = nullptr;
    std::uint32_t total_size_ = 0;
    std::uint32_t struct_off_ = 0;
    std::uint32_t struct_size_ = 0;
    std::uint32_t strings_off_ = 0;
    std::uint32_t strings_size_ = 0;
};

/// The value of `key=` in a kernel command line such as "nonce=ab12 ktest.from=3".
std::optional<std::string_view> bootarg(std::string_view cmdline, std::string_view key);

}  // namespace cops::lib
