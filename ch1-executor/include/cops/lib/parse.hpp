/// @file parse.hpp
/// @brief Reading a decimal number from text (command lines, program arguments).
#pragma once

#include <cstdint>
#include <string_view>

namespace cops::lib {

/// The value of @p text as an unsigned decimal number, or @p fallback if it is empty,
/// has anything but digits, or has more than 19 digits (which could overflow).
constexpr std::uint64_t parse_u64(std::string_view text, std::uint64_t fallback) {
    if (text.empty() || text.size() > 19) {
        return fallback;
    }
    std::uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return fallback;
        }
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

}  // namespace cops::lib
