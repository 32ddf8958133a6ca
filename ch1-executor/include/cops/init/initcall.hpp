/// @file initcall.hpp
/// @brief Init calls: each layer registers its setup steps; boot runs them in a checked order.
///
/// A later chapter plugs in by registering, never by editing an earlier file:
///   COPS_INITCALL(device, init_uart);
///   COPS_INITCALL(late, start_io_models, start_stack);   // runs after start_stack
///
/// The boot order is (1) the level (early, arch, device, late, start), then (2) the
/// layer (the chapter whose source registered the step), then (3) the step's name,
/// except that a step never runs before the steps it names as needs. Nothing depends on
/// the order of files in a chapter.mk. A need that no layer registers, or that is
/// registered at a later level, or a circle of needs, stops the boot with a message
/// (init::order() finds it; every test boot runs it). `make run BOOTLOG=1` prints the
/// steps as they run; docs/architecture.md lists the order of the finished kit.
#pragma once

#include <cstddef>
#include <string_view>

namespace cops::init {

/// When an init call runs.
enum class Level : unsigned char {
    Early = 0,   ///< heap is up; nothing else
    Arch = 1,    ///< traps, timers, hart state, paging
    Device = 2,  ///< drivers, and the kernel objects they serve
    Late = 3,    ///< services that need drivers: system calls, the network stack
    Start = 4,   ///< the system starts running: the other harts enter the scheduler
};

/// The layer number of the board port (fpga/), which sits on the newest chapter.
inline constexpr unsigned char kBoardLayer = 7;

/// The level's name as in COPS_INITCALL, e.g. "device".
std::string_view level_name(Level level);

/// One registered step.
struct InitCall {
    Level level;          ///< when it runs
    unsigned char layer;  ///< the chapter that registered it (0: a file outside the chapters;
                          ///< kBoardLayer: the board port, fpga/)
    const char* name;     ///< the function's name, for needs and the boot log
    const char* file;     ///< the source file that registered it, for the boot log
    const char* needs;    ///< names of steps that must run first, comma-separated ("" for none)
    void (*fn)();         ///< the step
};

/// Why init::order() cannot put the steps in order.
enum class OrderProblem : unsigned char {
    None,          ///< the order is good
    UnknownNeed,   ///< a step needs a name no layer registers
    NeedTooLate,   ///< a step needs a step of a later level
    CircularNeed,  ///< steps of one level need each other, directly or not
    TooManySteps,  ///< more steps than init::order() can sort (kMaxSteps)
};

/// The result of init::order(): the problem, and the step and need it concerns.
struct OrderReport {
    OrderProblem problem = OrderProblem::None;  ///< None on success
    const InitCall* step = nullptr;             ///< the step whose need failed
    std::string_view need;                      ///< the need that failed
};

/// The most steps init::order() sorts (a fixed table: it runs before anything else).
inline constexpr std::size_t kMaxSteps = 64;

/// Puts @p count steps in boot order: level, then layer, then name, with every step
/// after its needs. Writes pointers into @p calls to @p out (room for @p count).
/// Pure: the kernel runs it on its linker table, the host tests on their own.
OrderReport order(const InitCall* calls, std::size_t count, const InitCall** out);

/// Runs every registered call in init::order()'s order; panics with the reason if there
/// is none. Prints each step first when the kernel command line has `bootlog=1`.
/// Called once by the boot code.
void run_all();

}  // namespace cops::init

/// @cond INTERNAL
#define COPS_INITCALL_LEVEL_early 0
#define COPS_INITCALL_LEVEL_arch 1
#define COPS_INITCALL_LEVEL_device 2
#define COPS_INITCALL_LEVEL_late 3
#define COPS_INITCALL_LEVEL_start 4
#define COPS_INITCALL_STR2(x) #x
#define COPS_INITCALL_STR(x) COPS_INITCALL_STR2(x)
#define COPS_INITCALL_SECTION(level, fn) \
    ".initcall." COPS_INITCALL_STR(COPS_INITCALL_LEVEL_##level) "." COPS_INITCALL_STR(COPS_LAYER) "." #fn
// The build defines COPS_LAYER as the chapter of each source file (mk/kernel.mk).
#ifndef COPS_LAYER
#define COPS_LAYER 0
#endif
/// @endcond

/// Registers @p fn to run at @p level (early, arch, device, late or start), after the
/// steps named in the optional further arguments (each the name of another step's fn).
/// The section name `.initcall.<level>.<layer>.<fn>` makes the linker table sorted.
#define COPS_INITCALL(level, fn, ...)                                                                               \
    [[gnu::used,                                                                                                    \
      gnu::section(COPS_INITCALL_SECTION(level, fn))]] static constexpr ::cops::init::InitCall cops_initcall_##fn { \
        static_cast<::cops::init::Level>(COPS_INITCALL_LEVEL_##level), COPS_LAYER, #fn, __FILE_NAME__,              \
            "" #__VA_ARGS__, &fn                                                                                    \
    }
