/// @file global_view.cpp
/// @brief Folding process summaries into the global view; the level queues.
#include "cops/proc/global_view.hpp"

#include <new>

#include "cops/init/initcall.hpp"
#include "cops/lib/panic.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/user_layout.hpp"
#include "cops/proc/switching_coroutine.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/leveled_queue.hpp"
#include "cops/sched/suspend.hpp"

namespace cops::proc {

namespace {

/// The processes waiting for a CPU: one FIFO per level and a bitmap of the non-empty
/// ones (ch1's LeveledQueue).
struct LevelQueues {
    sync::SpinLock lock;
    sched::LeveledQueue<Process, LevelQueueTag> queues;
};
LevelQueues g_view;
mm::GlobalView* g_published = nullptr;  // the shared page, kernel address
GlobalViewStats g_stats;                // under g_view.lock (but `unchanged`)
std::atomic<std::uint64_t> g_unchanged{0};
std::atomic<std::uint64_t> g_kernel_bits_published{0};  // the kernel's part of the last publish
PendingWorkCheck g_pending_check = nullptr;

void create_view_page() {
    auto frame = mm::frames().allocate_frame();
    if (!frame) {
        panic("global view: no frame for the page every process reads");
    }
    g_published = new (frame.value()) mm::GlobalView;
}
COPS_INITCALL(device, create_view_page);

/// Writes the view's bitmap, with the kernel's ready levels, to the shared page.
void publish_locked() {
    if (g_published != nullptr) {
        const std::uint64_t kernel_bits = sched::kernel_executor().bitmap().raw();
        g_kernel_bits_published.store(kernel_bits, std::memory_order_relaxed);
        g_published->busy_levels.store(g_view.queues.bitmap().raw() | kernel_bits, std::memory_order_relaxed);
        g_published->folds.fetch_add(1, std::memory_order_relaxed);
    }
}

void enqueue_process_locked(Process& p) {
    if (!p.queued) {
        g_view.queues.push_back(p, p.level);
        p.queued = true;
    }
}

void dequeue_process_locked(Process& p) {
    if (p.queued) {
        g_view.queues.remove(p, p.level);
        p.queued = false;
    }
}

/// Moves @p p to @p level, into that level's queue if it was queued; true if it was.
bool move_to_level_locked(Process& p, sched::Priority level) {
    const bool was_queued = p.queued;
    dequeue_process_locked(p);
    p.level = level;
    if (was_queued) {
        enqueue_process_locked(p);
    }
    return was_queued;
}

/// Joins @p t to its process's waiting list (the process to its level's queue).
void add_waiting_locked(UserThread& t) {
    t.cpu.store(CpuState::Waiting, std::memory_order_relaxed);
    t.process->waiting.push_back(t);
    enqueue_process_locked(*t.process);
}

/// Takes @p t out of whatever list it is in; it may run now.
void withdraw_locked(UserThread& t) {
    Process& p = *t.process;
    switch (t.cpu.load(std::memory_order_relaxed)) {
        case CpuState::Waiting:
            p.waiting.remove(t);
            if (p.waiting.empty()) {
                dequeue_process_locked(p);
            }
            break;
        case CpuState::Parked: p.parked.remove(t); break;
        case CpuState::Dispatched: break;
    }
    t.cpu.store(CpuState::Dispatched, std::memory_order_release);
}

/// The running levels of a summary as one word (byte h = slot h).
std::uint64_t running_word(const ExecutorSummary& s) {
    std::uint64_t w;
    static_assert(sizeof s.running == sizeof w);
    __builtin_memcpy(&w, s.running, sizeof w);
    return w;
}

/// The level the last fold of @p p gave, if nothing it read has changed since.
std::optional<sched::Priority> unchanged_level(const Process& p, const ExecutorSummary& s) {
    const FoldCache& c = p.fold_cache;
    const std::uint32_t seq = c.sequence.load(std::memory_order_acquire);
    if ((seq & 1U) != 0) {
        return std::nullopt;
    }
    const bool same = c.ready_bits.load(std::memory_order_relaxed) == s.ready_bits &&
                      c.running.load(std::memory_order_relaxed) == running_word(s) &&
                      c.ceiling.load(std::memory_order_relaxed) == p.ceiling.level;
    const sched::Priority level{c.level.load(std::memory_order_relaxed)};
    std::atomic_thread_fence(std::memory_order_acquire);
    if (!same || c.sequence.load(std::memory_order_relaxed) != seq ||
        sched::kernel_executor().bitmap().raw() != g_kernel_bits_published.load(std::memory_order_relaxed)) {
        return std::nullopt;
    }
    return level;
}

/// Marks @p p's cache as being written (or empty): odd sequence (under g_view.lock).
void invalidate_fold_locked(FoldCache& c) {
    const std::uint32_t seq = c.sequence.load(std::memory_order_relaxed);
    if ((seq & 1U) == 0) {
        c.sequence.store(seq + 1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
    }
}

/// Records what a fold of @p p read and gave (under g_view.lock).
void remember_fold_locked(Process& p, const ExecutorSummary& s, sched::Priority level) {
    FoldCache& c = p.fold_cache;
    invalidate_fold_locked(c);
    c.ready_bits.store(s.ready_bits, std::memory_order_relaxed);
    c.running.store(running_word(s), std::memory_order_relaxed);
    c.ceiling.store(p.ceiling.level, std::memory_order_relaxed);
    c.level.store(level.level, std::memory_order_relaxed);
    c.sequence.store(c.sequence.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

/// Blocks until @p t is dispatched or its process ends; then it is in no list.
sched::Task<void> until_dispatched(UserThread& t) {
    while (t.cpu.load(std::memory_order_acquire) != CpuState::Dispatched &&
           !t.process->ending.load(std::memory_order_acquire)) {
        co_await sched::block();  // a stray wake only loops
    }
    sync::LockGuard g(g_view.lock);
    withdraw_locked(t);
}

}  // namespace

ExecutorSummary read_summary(const Process& p) {
    ExecutorSummary s;
    if (p.executor_page == nullptr) {
        return s;
    }
    // The process may be writing these bytes on another hart: read each once.
    const std::uint8_t* page = p.executor_page;
    s.ready_bits =
        __atomic_load_n(reinterpret_cast<const std::uint64_t*>(page + sched::ExecutorSummaryLayout::kReadyBitsOffset),
                        __ATOMIC_RELAXED);
    const std::uint64_t running = __atomic_load_n(
        reinterpret_cast<const std::uint64_t*>(page + sched::ExecutorSummaryLayout::kRunningLevelOffset),
        __ATOMIC_RELAXED);
    static_assert(sched::ExecutorSummaryLayout::kRunningLevelOffset % sizeof running == 0 &&
                  sizeof s.running == sizeof running);
    __builtin_memcpy(s.running, &running, sizeof running);
    return s;
}

sched::Priority fold(UserThread& t) {
    Process& p = *t.process;
    const ExecutorSummary summary = read_summary(p);
    if (const std::optional<sched::Priority> same = unchanged_level(p, summary)) {
        g_unchanged.fetch_add(1, std::memory_order_relaxed);
        return *same;
    }
    const sched::Priority level = process_level(summary, p.ceiling);
    bool changed = false;
    {
        sync::LockGuard g(g_view.lock);
        ++g_stats.folds;
        if (level != p.level) {
            changed = move_to_level_locked(p, level);
        }
        if (summary.ready_bits != 0 && !p.parked.empty()) {
            // Ready work again: its parked threads wait for a CPU to run it.
            while (UserThread* parked = p.parked.pop_front()) {
                add_waiting_locked(*parked);
            }
            changed = true;
        }
        publish_locked();
        remember_fold_locked(p, summary, level);
    }
    if (changed) {
        notify_switcher();
    }
    return level;
}

sched::Task<void> wait_for_cpu(UserThread& t) {
    {
        sync::LockGuard g(g_view.lock);
        add_waiting_locked(t);
        publish_locked();
    }
    notify_switcher();
    co_await until_dispatched(t);
}

sched::Task<void> park(UserThread& t) {
    bool ready = read_summary(*t.process).ready_bits != 0;
    {
        sync::LockGuard g(g_view.lock);
        // Asked under the lock: make_runnable() takes it too, so work that arrives
        // after this check finds the thread in the parked list.
        ready = ready || (g_pending_check != nullptr && g_pending_check(*t.process));
        if (ready) {
            add_waiting_locked(t);  // work arrived meanwhile: do not sleep on it
        } else {
            t.cpu.store(CpuState::Parked, std::memory_order_relaxed);
            t.process->parked.push_back(t);
            invalidate_fold_locked(t.process->fold_cache);  // the next fold must see ready work
            ++g_stats.parks;
        }
    }
    if (ready) {
        notify_switcher();
    }
    co_await until_dispatched(t);
}

void make_runnable(Process& p, sched::Priority level) {
    if (level.more_urgent_than(p.ceiling) || !level.valid()) {
        level = p.ceiling;  // a coroutine's level is the process's word: clamp it
    }
    bool changed = false;
    {
        sync::LockGuard g(g_view.lock);
        invalidate_fold_locked(p.fold_cache);  // the view moved without a fold: the next one must look
        if (level.more_urgent_than(p.level)) {
            changed = move_to_level_locked(p, level);
        }
        while (UserThread* parked = p.parked.pop_front()) {
            add_waiting_locked(*parked);
            changed = true;
        }
        if (changed) {
            publish_locked();
        }
    }
    if (changed) {
        notify_switcher();
    }
}

void set_pending_work_check(PendingWorkCheck check) { g_pending_check = check; }

UserThread* take_best_waiting(sched::Priority& level) {
    sync::LockGuard g(g_view.lock);
    const auto best = g_view.queues.most_urgent();
    if (!best) {
        return nullptr;
    }
    Process* p = g_view.queues.pop_most_urgent();
    UserThread* t = p->waiting.pop_front();
    if (p->waiting.empty()) {
        p->queued = false;
    } else {
        g_view.queues.push_back(*p, *best);  // more threads wait: the process takes its turn again later
    }
    t->cpu.store(CpuState::Dispatched, std::memory_order_release);
    level = *best;
    ++g_stats.dispatches;
    publish_locked();
    return t;
}

std::optional<sched::Priority> best_waiting() {
    sync::LockGuard g(g_view.lock);
    return g_view.queues.most_urgent();
}

mm::PhysAddr global_view_frame() { return mm::physical_of(g_published); }

GlobalViewStats global_view_stats() {
    sync::LockGuard g(g_view.lock);
    GlobalViewStats s = g_stats;
    s.unchanged = g_unchanged.load(std::memory_order_relaxed);
    return s;
}

}  // namespace cops::proc
