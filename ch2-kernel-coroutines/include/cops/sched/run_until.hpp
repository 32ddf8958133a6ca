/// @file run_until.hpp
/// @brief Lets plain code (the test runner, the demo) wait while the harts run coroutines.
#pragma once

#include <utility>

#include "cops/smp/hart.hpp"

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

/// While it lives, only hart 0 runs coroutines (smp::set_active_harts(1)), and the
/// code that made it runs on hart 0 too: run_until may have returned on any hart, and
/// code left on another hart would run beside hart 0. Tests and benchmarks that need
/// one order of events make one; its end lets every hart run again.
class Hart0Only {
public:
    /// Confines the harts and moves the caller to hart 0.
    Hart0Only() {
        smp::set_active_harts(1);
        // Only an active hart continues a waiter, and it checks the condition itself.
        run_until([] { return smp::this_hart().index == 0; });
    }
    /// Lets every hart run coroutines again.
    ~Hart0Only() { smp::set_active_harts(0); }
    /// Not copyable: one confinement, one release.
    Hart0Only(const Hart0Only&) = delete;
    /// Not copyable: one confinement, one release.
    Hart0Only& operator=(const Hart0Only&) = delete;
};

}  // namespace cops::sched
