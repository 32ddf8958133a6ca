/// @file user_trap_hooks.cpp
/// @brief The one set of hooks a later layer adds to the user trap loop.
#include "cops/proc/user_trap_hooks.hpp"

#include "cops/lib/panic.hpp"

namespace cops::proc {

namespace {
UserTrapHooks g_hooks;  // written only by an init call, before any process exists
}  // namespace

void set_user_trap_hooks(const UserTrapHooks& hooks) {
    if (g_hooks.layer != nullptr) {
        panic("user trap hooks: '{}' cannot install them, '{}' did already", hooks.layer, g_hooks.layer);
    }
    g_hooks = hooks;
}

const UserTrapHooks& user_trap_hooks() { return g_hooks; }

}  // namespace cops::proc
