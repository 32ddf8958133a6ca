/// @file priority_bitmap.hpp
/// @brief One bit per priority level: set when that level has a ready coroutine.
///
/// The bitmap is what makes the pick O(1): the highest-priority non-empty level is
/// the lowest set bit. It is also what the kernel reads from every process in ch3.
#pragma once

#include <cstdint>
#include <optional>

#include "cops/sched/priority.hpp"

namespace cops::sched {

namespace detail {
/// The de Bruijn sequence whose 64 six-bit windows are all different.
inline constexpr std::uint64_t kDeBruijn = 0x022fdd63cc95386dULL;
/// Which bit each window of kDeBruijn stands for. At namespace scope, so it sits once
/// in read-only data (a table local to the function is copied onto the stack per call).
inline constexpr unsigned char kDeBruijnIndex[64] = {
    0,  1,  2,  53, 3,  7,  54, 27, 4,  38, 41, 8,  34, 55, 48, 28, 62, 5,  39, 46, 44, 42,
    22, 9,  24, 35, 59, 56, 49, 18, 29, 11, 63, 52, 6,  26, 37, 40, 33, 47, 61, 45, 43, 21,
    23, 58, 17, 10, 51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12,
};
}  // namespace detail

/// Index of the lowest set bit of a non-zero word. One `ctz` instruction when the
/// target has Zbb. rv64gc has none (GCC would call a libgcc routine), so there, and on
/// the host (where the unit tests check the table), it is a de Bruijn multiplication
/// and a table lookup.
constexpr unsigned lowest_set_bit(std::uint64_t word) {
#if defined(__riscv_zbb)
    return static_cast<unsigned>(__builtin_ctzll(word));
#else
    return detail::kDeBruijnIndex[((word & -word) * detail::kDeBruijn) >> 58];
#endif
}

/// Mask of levels 0..@p p (@p p and every more urgent level).
constexpr std::uint64_t levels_up_to(Priority p) { return (std::uint64_t{2} << p.level) - 1; }

/// A 64-bit set of priority levels.
class PriorityBitmap {
public:
    /// Marks @p p as having ready work.
    constexpr void set(Priority p) {
        // LAB(ch1): set the bit of level p
        bits_ |= std::uint64_t{1} << p.level;
        // LAB-STUB: (void)p;
        // END-LAB
    }

    /// Marks @p p as empty.
    constexpr void clear(Priority p) {
        // LAB(ch1): clear the bit of level p
        bits_ &= ~(std::uint64_t{1} << p.level);
        // LAB-STUB: (void)p;
        // END-LAB
    }

    /// True when level @p p is marked.
    constexpr bool test(Priority p) const { return (bits_ >> p.level) & 1U; }

    /// The most urgent marked level, or nothing when the bitmap is empty. O(1).
    constexpr std::optional<Priority> highest() const {
        // LAB(ch1): find the most urgent (lowest-numbered) set level in O(1)
        if (bits_ == 0) {
            return std::nullopt;
        }
        return Priority{static_cast<std::uint8_t>(lowest_set_bit(bits_))};
        // LAB-STUB: return std::nullopt;
        // END-LAB
    }

    /// True when no level is marked.
    constexpr bool empty() const { return bits_ == 0; }
    /// The raw word: bit i is level i. The kernel reads this from processes in ch3.
    constexpr std::uint64_t raw() const { return bits_; }
    /// Replaces the raw word (used when folding bitmaps together).
    constexpr void assign(std::uint64_t bits) { bits_ = bits; }

private:
    std::uint64_t bits_ = 0;
};

}  // namespace cops::sched
