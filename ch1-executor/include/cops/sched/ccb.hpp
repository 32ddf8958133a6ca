/// @file ccb.hpp
/// @brief The coroutine control block (the paper's listing 2) and its states.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>

#include "cops/lib/intrusive_list.hpp"
#include "cops/lib/strong_id.hpp"
#include "cops/sched/priority.hpp"

namespace cops::sched {

class Executor;

/// Tag type for coroutine ids.
struct CidTag {};
/// A coroutine id: the index of its control block plus a generation, so a cid of a
/// finished coroutine is recognised as such even after its block is reused.
using Cid = lib::StrongId<CidTag>;

/// What a coroutine is for; the executor may treat kinds differently (paper §3.1.1).
enum class CoroutineKind : std::uint8_t {
    Kernel,         ///< a kernel activity (driver, service, the switching coroutine)
    KernelSyscall,  ///< a kernel coroutine doing the work of an async system call (ch4)
    User,           ///< a coroutine of a user process (ch3)
};

/// The six states of the paper's coroutine state model (fig. 2).
enum class CoroutineState : std::uint8_t {
    Create,            ///< spawned, not yet queued
    Ready,             ///< in a ready queue, waiting to be picked
    Running,           ///< being resumed on a hart
    RunningSuspended,  ///< interrupted while running; owns a stack until resumed (ch2)
    Blocked,           ///< waiting for wake(cid)
    Exit,              ///< finished; its control block is free for reuse
};

/// A short name for a state, e.g. "ready".
const char* state_name(CoroutineState s);
/// A short name for a kind, e.g. "kernel".
const char* kind_name(CoroutineKind k);

/// What a coroutine asked the executor for when it last suspended.
enum class Suspension : std::uint8_t {
    None,   ///< nothing: it awaited something the executor does not know (a bug)
    Yield,  ///< put me at the back of my ready queue
    Block,  ///< park me until wake(cid)
    Exit,   ///< I have finished
};

/// Tag for the ready-queue hook of a control block.
struct ReadyQueueTag {};

/// The coroutine control block: everything the executor knows about one coroutine.
/// It sits in exactly one place at a time: a ready queue (or the executor's handoff
/// slot), the blocked set, a hart (running), or the free list, and `state` says which.
/// It is 64 bytes, so a cid's slot index becomes its address with a shift; the free
/// list reuses the ready-queue link (a free block is in no queue).
struct Ccb : lib::ListHook<ReadyQueueTag> {
    // The one-byte fields fill the hook's tail padding.
    CoroutineKind kind = CoroutineKind::Kernel;   ///< what it is for
    Priority priority{};                          ///< its priority level
    CoroutineState state = CoroutineState::Exit;  ///< where it is in the state model
    Suspension request = Suspension::None;        ///< set by the awaitable it suspended on
    bool wake_pending = false;                    ///< a wake arrived while it was not blocked
    /// This coroutine's id: (generation << 32) | (slot index + 1). A free block holds the
    /// id its next coroutine will get (retiring one bumps the generation).
    Cid cid{};
    std::coroutine_handle<> root{};          ///< the spawned task's frame (owned)
    std::coroutine_handle<> resume_point{};  ///< innermost suspended frame, resumed next
    Executor* owner = nullptr;               ///< the executor it was spawned on
    /// The paper's waker: called (if set) with the cid after wake() makes this coroutine
    /// ready, outside the executor's lock. Installed only by tests (set_waker), to see
    /// wakes in order. A wake in a user process does not need it to reach the kernel:
    /// the kernel reads the process's ready bitmap at its next trap (the fold; see
    /// user::wake in ch3's cops/user/coro.hpp).
    void (*waker)(Cid) = nullptr;

    /// The size in bytes of its root coroutine frame (read from the frame's header).
    std::uint32_t frame_bytes() const;
    /// The generation of its cid: how many coroutines this block held before.
    constexpr std::uint32_t generation() const { return static_cast<std::uint32_t>(cid.value >> 32); }
};

/// Control blocks are a power of two bytes: a cid's slot becomes an address with a shift.
inline constexpr std::size_t kCcbBytes = 64;

}  // namespace cops::sched
