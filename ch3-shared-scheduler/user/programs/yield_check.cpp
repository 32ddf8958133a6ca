/// @file yield_check.cpp
/// @brief `yield_check`: the user executor's yield check against the global view,
/// case by case; exits with the number of the first wrong answer, 0 if all are right.
#include <cstdint>

#include "cops/user/coro.hpp"

using cops::user::should_yield_cpu;

int main() {
    struct Case {
        std::uint64_t busy, ready;
        bool yield;
    };
    const Case cases[] = {
        {0, 0, false},                        // nothing anywhere
        {1ULL << 10, 0, false},               // nothing ready here: the loop parks instead
        {0, 1ULL << 10, false},               // nothing elsewhere
        {1ULL << 10, 1ULL << 10, false},      // equal: keep the CPU
        {1ULL << 11, 1ULL << 10, false},      // less urgent elsewhere
        {1ULL << 9, 1ULL << 10, true},        // more urgent elsewhere
        {(1ULL << 9) | 1, 1ULL << 63, true},  // the most urgent bit decides
        {1ULL << 63, (1ULL << 63) | (1ULL << 62), false},
        {1ULL << 20, (1ULL << 30) | (1ULL << 21), true},
        {1ULL << 21, (1ULL << 30) | (1ULL << 21), false},
    };
    int n = 1;
    for (const Case& c : cases) {
        if (should_yield_cpu(c.busy, c.ready) != c.yield) {
            return n;
        }
        ++n;
    }
    return 0;
}
