/// @file fdt.cpp
/// @brief The flattened device tree reader. Portable: also built for the host tests.
///
/// Format (devicetree specification v0.4, ch. 5): a 40-byte big-endian header, a
/// structure block of 32-bit tokens (BEGIN_NODE name, PROP len nameoff value,
/// END_NODE, NOP, END), and a strings block holding property names.
#include "cops/lib/fdt.hpp"

namespace cops::lib {

namespace {

constexpr std::uint32_t kMagic = 0xd00dfeed;
constexpr std::uint32_t kBeginNode = 1;
constexpr std::uint32_t kEndNode = 2;
constexpr std::uint32_t kProp = 3;
constexpr std::uint32_t kNop = 4;
constexpr std::uint32_t kEnd = 9;
constexpr std::uint32_t kMaxDepth = 32;

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
constexpr std::uint32_t align4(std::uint32_t v) { return (v + 3U) & ~3U; }

/// Length of a NUL-terminated string starting at p with at most `limit` bytes, or -1.
long bounded_strlen(const std::uint8_t* p, std::uint32_t limit) {
    for (std::uint32_t i = 0; i < limit; ++i) {
        if (p[i] == 0) {
            return static_cast<long>(i);
        }
    }
    return -1;
}

/// A decoded PROP token.
struct PropToken {
    std::string_view name;      // property name from the strings block
    const std::uint8_t* value;  // its bytes
    std::uint32_t len;          // how many
    std::uint32_t next;         // offset of the token after it
};

/// Decodes the PROP token whose payload (len, nameoff, value) starts at @p pos of the
/// structure block; nothing if any part lies outside its block.
std::optional<PropToken> read_prop(const std::uint8_t* s, std::uint32_t struct_size, const std::uint8_t* strings,
                                   std::uint32_t strings_size, std::uint32_t pos) {
    if (pos > struct_size || struct_size - pos < 8) {
        return std::nullopt;
    }
    const std::uint32_t len = be32(s + pos);
    const std::uint32_t nameoff = be32(s + pos + 4);
    pos += 8;
    if (len > struct_size - pos || nameoff >= strings_size) {
        return std::nullopt;
    }
    const long nlen = bounded_strlen(strings + nameoff, strings_size - nameoff);
    if (nlen < 0) {
        return std::nullopt;
    }
    return PropToken{std::string_view(reinterpret_cast<const char*>(strings + nameoff), static_cast<std::size_t>(nlen)),
                     s + pos, len, align4(pos + len)};
}

}  // namespace

Result<FdtReader> FdtReader::open(const void* blob, std::size_t max_bytes) {
    if (blob == nullptr || max_bytes < 40) {
        return Error::Malformed;
    }
    const auto* p = static_cast<const std::uint8_t*>(blob);
    if (be32(p) != kMagic) {
        return Error::Malformed;
    }
    FdtReader r;
    r.base_ = p;
    r.total_size_ = be32(p + 4);
    r.struct_off_ = be32(p + 8);
    r.strings_off_ = be32(p + 12);
    const std::uint32_t version = be32(p + 20);
    r.strings_size_ = be32(p + 32);
    r.struct_size_ = be32(p + 36);
    if (version < 17 || r.total_size_ > max_bytes || r.total_size_ < 40) {
        return Error::Malformed;
    }
    const auto fits = [&](std::uint32_t off, std::uint32_t size) {
        return off <= r.total_size_ && size <= r.total_size_ - off;
    };
    if (!fits(r.struct_off_, r.struct_size_) || !fits(r.strings_off_, r.strings_size_) || (r.struct_off_ & 3U) != 0) {
        return Error::Malformed;
    }
    return r;
}

Status FdtReader::walk(bool (*visit)(const FdtNode&, void*), void* ctx) const {
    const std::uint8_t* s = base_ + struct_off_;
    std::uint32_t pos = 0;
    std::uint32_t depth = 0;
    // Cells that a node's children use: #address-cells/#size-cells (defaults 2 and 1).
    std::uint8_t child_addr[kMaxDepth + 1];
    std::uint8_t child_size[kMaxDepth + 1];
    child_addr[0] = 2;
    child_size[0] = 1;
    FdtNode current;
    bool pending = false;  // `current` seen but not yet visited (its properties come first)

    const auto flush = [&]() -> bool {
        if (pending) {
            pending = false;
            return visit(current, ctx);
        }
        return true;
    };

    while (pos + 4 <= struct_size_) {
        const std::uint32_t token = be32(s + pos);
        const std::uint32_t token_pos = pos;
        pos += 4;
        switch (token) {
            case kBeginNode: {
                if (!flush()) {
                    return {};
                }
                const long len = bounded_strlen(s + pos, struct_size_ - pos);
                if (len < 0 || depth >= kMaxDepth) {
                    return Error::Malformed;
                }
                current = FdtNode{
                    token_pos, std::string_view(reinterpret_cast<const char*>(s + pos), static_cast<std::size_t>(len)),
                    depth, child_addr[depth], child_size[depth]};
                pending = true;
                ++depth;
                child_addr[depth] = 2;
                child_size[depth] = 1;
                pos = align4(pos + static_cast<std::uint32_t>(len) + 1);
                break;
            }
            case kEndNode:
                if (!flush()) {
                    return {};
                }
                if (depth == 0) {
                    return Error::Malformed;
                }
                --depth;
                break;
            case kProp: {
                const auto prop = read_prop(s, struct_size_, base_ + strings_off_, strings_size_, pos);
                if (!prop) {
                    return Error::Malformed;
                }
                // A node's #address-cells/#size-cells apply to its children.
                if (depth > 0 && prop->len == 4 && (prop->name == "#address-cells" || prop->name == "#size-cells")) {
                    const std::uint32_t v = be32(prop->value);
                    if (v > 4) {
                        return Error::Malformed;
                    }
                    (prop->name == "#address-cells" ? child_addr : child_size)[depth] = static_cast<std::uint8_t>(v);
                }
                pos = prop->next;
                break;
            }
            case kNop: break;
            case kEnd: flush(); return depth == 0 ? Status{} : Status{Error::Malformed};
            default: return Error::Malformed;
        }
    }
    return Error::Malformed;  // ran off the end without an END token
}

namespace {
struct PathSearch {
    std::string_view path;    // remaining components, without leading '/'
    std::uint32_t depth = 0;  // components matched so far
    std::optional<FdtNode> found;
    std::string_view components[16];
    std::uint32_t count = 0;
};
}  // namespace

Result<FdtNode> FdtReader::find_path(std::string_view path) const {
    PathSearch ps;
    if (path.empty() || path[0] != '/') {
        return Error::NotFound;
    }
    // Split "/a/b" into components.
    std::size_t i = 1;
    while (i < path.size()) {
        std::size_t j = path.find('/', i);
        if (j == std::string_view::npos) {
            j = path.size();
        }
        if (j > i) {
            if (ps.count == 16) {
                return Error::NotFound;
            }
            ps.components[ps.count++] = path.substr(i, j - i);
        }
        i = j + 1;
    }
    const Status st = walk(
        [](const FdtNode& n, void* c) {
            auto& s = *static_cast<PathSearch*>(c);
            if (n.depth == 0) {
                if (s.count == 0) {
                    s.found = n;
                    return false;
                }
                return true;
            }
            if (n.depth > s.depth + 1 || n.depth > s.count) {
                return true;  // inside a subtree that does not match
            }
            s.depth = n.depth - 1;  // we are a child at this level
            const std::string_view want = s.components[s.depth];
            // "cpus" matches "cpus"; "memory" matches "memory@80000000" too.
            const bool match =
                n.name == want || (n.name.size() > want.size() && n.name.substr(0, want.size()) == want &&
                                   n.name[want.size()] == '@' && want.find('@') == std::string_view::npos);
            if (match) {
                s.depth = n.depth;
                if (n.depth == s.count) {
                    s.found = n;
                    return false;
                }
            }
            return true;
        },
        &ps);
    if (!st) {
        return st.error();
    }
    if (!ps.found) {
        return Error::NotFound;
    }
    return *ps.found;
}

namespace {
struct PropertySearch {
    const FdtReader* reader;
    std::string_view name;
    std::string_view value;
    bool by_compatible;
    std::optional<FdtNode> found;
};
}  // namespace

Result<FdtNode> FdtReader::find_compatible(std::string_view compatible) const {
    PropertySearch ps{this, "compatible", compatible, true, std::nullopt};
    const Status st = walk(
        [](const FdtNode& n, void* c) {
            auto& s = *static_cast<PropertySearch*>(c);
            if (s.reader->is_compatible(n, s.value)) {
                s.found = n;
                return false;
            }
            return true;
        },
        &ps);
    if (!st) {
        return st.error();
    }
    return ps.found ? Result<FdtNode>{*ps.found} : Result<FdtNode>{Error::NotFound};
}

Result<FdtNode> FdtReader::find_device_type(std::string_view type) const {
    PropertySearch ps{this, "device_type", type, false, std::nullopt};
    const Status st = walk(
        [](const FdtNode& n, void* c) {
            auto& s = *static_cast<PropertySearch*>(c);
            if (s.reader->property_string(n, s.name) == s.value) {
                s.found = n;
                return false;
            }
            return true;
        },
        &ps);
    if (!st) {
        return st.error();
    }
    return ps.found ? Result<FdtNode>{*ps.found} : Result<FdtNode>{Error::NotFound};
}

std::optional<std::span<const std::uint8_t>> FdtReader::property(const FdtNode& node, std::string_view name) const {
    const std::uint8_t* s = base_ + struct_off_;
    if (node.offset + 4 > struct_size_ || be32(s + node.offset) != kBeginNode) {
        return std::nullopt;
    }
    std::uint32_t pos = node.offset + 4;
    const long len = bounded_strlen(s + pos, struct_size_ - pos);
    if (len < 0) {
        return std::nullopt;
    }
    pos = align4(pos + static_cast<std::uint32_t>(len) + 1);
    // Properties come before any child node.
    while (pos + 4 <= struct_size_) {
        const std::uint32_t token = be32(s + pos);
        pos += 4;
        if (token == kNop) {
            continue;
        }
        if (token != kProp) {
            return std::nullopt;
        }
        const auto prop = read_prop(s, struct_size_, base_ + strings_off_, strings_size_, pos);
        if (!prop) {
            return std::nullopt;
        }
        if (prop->name == name) {
            return std::span<const std::uint8_t>(prop->value, prop->len);
        }
        pos = prop->next;
    }
    return std::nullopt;
}

std::optional<std::string_view> FdtReader::property_string(const FdtNode& node, std::string_view name) const {
    const auto bytes = property(node, name);
    if (!bytes || bytes->empty() || bytes->back() != 0) {
        return std::nullopt;
    }
    const long len = bounded_strlen(bytes->data(), static_cast<std::uint32_t>(bytes->size()));
    return std::string_view(reinterpret_cast<const char*>(bytes->data()), static_cast<std::size_t>(len));
}

std::optional<std::uint32_t> FdtReader::property_u32(const FdtNode& node, std::string_view name) const {
    const auto bytes = property(node, name);
    if (!bytes || bytes->size() != 4) {
        return std::nullopt;
    }
    return be32(bytes->data());
}

bool FdtReader::is_compatible(const FdtNode& node, std::string_view compatible) const {
    const auto bytes = property(node, "compatible");
    if (!bytes) {
        return false;
    }
    // A list of NUL-terminated strings.
    std::size_t i = 0;
    while (i < bytes->size()) {
        const long len = bounded_strlen(bytes->data() + i, static_cast<std::uint32_t>(bytes->size() - i));
        if (len < 0) {
            return false;
        }
        if (std::string_view(reinterpret_cast<const char*>(bytes->data() + i), static_cast<std::size_t>(len)) ==
            compatible) {
            return true;
        }
        i += static_cast<std::size_t>(len) + 1;
    }
    return false;
}

Result<FdtReg> FdtReader::reg(const FdtNode& node, unsigned index) const {
    const auto bytes = property(node, "reg");
    if (!bytes) {
        return Error::NotFound;
    }
    const std::size_t cells = std::size_t{node.address_cells} + node.size_cells;
    if (cells == 0 || node.address_cells > 2 || node.size_cells > 2 || bytes->size() % (cells * 4) != 0) {
        return Error::Malformed;
    }
    if ((index + 1) * cells * 4 > bytes->size()) {
        return Error::NotFound;
    }
    const std::uint8_t* p = bytes->data() + index * cells * 4;
    const auto read = [&p](unsigned n) {
        std::uint64_t v = 0;
        for (unsigned k = 0; k < n; ++k, p += 4) {
            v = (v << 32) | be32(p);
        }
        return v;
    };
    FdtReg r;
    r.address = read(node.address_cells);
    r.size = read(node.size_cells);
    return r;
}

std::optional<std::string_view> bootarg(std::string_view cmdline, std::string_view key) {
    std::size_t i = 0;
    while (i < cmdline.size()) {
        while (i < cmdline.size() && cmdline[i] == ' ') {
            ++i;
        }
        std::size_t end = cmdline.find(' ', i);
        if (end == std::string_view::npos) {
            end = cmdline.size();
        }
        const std::string_view word = cmdline.substr(i, end - i);
        if (word.size() > key.size() && word.substr(0, key.size()) == key && word[key.size()] == '=') {
            return word.substr(key.size() + 1);
        }
        i = end;
    }
    return std::nullopt;
}

}  // namespace cops::lib
