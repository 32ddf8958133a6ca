/// @file strong_id.hpp
/// @brief A strongly typed integer wrapper, so a Cid cannot be passed where a Pid is wanted.
#pragma once

#include <compare>
#include <cstdint>

namespace cops::lib {

/// An integer value tagged with a type, compared but not mixed with other ids.
/// @tparam Tag a distinct empty struct per id kind
/// @tparam Rep the underlying integer type
template <class Tag, class Rep = std::uint64_t>
struct StrongId {
    Rep value{};  ///< the raw value; 0 is "no id" by convention

    /// True when this id names something (is not 0).
    constexpr explicit operator bool() const { return value != 0; }
    /// Ids compare by value.
    constexpr auto operator<=>(const StrongId&) const = default;
};

}  // namespace cops::lib
