/// @file process_hooks.cpp
/// @brief The table of hooks later layers add to a process's life.
#include "cops/proc/process_hooks.hpp"

#include "cops/lib/panic.hpp"

namespace cops::proc {

namespace {
ProcessHooks g_hooks[kMaxProcessHooks];
unsigned g_count = 0;  // written only by init calls, before any process exists
}  // namespace

void add_process_hooks(const ProcessHooks& hooks) {
    if (g_count == kMaxProcessHooks) {
        panic("process hooks: '{}' is one layer too many (kMaxProcessHooks is {})", hooks.layer, kMaxProcessHooks);
    }
    g_hooks[g_count++] = hooks;
}

Status run_created_hooks(Process& p) {
    for (unsigned i = 0; i < g_count; ++i) {
        if (g_hooks[i].created == nullptr) {
            continue;
        }
        if (const Status s = g_hooks[i].created(p); !s) {
            for (unsigned j = i; j-- > 0;) {  // undo the layers that had set up
                if (g_hooks[j].freed != nullptr) {
                    g_hooks[j].freed(p);
                }
            }
            return s;
        }
    }
    return {};
}

void run_ending_hooks(Process& p) {
    for (unsigned i = 0; i < g_count; ++i) {
        if (g_hooks[i].ending != nullptr) {
            g_hooks[i].ending(p);
        }
    }
}

void run_freed_hooks(Process& p) {
    for (unsigned i = g_count; i-- > 0;) {  // upper layers first, as a destructor would
        if (g_hooks[i].freed != nullptr) {
            g_hooks[i].freed(p);
        }
    }
}

}  // namespace cops::proc
