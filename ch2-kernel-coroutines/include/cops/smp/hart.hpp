/// @file hart.hpp
/// @brief Per-hart state, reached through the `tp` register.
#pragma once

#include <atomic>
#include <cstdint>

#include "cops/sched/executor.hpp"
#include "cops/sched/thread.hpp"

namespace cops::smp {

/// What the hart's next thread must do for the one that switched to it (see switch.hpp).
enum class AfterSwitch : std::uint8_t {
    Nothing,  ///< the old thread is abandoned (a secondary hart's boot stack)
    Release,  ///< the old thread goes back to the pool
    Suspend,  ///< the old thread holds a preempted coroutine: into the running-suspended set
    Park,     ///< the old thread waits in run_until() for its condition
};

/// Counters per hart, for the `ps` dump, tests and benchmarks.
struct HartStats {
    std::uint64_t ticks = 0;            ///< timer interrupts taken
    std::uint64_t ipis = 0;             ///< software interrupts taken
    std::uint64_t external = 0;         ///< external (PLIC) interrupts taken
    std::uint64_t preemptions = 0;      ///< coroutines preempted here
    std::uint64_t idle_waits = 0;       ///< times the hart slept in wfi
    std::uint64_t resumed_threads = 0;  ///< running-suspended threads continued here
    std::uint64_t coroutines_run = 0;   ///< run_once() calls that ran a coroutine
};

/// One hart's state. Only that hart writes it, except the atomics.
struct Hart {
    /// 0..hart_count()-1; the boot hart is 0. The first member: `tp` points here, and the
    /// executor reads its hart slot from there (sched::HartSlots::TpPointsToSlot).
    std::uint32_t index = 0;
    unsigned hart_id = 0;                             ///< the SBI/FDT hart id
    sched::Thread* thread = nullptr;                  ///< the thread running on this hart now
    sched::Thread* switched_from = nullptr;           ///< the thread that just switched away
    AfterSwitch after_switch = AfterSwitch::Nothing;  ///< what to do with it
    std::atomic<bool> online{false};                  ///< started and running its loop
    sched::Thread home;                               ///< this hart's boot stack as a thread
    HartStats stats;                                  ///< counters
};

/// The hart the caller runs on.
inline Hart& this_hart() {
    Hart* h;
    asm volatile("mv %0, tp" : "=r"(h));
    return *h;
}

/// Hart @p index (0..kMaxHarts-1).
Hart& hart(unsigned index);
/// How many harts the kernel runs on (from the device tree, at most kMaxHarts).
unsigned hart_count();
/// How many harts have started their loop.
unsigned online_count();
/// Lets only harts 0..@p n-1 run coroutines; the others sleep in `wfi` (benchmarks
/// compare 1, 2 and 4 harts in one boot). n = 0 or > hart_count() means all.
void set_active_harts(unsigned n);
/// True if hart @p index may run coroutines.
bool hart_active(unsigned index);

/// Registers a step that every secondary hart runs for itself before it enters its
/// scheduler loop (a later layer's per-hart state, e.g. turning on paging). The boot
/// hart is already running when later layers' init calls register, so they do it
/// for the boot hart themselves. At most 4 steps.
void add_hart_init(void (*step)());
/// Runs the registered per-hart steps on the calling hart (the SMP boot code calls it).
void run_hart_inits();

/// Makes the calling hart hart @p index: points `tp` at its state.
void enter_hart(unsigned index, unsigned hart_id);

}  // namespace cops::smp
