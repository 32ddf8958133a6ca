/// @file executor.hpp
/// @brief The priority executor: 64 ready queues, a bitmap, a blocked set, O(1) pick.
///
/// This is the paper's Executor (§3.1.2) with its API (table 1): spawn, current,
/// wake, set_priority, plus yield() and block() from suspend.hpp. Coroutines are
/// named by Cid; every operation on a cid checks it, so a stale or garbage cid is
/// reported as an Error and never touches the queues.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "cops/lib/intrusive_list.hpp"
#include "cops/lib/result.hpp"
#include "cops/sched/ccb.hpp"
#include "cops/sched/leveled_queue.hpp"
#include "cops/sched/priority_bitmap.hpp"
#include "cops/sched/suspend.hpp"
#include "cops/sched/task.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::sched {

/// Most harts an executor can be run on at once (each has its own "current" slot).
inline constexpr unsigned kMaxHarts = 8;

/// running_level() of a hart slot that runs no coroutine.
inline constexpr std::uint8_t kNoLevel = 0xff;

/// Where an executor keeps what the kernel reads from a process in ch3: one running
/// level per hart slot in the executor's first 8 bytes, then the ready bitmap (the
/// first word of its ready queues). Both are plain bytes in the process's memory, so
/// the kernel must treat them as untrusted input.
struct ExecutorSummaryLayout {
    static constexpr std::size_t kRunningLevelOffset = 0;  ///< std::uint8_t[kMaxHarts]
    static constexpr std::size_t kReadyBitsOffset = 8;     ///< std::uint64_t, bit i = level i ready
    static constexpr std::size_t kBytes = kMaxHarts + 8;   ///< bytes to read
};

/// How an executor learns which hart slot its caller runs on. It reads the `tp`
/// register inline (no call): the slot must be known on every pick and every wake.
enum class HartSlots : std::uint8_t {
    One,             ///< one hart: slot 0 (chapter 1, host tests)
    TpIsSlot,        ///< `tp` holds the slot number (a user process's threads, ch3)
    TpPointsToSlot,  ///< `tp` points at a 32-bit slot number (the kernel's smp::Hart, ch2)
};

/// Counters an executor keeps about itself.
struct ExecutorStats {
    std::uint64_t spawned = 0;  ///< coroutines spawned
    std::uint64_t resumes = 0;  ///< resume() calls made
    std::uint64_t exited = 0;   ///< coroutines that finished
};

/// A priority executor owning up to `capacity` coroutines.
class Executor {
public:
    /// Creates an executor with room for @p capacity coroutines. The control blocks
    /// are allocated once, here; nothing on the scheduling path allocates.
    explicit Executor(std::uint32_t capacity);
    /// Destroys every coroutine still alive (their frames are freed).
    ~Executor();
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;

    /// False if the control blocks could not be allocated.
    bool valid() const { return slots_ != nullptr; }
    /// How many coroutines this executor can hold at once.
    std::uint32_t capacity() const { return capacity_; }

    /// Takes ownership of @p task and makes it ready at priority @p prio.
    /// Errors: InvalidTask (empty task), BadPriority, OutOfSlots.
    Result<Cid> spawn(Task<void> task, Priority prio, CoroutineKind kind = CoroutineKind::Kernel);

    /// Like spawn(), but the coroutine stays in the Create state, in no queue, until
    /// start(cid). Errors: as spawn().
    Result<Cid> create(Task<void> task, Priority prio, CoroutineKind kind = CoroutineKind::Kernel);
    /// Makes a created coroutine ready. Errors: UnknownCid, Finished, BadState (not in Create).
    Status start(Cid cid);

    /// The cid of the coroutine being resumed on this hart now, or Cid{} outside any coroutine.
    Cid current() const {
        const Ccb* c = current_[hart_slot()];
        return c != nullptr ? c->cid : Cid{};
    }

    /// How each new executor finds its caller's hart slot. HartSlots::One until a layer
    /// that starts more harts sets it (ch2: TpPointsToSlot, once `tp` is set on every hart).
    /// Hooks are per-instance setters (set_*); this and on_lost_coroutine are the two
    /// boot-wide defaults a new executor copies, so that executors made later (by tests,
    /// by a process) follow what the kernel decided at boot (docs/architecture.md).
    static HartSlots default_hart_slots;
    /// Replaces how this executor finds its caller's hart slot (a user process's
    /// executor numbers its own hart slots in `tp`, ch3).
    void set_hart_slots(HartSlots how) { hart_slots_ = how; }
    /// The hart slot the caller runs on, 0..kMaxHarts-1 (`tp` read inline).
    unsigned hart_slot() const {
#if defined(__riscv)
        if (hart_slots_ == HartSlots::One) {
            return 0;
        }
        std::uintptr_t tp;
        // volatile: a coroutine preempted on one hart may go on on another, so two reads
        // around a resume must not be merged.
        asm volatile("mv %0, tp" : "=r"(tp));
        if (hart_slots_ == HartSlots::TpIsSlot) {
            return static_cast<unsigned>(tp) & (kMaxHarts - 1);  // user memory: stay in bounds
        }
        return *reinterpret_cast<const std::uint32_t*>(tp);
#else
        return 0;
#endif
    }

    /// Turns the handoff slot (the wake fast path, see make_woken_ready()) on or off.
    /// On by default; the order coroutines run in is the same either way.
    void set_handoff(bool on);
    /// Whether this executor's lock turns interrupts off while held (kernel executors
    /// from ch2 on; never in user mode). New executors copy g_locks_mask_interrupts.
    void set_lock_masks_interrupts(bool masks) { lock_.set_masks_interrupts(masks); }

    /// Makes a blocked coroutine ready. If it is running or ready, the wake is
    /// remembered so that its next block() returns at once (no lost wake-up).
    /// Errors: UnknownCid, Finished.
    Status wake(Cid cid);

    /// Changes a coroutine's priority; a ready one moves to its new queue at once.
    /// Errors: UnknownCid, Finished, BadPriority.
    Status set_priority(Cid cid, Priority prio);

    /// Installs @p waker, called with the cid (outside the lock) each time a wake makes
    /// this blocked coroutine ready; nullptr removes it (installed by tests that watch
    /// the order of wakes). Errors: UnknownCid, Finished.
    Status set_waker(Cid cid, void (*waker)(Cid));

    /// The state of @p cid; Exit for a coroutine that has finished.
    Result<CoroutineState> state(Cid cid) const;
    /// The priority of a live coroutine.
    Result<Priority> priority(Cid cid) const;
    /// The frame size in bytes of a live coroutine's root task.
    Result<std::uint32_t> frame_bytes(Cid cid) const;

    /// Picks the most urgent ready coroutine and resumes it until it suspends.
    /// Returns false when no coroutine was ready.
    bool run_once();
    /// Runs until no coroutine is ready. Returns how many resumes it made.
    std::uint64_t run();

    /// The most urgent level that has a ready coroutine, if any.
    std::optional<Priority> best_ready() const;

    /// The priority of the coroutine running on hart @p hart_index, if one is.
    std::optional<Priority> running_priority(unsigned hart_index) const;

    /// Preemption support (ch2): the coroutine running on this hart was interrupted and
    /// its stack is set aside. It becomes RunningSuspended and this hart has no current
    /// coroutine. Returns its cid, or Cid{} if none was running here.
    Cid preempt_current();
    /// The running-suspended coroutine @p cid continues on this hart: it is Running again
    /// and current here. Errors: UnknownCid, Finished, BadState (it was not suspended).
    Status resume_preempted(Cid cid);

    /// Installs @p hook, called outside the lock with the priority each time spawn(),
    /// wake() or set_priority() makes a coroutine ready. Installed by ch2's
    /// kernel_executor.cpp (on_ready: wake an idle hart or nudge a busy one).
    void set_ready_hook(void (*hook)(Executor&, Priority)) { ready_hook_ = hook; }

    /// The ready-level bitmap (bit i set: level i has a ready coroutine), at
    /// ExecutorSummaryLayout::kReadyBitsOffset.
    const PriorityBitmap& bitmap() const { return ready_.bitmap(); }
    /// The level of the coroutine running on hart slot @p hart, or kNoLevel (read
    /// without the lock; what the kernel reads from a process in ch3).
    std::uint8_t running_level(unsigned hart) const { return hart < kMaxHarts ? running_level_[hart] : kNoLevel; }
    /// The coroutine in the handoff slot, if any (tests and the `ps` dump).
    Cid handoff() const;
    /// Number of ready coroutines (queued or in the handoff slot).
    std::size_t ready_count() const;
    /// Number of live coroutines (created, ready, running, blocked).
    std::uint32_t live_count() const { return live_; }
    /// Counters.
    const ExecutorStats& stats() const { return stats_; }

    /// Calls @p fn(const Ccb&) for every live coroutine (for a `ps`-like dump).
    template <class Fn>
    void for_each_live(Fn&& fn) const {
        for (std::uint32_t i = 0; i < capacity_; ++i) {
            if (slots_[i].state != CoroutineState::Exit) {
                fn(static_cast<const Ccb&>(slots_[i]));
            }
        }
    }

    /// Called when a coroutine suspends without a request (it awaited something the
    /// executor does not know). The kernel installs a panic naming the coroutine
    /// (ch1's boot.cpp, before any executor exists); the portable default traps. Each
    /// executor copies it when it is created.
    static void (*on_lost_coroutine)(const Ccb&);

private:
    using ReadyQueues = LeveledQueue<Ccb, ReadyQueueTag>;

    /// spawn() and create(): take a control block for @p task; ready it if @p start.
    Result<Cid> admit(Task<void> task, Priority prio, CoroutineKind kind, bool start);
    /// The control block a cid names if it is live, else the error to report.
    Result<Ccb*> lookup(Cid cid) const;
    /// The state change of wake(): blocked -> ready, else remember the wake (the lock is held).
    void wake_locked(Ccb& c);
    /// The state change of set_priority(): a ready coroutine moves to its new level's
    /// queue; any other keeps the priority for its next queueing (the lock is held).
    void change_priority_locked(Ccb& c, Priority prio);
    /// Queues @p ccb as ready at the back of its level's queue (the lock is held).
    void make_ready(Ccb& ccb);
    /// Makes a woken coroutine ready: into the handoff slot when the rule allows, else
    /// as make_ready() (the lock is held).
    void make_woken_ready(Ccb& ccb);
    /// Puts the handoff slot's coroutine back at the front of its level's queue.
    void return_handoff();
    /// Empties the handoff slot and returns what it held, or nullptr (the lock is held).
    Ccb* take_handoff();
    /// Removes and returns the most urgent ready coroutine (the lock is held).
    Ccb* pick_next();
    /// Acts on what the coroutine asked for when it suspended (the lock is held).
    /// Returns the frame to destroy if the coroutine finished.
    std::coroutine_handle<> after_resume(Ccb& ccb);
    /// Frees the control block of an exited coroutine; returns its frame to destroy.
    std::coroutine_handle<> retire(Ccb& ccb);

    /// Sets running_level_ for the slot of @p hart (the lock is held).
    void note_running(unsigned hart, const Ccb* ccb) {
        running_level_[hart] = ccb != nullptr ? ccb->priority.level : kNoLevel;
    }

    // The first two members are the summary the kernel reads (ExecutorSummaryLayout):
    // the running levels, then the ready queues, whose first word is their bitmap.
    std::uint8_t running_level_[kMaxHarts];
    ReadyQueues ready_;
    Ccb* slots_ = nullptr;
    std::uint32_t capacity_ = 0;
    std::uint32_t live_ = 0;
    Ccb* free_ = nullptr;
    Ccb* handoff_ = nullptr;  // the wake fast path (make_woken_ready): ready, in no queue
    bool handoff_on_ = true;
    HartSlots hart_slots_;
    Ccb* current_[kMaxHarts] = {};
    void (*ready_hook_)(Executor&, Priority) = nullptr;
    void (*on_lost_)(const Ccb&);
    ExecutorStats stats_;
    mutable sync::OwnPolicySpinLock lock_;
};

}  // namespace cops::sched
