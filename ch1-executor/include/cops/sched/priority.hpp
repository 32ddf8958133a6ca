/// @file priority.hpp
/// @brief Coroutine priorities: 64 levels, 0 is the highest.
#pragma once

#include <compare>
#include <cstdint>

namespace cops::sched {

/// Number of priority levels; one bit of a 64-bit word each.
inline constexpr unsigned kPriorityLevels = 64;

/// A priority level. Smaller is more urgent: 0 runs before 1.
struct Priority {
    std::uint8_t level = 0;  ///< 0 (highest) .. 63 (lowest)

    /// The most urgent level, 0.
    static constexpr Priority highest() { return {0}; }
    /// The least urgent level, 63.
    static constexpr Priority lowest() { return {kPriorityLevels - 1}; }
    /// True for 0..63.
    constexpr bool valid() const { return level < kPriorityLevels; }
    /// True when this priority runs before @p other.
    constexpr bool more_urgent_than(Priority other) const { return level < other.level; }
    /// Priorities compare by level.
    constexpr auto operator<=>(const Priority&) const = default;
};

}  // namespace cops::sched
