/// @file executor.cpp
/// @brief The priority executor. See executor.hpp for the contract.
#include "cops/sched/executor.hpp"

#include <new>
#include <type_traits>

namespace cops::sched {

namespace {
// A cid packs (generation << 32) | (slot index + 1), so 0 is never a valid cid.
constexpr std::uint64_t kNextGeneration = std::uint64_t{1} << 32;
constexpr std::uint64_t cid_index_plus_one(Cid cid) { return cid.value & 0xffff'ffffU; }
constexpr std::uint32_t cid_generation(Cid cid) { return static_cast<std::uint32_t>(cid.value >> 32); }

}  // namespace

// The constructor and destructor are in executor_lifetime.cpp: they allocate, and
// this file must not. From ch3 on this file is also built alone as the shared
// scheduler (the vDSO) that every process runs: it may call nothing outside itself
// and own no global variable (the build checks both).

// The hot operations below are always inlined into wake() and run_once(): one call
// per operation, results in registers.

[[gnu::always_inline]] inline Result<Ccb*> Executor::lookup(Cid cid) const {
    const std::uint64_t index = cid_index_plus_one(cid) - 1;  // cid 0 wraps to a huge index
    if (index >= capacity_) {
        return Error::UnknownCid;
    }
    Ccb& c = slots_[index];
    if (c.cid == cid && c.state != CoroutineState::Exit) {
        return &c;
    }
    // An older generation was issued once and has since finished; a newer one never was.
    // A free block holds the cid it will issue next (retire() bumps the generation).
    return cid_generation(cid) < c.generation() ? Error::Finished : Error::UnknownCid;
}

// The handoff slot (the wake fast path). Its rule, which keeps the order coroutines run
// in exactly what it is without the slot:
//  1. A woken coroutine goes into the slot only when the slot is empty and no coroutine
//     of its level or a more urgent one is ready: it would be the next pick anyway.
//  2. While the slot holds c, no queued coroutine is more urgent than c, and every one
//     queued at c's level was made ready after c. So c is exactly what pick_next() would
//     return: it stands for the head of its level's queue (and its bitmap bit is set).
//  3. Anything that would break 2 first puts c back at the front of its queue: a
//     coroutine made ready at a more urgent level (make_ready), or a priority change.
// Every hart's pick takes the slot first, so there is one slot per executor: a slot per
// hart would let one hart run a less urgent coroutine while a more urgent one waits in
// another hart's slot.

[[gnu::always_inline]] inline void Executor::return_handoff() {
    Ccb& c = *handoff_;
    handoff_ = nullptr;
    ready_.push_front(c, c.priority);  // first of its level again (its bit was marked)
}

[[gnu::always_inline]] inline Ccb* Executor::take_handoff() {
    Ccb* c = handoff_;
    if (c != nullptr) {
        handoff_ = nullptr;
        ready_.unmark_if_empty(c->priority);
    }
    return c;
}

[[gnu::always_inline]] inline void Executor::make_ready(Ccb& ccb) {
    if (handoff_ != nullptr && ccb.priority.more_urgent_than(handoff_->priority)) {
        return_handoff();  // rule 3
    }
    ccb.state = CoroutineState::Ready;
    ready_.push_back(ccb, ccb.priority);
}

[[gnu::always_inline]] inline void Executor::make_woken_ready(Ccb& ccb) {
    if (handoff_on_ && handoff_ == nullptr && (ready_.bitmap().raw() & levels_up_to(ccb.priority)) == 0) {
        ccb.state = CoroutineState::Ready;  // rule 1
        handoff_ = &ccb;
        ready_.mark(ccb.priority);  // the slot stands for the head of its level
        return;
    }
    make_ready(ccb);
}

void Executor::set_handoff(bool on) {
    sync::LockGuard guard(lock_);
    handoff_on_ = on;
    if (!on && handoff_ != nullptr) {
        return_handoff();
    }
}

Cid Executor::handoff() const {
    sync::LockGuard guard(lock_);
    return handoff_ != nullptr ? handoff_->cid : Cid{};
}

[[gnu::always_inline]] inline Ccb* Executor::pick_next() {
    return ready_.pop_most_urgent();  // O(1): the most urgent level, FIFO within it
}

Result<Cid> Executor::spawn(Task<void> task, Priority prio, CoroutineKind kind) {
    return admit(std::move(task), prio, kind, true);
}

Result<Cid> Executor::create(Task<void> task, Priority prio, CoroutineKind kind) {
    return admit(std::move(task), prio, kind, false);
}

Status Executor::start(Cid cid) {
    Priority prio{};
    {
        sync::LockGuard guard(lock_);
        Ccb& c = *COPS_TRY(lookup(cid));
        if (c.state != CoroutineState::Create) {
            return Error::BadState;
        }
        prio = c.priority;
        make_ready(c);
    }
    if (ready_hook_ != nullptr) {
        ready_hook_(*this, prio);
    }
    return {};
}

Result<Cid> Executor::admit(Task<void> task, Priority prio, CoroutineKind kind, bool start) {
    if (!task.valid()) {
        return Error::InvalidTask;
    }
    if (!prio.valid()) {
        return Error::BadPriority;
    }
    lock_.lock();
    if (free_ == nullptr) {
        lock_.unlock();
        return Error::OutOfSlots;  // the task's frame is freed when `task` goes out of scope
    }
    Ccb& c = *free_;
    free_ = static_cast<Ccb*>(c.next);
    c.next = nullptr;

    auto handle = task.release();
    handle.promise().ccb = &c;
    c.kind = kind;
    c.priority = prio;
    c.state = CoroutineState::Create;
    c.request = Suspension::None;
    c.wake_pending = false;
    c.root = handle;
    c.resume_point = handle;
    c.waker = nullptr;
    c.owner = this;
    ++live_;
    ++stats_.spawned;
    if (start) {
        make_ready(c);
    }
    const Cid cid = c.cid;
    lock_.unlock();
    if (start && ready_hook_ != nullptr) {
        ready_hook_(*this, prio);
    }
    return cid;
}

Status Executor::wake(Cid cid) {
    bool became_ready;
    void (*notify)(Cid);
    Priority prio;
    {
        sync::LockGuard guard(lock_);
        Ccb& c = *COPS_TRY(lookup(cid));
        const bool was_blocked = c.state == CoroutineState::Blocked;
        wake_locked(c);
        became_ready = was_blocked && c.state == CoroutineState::Ready;
        notify = c.waker;
        prio = c.priority;
    }
    // The hooks run without the lock: they may call back into the executor.
    if (became_ready) {
        if (ready_hook_ != nullptr) {
            ready_hook_(*this, prio);
        }
        if (notify != nullptr) {
            notify(cid);
        }
    }
    return {};
}

[[gnu::always_inline]] inline void Executor::wake_locked(Ccb& c) {
    // LAB(ch1): wake a coroutine
    // A blocked coroutine leaves the blocked set and becomes ready: make_woken_ready()
    // (like make_ready(), but it may take the handoff slot). Any other live coroutine
    // (ready, running, just created) keeps its place, but remembers the wake so that
    // its next block() does not park it: no wake-up is ever lost.
    if (c.state == CoroutineState::Blocked) {
        make_woken_ready(c);
    } else {
        c.wake_pending = true;
    }
    // LAB-STUB: (void)c;
    // END-LAB
}

Status Executor::set_priority(Cid cid, Priority prio) {
    if (!prio.valid()) {
        return Error::BadPriority;
    }
    bool ready;
    {
        sync::LockGuard guard(lock_);
        Ccb& c = *COPS_TRY(lookup(cid));
        change_priority_locked(c, prio);
        for (unsigned h = 0; h < kMaxHarts; ++h) {
            if (current_[h] == &c) {
                note_running(h, &c);  // the published level follows a running coroutine's change
            }
        }
        ready = c.state == CoroutineState::Ready;
    }
    if (ready && ready_hook_ != nullptr) {
        ready_hook_(*this, prio);  // a more urgent level may now have work
    }
    return {};
}

void Executor::change_priority_locked(Ccb& c, Priority prio) {
    if (handoff_ != nullptr) {
        return_handoff();  // handoff rule 3: every ready coroutine is in its queue below
    }
    // LAB(ch1): change a coroutine's priority
    // A ready coroutine must move from its old level's queue to the back of the new
    // level's queue, keeping the bitmap true for both levels. For any other state,
    // the new priority takes effect the next time it is queued.
    if (c.state == CoroutineState::Ready && c.priority != prio) {
        ready_.remove(c, c.priority);
        c.priority = prio;
        make_ready(c);
    } else {
        c.priority = prio;
    }
    // LAB-STUB: c.priority = prio;
    // END-LAB
}

Status Executor::set_waker(Cid cid, void (*waker)(Cid)) {
    sync::LockGuard guard(lock_);
    COPS_TRY(lookup(cid))->waker = waker;
    return {};
}

Result<CoroutineState> Executor::state(Cid cid) const {
    sync::LockGuard guard(lock_);
    Result<Ccb*> found = lookup(cid);
    if (found) {
        return found.value()->state;
    }
    if (found.error() == Error::Finished) {
        return CoroutineState::Exit;
    }
    return found.error();
}

Result<Priority> Executor::priority(Cid cid) const {
    sync::LockGuard guard(lock_);
    return COPS_TRY(lookup(cid))->priority;
}

Result<std::uint32_t> Executor::frame_bytes(Cid cid) const {
    sync::LockGuard guard(lock_);
    return COPS_TRY(lookup(cid))->frame_bytes();
}

std::size_t Executor::ready_count() const {
    sync::LockGuard guard(lock_);
    return ready_.size() + (handoff_ != nullptr ? 1 : 0);
}

std::optional<Priority> Executor::best_ready() const {
    sync::LockGuard guard(lock_);
    return ready_.most_urgent();
}

std::optional<Priority> Executor::running_priority(unsigned hart) const {
    if (hart >= kMaxHarts) {
        return std::nullopt;
    }
    sync::LockGuard guard(lock_);
    const Ccb* c = current_[hart];
    return c != nullptr ? std::optional<Priority>(c->priority) : std::nullopt;
}

Cid Executor::preempt_current() {
    sync::LockGuard guard(lock_);
    const unsigned hart = hart_slot();
    Ccb* c = current_[hart];
    if (c == nullptr) {
        return Cid{};
    }
    c->state = CoroutineState::RunningSuspended;
    current_[hart] = nullptr;
    note_running(hart, nullptr);
    return c->cid;
}

Status Executor::resume_preempted(Cid cid) {
    sync::LockGuard guard(lock_);
    Ccb& c = *COPS_TRY(lookup(cid));
    if (c.state != CoroutineState::RunningSuspended) {
        return Error::BadState;
    }
    c.state = CoroutineState::Running;
    const unsigned hart = hart_slot();
    current_[hart] = &c;
    note_running(hart, &c);
    return {};
}

bool Executor::run_once() {
    static_assert(offsetof(Executor, ready_) == ExecutorSummaryLayout::kReadyBitsOffset &&
                      offsetof(Executor, running_level_) == ExecutorSummaryLayout::kRunningLevelOffset &&
                      std::is_standard_layout_v<ReadyQueues>,  // so its first member, the bitmap, is at its start
                  "the kernel reads a process's executor summary at these offsets (ch3)");
    lock_.lock();
    Ccb* next = take_handoff();  // the slot, if full, holds exactly what pick_next() would give
    if (next == nullptr) {
        next = pick_next();
        if (next == nullptr) {
            lock_.unlock();
            return false;
        }
    }
    next->state = CoroutineState::Running;
    next->request = Suspension::None;
    const unsigned hart = hart_slot();
    Ccb* previous = current_[hart];
    current_[hart] = next;
    note_running(hart, next);
    ++stats_.resumes;
    lock_.unlock();

    // No lock is held while the coroutine runs: it may spawn, wake and set priorities.
    // It may also be preempted (ch2) and finish on another hart, so the slot is looked
    // up again afterwards.
    next->resume_point.resume();

    lock_.lock();
    const unsigned now_on = hart_slot();
    current_[now_on] = previous;
    note_running(now_on, previous);
    std::coroutine_handle<> finished = after_resume(*next);
    lock_.unlock();
    if (finished) {
        finished.destroy();  // outside the lock: destructors may use the executor
    }
    return true;
}

[[gnu::always_inline]] inline std::coroutine_handle<> Executor::after_resume(Ccb& ccb) {
    switch (ccb.request) {
        case Suspension::Yield: make_ready(ccb); return {};
        case Suspension::Block:
            if (ccb.wake_pending) {
                ccb.wake_pending = false;
                make_woken_ready(ccb);  // the wake came while it ran: as if it came now
            } else {
                ccb.state = CoroutineState::Blocked;
            }
            return {};
        case Suspension::Exit: return retire(ccb);
        case Suspension::None: break;
    }
    // It suspended on something that did not tell us: it can never be resumed.
    ccb.state = CoroutineState::Blocked;
    on_lost_(ccb);
    return {};
}

std::coroutine_handle<> Executor::retire(Ccb& ccb) {
    std::coroutine_handle<> frame = ccb.root;
    ccb.state = CoroutineState::Exit;
    ccb.root = {};
    ccb.resume_point = {};
    ccb.cid.value += kNextGeneration;
    ccb.next = free_;
    free_ = &ccb;
    --live_;
    ++stats_.exited;
    return frame;
}

std::uint64_t Executor::run() {
    std::uint64_t n = 0;
    while (run_once()) {
        ++n;
    }
    return n;
}

const char* state_name(CoroutineState s) {
    switch (s) {
        case CoroutineState::Create: return "create";
        case CoroutineState::Ready: return "ready";
        case CoroutineState::Running: return "running";
        case CoroutineState::RunningSuspended: return "running-suspended";
        case CoroutineState::Blocked: return "blocked";
        case CoroutineState::Exit: return "exit";
    }
    return "?";
}

const char* kind_name(CoroutineKind k) {
    switch (k) {
        case CoroutineKind::Kernel: return "kernel";
        case CoroutineKind::KernelSyscall: return "syscall";
        case CoroutineKind::User: return "user";
    }
    return "?";
}

}  // namespace cops::sched
