/// @file run_until.hpp
/// @brief Lets plain code (the test runner, the demo) wait while the harts run coroutines.
#pragma once

#include <utility>

namespace cops::sched {

/// Runs the kernel executor on this hart, alongside the other harts, until
/// @p done(@p arg) returns true; then returns (possibly on another hart). @p done is
/// called from any hart between coroutines, so it must only read atomics.
void run_until(bool (*done)(void*), void* arg);

/// run_until with a lambda: `run_until([&] { return finished.load() == 4; });`
template <class Fn>
void run_until(Fn&& done) {
    run_until(
        +[](void* f) { return static_cast<bool>((*static_cast<std::remove_reference_t<Fn>*>(f))()); },
        static_cast<void*>(&done));
}

}  // namespace cops::sched
