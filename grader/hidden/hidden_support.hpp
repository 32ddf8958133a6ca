/// @file hidden_support.hpp
/// @brief What the hidden tests of every chapter share.
#pragma once

#include <cstdint>

#include "cops/test/ktest.hpp"

/// A step the test needs but does not grade: it counts as a (failed) check only if it fails.
#define HIDDEN_SETUP(cond)                                                                \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            (void)::cops::test::check(false, __FILE__, __LINE__, "setup failed: " #cond); \
            return;                                                                       \
        }                                                                                 \
    } while (0)

/// Instruction budget of a hidden test that runs coroutines on every hart.
inline constexpr std::uint64_t kMultiHartBudget = 2'000'000'000;

#if __has_include("cops/sched/run_until.hpp")  // chapter 2 on: kernel coroutines on every hart
#include <cstddef>

#include "cops/dev/timer.hpp"
#include "cops/mm/kernel_heap.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#if __has_include("cops/test/settled_memory.hpp")
#include "cops/test/settled_memory.hpp"
#endif

namespace hidden {

/// The state of kernel coroutine @p cid (Exit once it is gone).
inline cops::sched::CoroutineState state_of(cops::sched::Cid cid) {
    return cops::sched::kernel_executor().state(cid).value_or(cops::sched::CoroutineState::Exit);
}

/// Waits (running coroutines) until @p done() or @p ticks kernel ticks have passed;
/// returns done().
template <class Fn>
bool wait_for(Fn done, std::uint64_t ticks) {
    const std::uint64_t until = cops::dev::timer::now_ticks() + ticks;
    cops::sched::run_until([&] { return done() || cops::dev::timer::now_ticks() >= until; });
    return done();
}

#if __has_include("cops/test/settled_memory.hpp")  // chapter 3 on: processes and frames
/// The kernel heap's bytes in use once they have stopped moving (the same over two
/// ticks, at most 40 ticks). A coroutine's frame is freed only after the coroutine
/// ends, which can be a little after the process it served is counted as gone: a test
/// that compares the heap before and after takes both figures settled, so a frame the
/// test before it left behind for a moment is neither counted as a leak nor as freed.
inline std::size_t settled_heap_bytes() { return cops::test::settled_memory().heap_bytes; }
#endif

}  // namespace hidden
#endif
