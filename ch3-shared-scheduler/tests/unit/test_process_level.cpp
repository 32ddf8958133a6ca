/// @file test_process_level.cpp
/// @brief process_level(): a process's level from the untrusted bytes of its executor
/// summary, never more urgent than its ceiling.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>

#include "cops/proc/process_level.hpp"

using cops::proc::ExecutorSummary;
using cops::proc::process_level;
using cops::sched::Priority;

namespace {
/// A summary with nothing ready and nothing running.
ExecutorSummary empty_summary() {
    ExecutorSummary s;
    for (auto& r : s.running) {
        r = cops::sched::kNoLevel;
    }
    return s;
}

unsigned level_of(const ExecutorSummary& s, unsigned ceiling) {
    return process_level(s, Priority{static_cast<std::uint8_t>(ceiling)}).level;
}
}  // namespace

TEST_CASE("process level: a summary that names no level gives the ceiling", "[process-level][lab]") {
    const ExecutorSummary s = empty_summary();
    CHECK(level_of(s, 32) == 32);
    CHECK(level_of(s, 0) == 0);
    CHECK(level_of(s, 63) == 63);
}

TEST_CASE("process level: the most urgent ready level counts", "[process-level][lab]") {
    ExecutorSummary s = empty_summary();
    s.ready_bits = (1ULL << 50) | (1ULL << 41) | (1ULL << 63);
    CHECK(level_of(s, 32) == 41);
    s.ready_bits = 1ULL << 63;
    CHECK(level_of(s, 32) == 63);
}

TEST_CASE("process level: a running coroutine on any hart slot counts", "[process-level][lab]") {
    ExecutorSummary s = empty_summary();
    s.ready_bits = 1ULL << 50;
    s.running[cops::sched::kMaxHarts - 1] = 44;
    CHECK(level_of(s, 32) == 44);  // running beats a less urgent ready level
    s.running[2] = 55;
    CHECK(level_of(s, 32) == 44);  // the most urgent of them
    s.ready_bits = 1ULL << 33;
    CHECK(level_of(s, 32) == 33);  // a more urgent ready level beats them
}

TEST_CASE("process level: claims above the ceiling are clamped to it", "[process-level][lab]") {
    ExecutorSummary s = empty_summary();
    s.ready_bits = 1;  // level 0 claimed
    CHECK(level_of(s, 32) == 32);
    CHECK(level_of(s, 40) == 40);
    s.ready_bits = 0;
    s.running[0] = 5;
    CHECK(level_of(s, 32) == 32);
    CHECK(level_of(s, 1) == 5);  // a low ceiling lets it through
}

TEST_CASE("process level: running bytes of 64 and more are garbage and ignored", "[process-level][lab]") {
    ExecutorSummary s = empty_summary();
    s.running[0] = 64;
    s.running[1] = 200;
    s.running[3] = 0xfe;
    CHECK(level_of(s, 32) == 32);
    s.ready_bits = 1ULL << 60;
    CHECK(level_of(s, 32) == 60);
}

TEST_CASE("process level: any bytes give a level in [ceiling, 63], never less urgent than a valid claim",
          "[process-level][lab]") {
    std::mt19937_64 rng(20261123);
    for (int i = 0; i < 100000; ++i) {
        ExecutorSummary s;
        s.ready_bits = rng();
        if (i % 4 == 0) {
            s.ready_bits &= rng() & rng() & rng();  // sparse bitmaps too
        }
        for (auto& r : s.running) {
            r = static_cast<std::uint8_t>(i % 3 == 0 ? rng() % 70 : rng());
        }
        const unsigned ceiling = static_cast<unsigned>(rng() % 64);
        const unsigned level = level_of(s, ceiling);
        REQUIRE(level >= ceiling);
        REQUIRE(level < 64);
        // It is the ceiling or one of the claims...
        bool claimed = (s.ready_bits >> level & 1) != 0;
        for (const std::uint8_t r : s.running) {
            claimed = claimed || r == level;
        }
        REQUIRE((level == ceiling || claimed));
        // ...and every valid claim, clamped, bounds it.
        for (unsigned b = 0; b < 64; ++b) {
            if ((s.ready_bits >> b & 1) != 0) {
                REQUIRE(level <= (b < ceiling ? ceiling : b));
            }
        }
        for (const std::uint8_t r : s.running) {
            if (r < 64) {
                REQUIRE(level <= (r < ceiling ? ceiling : r));
            }
        }
    }
}
