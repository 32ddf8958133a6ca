// Unit tests: programming the user-interrupt controller (kernel/uintr/uintc.cpp)
// against the documented layout, on memory standing in for its MMIO window.
#include <catch2/catch.hpp>

#include "cops/uintr/uintc.hpp"

using namespace cops::uintr::uintc;

TEST_CASE("uintc: receiver blocks are 32 bytes apart; each register at its offset") {
    std::uint64_t window[kMaxReceivers * kReceiverStride / 8] = {};
    Controller c(window);
    c.bind(3, 5, true);
    CHECK(window[(3 * 0x20 + 0x08) / 8] == ((5ULL << 16) | 1));  // STATUS: hart 5, active
    CHECK(window[(3 * 0x20 + 0x18) / 8] == 1);                   // ACTIVE
    c.send(3, 9);
    CHECK(window[3 * 0x20 / 8] == 9);  // SEND takes the vector number
    window[(511 * 0x20 + 0x10) / 8] = 0xf0;
    CHECK(c.pending(511) == 0xf0);  // the last block
    c.reset(3);
    CHECK(window[(3 * 0x20 + 0x08) / 8] == 0);
    CHECK(window[(3 * 0x20 + 0x10) / 8] == 0);
}

TEST_CASE("uintc: sender-table entries and the S-mode CSRs' values") {
    CHECK(sender_entry(0x1ff, 63) == ((0x1ffULL << 48) | (63ULL << 16) | 1));
    CHECK(suist_value(0x80123, 1) == ((1ULL << 63) | 0x80123));  // one page: size field 0
    CHECK(suist_value(0x80123, 2) == ((1ULL << 63) | (1ULL << 44) | 0x80123));
    CHECK(suirs_value(7, true) == ((1ULL << 63) | 7));
    CHECK(suirs_value(7, false) == 7);
    CHECK(kCsrSuist == 0x1b0);
    CHECK(kCsrSuirs == 0x1b1);
}
