/// @file scope_exit.hpp
/// @brief ScopeExit: undo a half-finished setup on every early return, unless released.
///
///   auto* p = new Process;
///   lib::ScopeExit undo([p] { delete p; });
///   COPS_TRY(p->space.init(...));   // an error returns, and `undo` deletes p
///   undo.release();                 // success: p lives on
#pragma once

#include <utility>

namespace cops::lib {

/// Calls a function when the scope ends, unless release() was called first.
template <class Fn>
class [[nodiscard]] ScopeExit {
public:
    /// Arms the guard with @p fn.
    explicit ScopeExit(Fn fn) : fn_(std::move(fn)) {}
    ScopeExit(const ScopeExit&) = delete;
    ScopeExit& operator=(const ScopeExit&) = delete;
    /// Runs the function unless released.
    ~ScopeExit() {
        if (armed_) {
            fn_();
        }
    }
    /// Disarms the guard: the setup succeeded.
    void release() { armed_ = false; }

private:
    Fn fn_;
    bool armed_ = true;
};

}  // namespace cops::lib
