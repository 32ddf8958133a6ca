/// @file initcall.hpp
/// @brief Init calls: each layer registers its setup steps; boot runs them level by level.
///
/// A later chapter plugs in by registering, never by editing an earlier file:
///   COPS_INITCALL(device, init_uart);
/// Levels run in order early, arch, device, late; within a level, in link order
/// (lower layers first).
#pragma once

namespace cops::init {

/// When an init call runs.
enum class Level : unsigned char {
    Early = 0,   ///< heap is up; nothing else
    Arch = 1,    ///< traps, timers, harts
    Device = 2,  ///< drivers
    Late = 3,    ///< services that need drivers
};

/// One registered step.
struct InitCall {
    Level level;       ///< when it runs
    const char* name;  ///< for the boot log
    void (*fn)();      ///< the step
};

/// Runs every registered call, level by level. Called once by the boot code.
void run_all();

}  // namespace cops::init

/// @cond INTERNAL
#define COPS_INITCALL_LEVEL_early 0
#define COPS_INITCALL_LEVEL_arch 1
#define COPS_INITCALL_LEVEL_device 2
#define COPS_INITCALL_LEVEL_late 3
#define COPS_INITCALL_STR2(x) #x
#define COPS_INITCALL_STR(x) COPS_INITCALL_STR2(x)
/// @endcond

/// Registers @p fn to run at @p level (early, arch, device or late).
#define COPS_INITCALL(level, fn)                                                                                  \
    [[gnu::used, gnu::section(".initcall." COPS_INITCALL_STR(                                                     \
                     COPS_INITCALL_LEVEL_##level))]] static constexpr ::cops::init::InitCall cops_initcall_##fn { \
        static_cast<::cops::init::Level>(COPS_INITCALL_LEVEL_##level), #fn, &fn                                   \
    }
