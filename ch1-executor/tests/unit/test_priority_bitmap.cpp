// Unit tests: the priority bitmap and its O(1) find-first-set.
#include <catch2/catch.hpp>

#include "cops/sched/priority_bitmap.hpp"
#include "cops/test/catch_printing.hpp"

using cops::sched::Priority;
using cops::sched::PriorityBitmap;

TEST_CASE("bitmap: lowest_set_bit finds every single bit", "[bitmap]") {
    for (unsigned i = 0; i < 64; ++i) {
        REQUIRE(cops::sched::lowest_set_bit(std::uint64_t{1} << i) == i);
    }
}

TEST_CASE("bitmap: lowest_set_bit ignores higher bits", "[bitmap]") {
    REQUIRE(cops::sched::lowest_set_bit(0xffff'ffff'ffff'ffffULL) == 0);
    REQUIRE(cops::sched::lowest_set_bit(0x8000'0000'0000'0100ULL) == 8);
    REQUIRE(cops::sched::lowest_set_bit(0xf000'0000'0000'0000ULL) == 60);
}

TEST_CASE("bitmap: empty has no highest level", "[bitmap][lab]") {
    PriorityBitmap b;
    REQUIRE(b.empty());
    REQUIRE_FALSE(b.highest().has_value());
}

TEST_CASE("bitmap: set, test and clear each of the 64 levels", "[bitmap][lab]") {
    for (unsigned i = 0; i < 64; ++i) {
        PriorityBitmap b;
        const Priority p{static_cast<std::uint8_t>(i)};
        b.set(p);
        REQUIRE(b.test(p));
        REQUIRE(b.raw() == (std::uint64_t{1} << i));
        REQUIRE(b.highest() == p);
        b.clear(p);
        REQUIRE(b.empty());
    }
}

TEST_CASE("bitmap: highest is the most urgent (smallest) level", "[bitmap][lab]") {
    PriorityBitmap b;
    b.set(Priority{40});
    b.set(Priority{7});
    b.set(Priority{63});
    REQUIRE(b.highest() == Priority{7});
    b.clear(Priority{7});
    REQUIRE(b.highest() == Priority{40});
    b.clear(Priority{40});
    REQUIRE(b.highest() == Priority{63});
}
