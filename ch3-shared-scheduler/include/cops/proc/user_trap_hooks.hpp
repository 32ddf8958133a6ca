/// @file user_trap_hooks.hpp
/// @brief Where a later layer joins a user thread's trap loop (ch5: user-space
/// interrupts, emulated).
///
///     loop:
///         entering_user(t, frame)   interrupts off, the last step before `sret`
///         ... user mode until the next trap ...
///         left_user(t)              interrupts off, the first step after the trap
///         exception(t, frame)       for an exception (a system call too): true = handled,
///                                   the loop goes on; false = the usual path (a system
///                                   call is decoded, any other exception kills)
///
/// One layer may install them (the kit has one that needs them). Each is optional.
#pragma once

#include "cops/arch/trap_frame.hpp"

namespace cops::proc {

struct UserThread;

/// The hooks; any may be nullptr.
struct UserTrapHooks {
    const char* layer = nullptr;                                     ///< who installed them, for messages
    void (*entering_user)(UserThread&, arch::TrapFrame&) = nullptr;  ///< may change the frame (e.g. sepc)
    void (*left_user)(UserThread&) = nullptr;                        ///< right after the trap
    bool (*exception)(UserThread&, arch::TrapFrame&) = nullptr;      ///< true: handled, do not report it
};

/// Installs @p hooks (from an init call, before any process runs). Panics if a layer
/// installed them already.
void set_user_trap_hooks(const UserTrapHooks& hooks);

/// The hooks installed (all nullptr if none).
const UserTrapHooks& user_trap_hooks();

}  // namespace cops::proc
