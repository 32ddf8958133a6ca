/// @file user_context.hpp
/// @brief Entering user mode and coming back: a user thread's registers and the
/// kernel state that waits for its next trap.
///
/// A user thread runs inside a kernel coroutine (user_thread.cpp) that calls
/// enter_user() like an ordinary function. enter_user() saves the kernel's
/// callee-saved registers in the context, points `stvec` at the user trap vector
/// and `sret`s into user mode. The next trap from user mode (a system call, an
/// interrupt, a fault) saves every user register into the context, restores the
/// kernel registers and returns from enter_user(). So user execution looks, from
/// the coroutine, like a long function call that ends with a trap to handle.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cops/arch/trap_frame.hpp"

namespace cops::proc {

/// A user thread's saved registers plus the kernel registers enter_user() must give back.
struct UserContext {
    arch::TrapFrame user;           ///< the user registers, sepc, sstatus and the last trap's cause
    std::uint64_t kernel[15] = {};  ///< ra, sp, tp, s0..s11 of the enter_user() call
};
static_assert(offsetof(UserContext, kernel) == 36 * 8, "user_entry.S expects the kernel registers after the frame");

}  // namespace cops::proc

extern "C" {
/// Runs the user thread of @p context until its next trap (user_entry.S). Call with
/// interrupts off; they are off again when it returns.
void enter_user(cops::proc::UserContext* context);
/// The trap vector while a hart runs user code (user_entry.S).
void user_trap_entry();
}
