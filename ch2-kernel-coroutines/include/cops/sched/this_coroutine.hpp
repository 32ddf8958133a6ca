/// @file this_coroutine.hpp
/// @brief `Ccb* me = co_await this_coroutine();` — the caller's control block, without suspending.
#pragma once

#include <coroutine>

#include "cops/sched/ccb.hpp"

namespace cops::sched {

/// Awaiter that hands the awaiting coroutine its own control block and continues at once.
struct ThisCoroutine {
    Ccb* ccb = nullptr;  ///< filled in by await_suspend
    /// Always asks for the handle.
    bool await_ready() const noexcept { return false; }
    /// Reads the control block and declines to suspend.
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) noexcept {
        ccb = h.promise().ccb;
        return false;
    }
    /// The control block of the awaiting coroutine.
    Ccb* await_resume() const noexcept { return ccb; }
};

/// See ThisCoroutine.
constexpr ThisCoroutine this_coroutine() { return {}; }

}  // namespace cops::sched
