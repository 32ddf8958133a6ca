/// @file hidden_support.hpp
/// @brief What the hidden tests of every chapter share.
#pragma once

#include "cops/test/ktest.hpp"

/// A step the test needs but does not grade: it counts as a (failed) check only if it fails.
#define HIDDEN_SETUP(cond)                                                                \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            (void)::cops::test::check(false, __FILE__, __LINE__, "setup failed: " #cond); \
            return;                                                                       \
        }                                                                                 \
    } while (0)
