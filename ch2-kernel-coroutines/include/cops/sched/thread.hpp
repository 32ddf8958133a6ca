/// @file thread.hpp
/// @brief A kernel thread is only a stack: where a hart runs the executor loop.
///
/// Coroutines are the unit of scheduling. A thread exists so that a coroutine
/// interrupted in the middle of its code (preempted) can keep its registers and
/// its call stack while the hart goes on with another stack. The paper calls that
/// coroutine *running-suspended* (fig. 2): it owns this thread until resumed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cops/lib/intrusive_list.hpp"
#include "cops/sched/ccb.hpp"
#include "cops/sched/priority.hpp"

namespace cops::sched {

/// The callee-saved registers a thread keeps while another runs (switch_context).
struct Context {
    std::uint64_t ra = 0;      ///< where switch_context returns to
    std::uint64_t sp = 0;      ///< the thread's stack pointer
    std::uint64_t s[12] = {};  ///< s0..s11
};

/// What a thread is for.
enum class ThreadKind : std::uint8_t {
    Home,  ///< a hart's boot stack (the test runner or demo runs on the boot hart's)
    Pool,  ///< a stack from the pool, running the executor loop
};

/// Tag for the one queue a thread sits in: the pool's free list or the running-suspended set.
struct ThreadQueueTag {};

/// A stack and the registers to continue it.
struct Thread : lib::ListHook<ThreadQueueTag> {
    Context context{};                   ///< saved registers while not running
    std::byte* stack_base = nullptr;     ///< lowest address of the stack
    std::size_t stack_size = 0;          ///< its size in bytes
    ThreadKind kind = ThreadKind::Pool;  ///< home or pool
    std::uint16_t id = 0;                ///< for the `ps` dump
    Cid coroutine{};                     ///< the running-suspended coroutine it holds, if any
    Priority priority{};                 ///< that coroutine's priority when it was preempted
};

}  // namespace cops::sched

extern "C" {
/// Saves the callee-saved registers in @p save and continues the thread saved in @p load.
/// Returns when some hart switches back to @p save. Interrupts must be off.
void switch_context(cops::sched::Context* save, const cops::sched::Context* load);
/// Where a fresh pool thread starts (switch_context "returns" here): calls thread_main().
void thread_start();
}
