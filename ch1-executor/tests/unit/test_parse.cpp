// Host tests for lib::parse_u64 (command-line and program-argument numbers).
#include <catch2/catch.hpp>

#include "cops/lib/parse.hpp"

using cops::lib::parse_u64;

TEST_CASE("parse_u64 reads decimal digits", "[parse]") {
    CHECK(parse_u64("0", 7) == 0);
    CHECK(parse_u64("42", 7) == 42);
    CHECK(parse_u64("1234567890123456789", 7) == 1234567890123456789ULL);
}

TEST_CASE("parse_u64 gives the fallback for anything else", "[parse]") {
    CHECK(parse_u64("", 7) == 7);
    CHECK(parse_u64("12a", 7) == 7);
    CHECK(parse_u64("-1", 7) == 7);
    CHECK(parse_u64(" 1", 7) == 7);
    CHECK(parse_u64("12345678901234567890", 7) == 7);  // 20 digits could overflow
}
