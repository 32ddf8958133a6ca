/// @file running_suspended.cpp
/// @brief 64 FIFO lists of threads and a bitmap, under one lock: the same O(1) shape as the executor.
#include "cops/sched/running_suspended.hpp"

#include "cops/sched/priority_bitmap.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::sched {

namespace {
lib::IntrusiveList<Thread, ThreadQueueTag> g_levels[kPriorityLevels];
PriorityBitmap g_bitmap;
unsigned g_count = 0;
sync::SpinLock g_lock;
}  // namespace

void add_running_suspended(Thread& thread) {
    sync::LockGuard guard(g_lock);
    g_levels[thread.priority.level].push_back(thread);
    g_bitmap.set(thread.priority);
    ++g_count;
}

std::optional<Priority> best_running_suspended() {
    sync::LockGuard guard(g_lock);
    return g_bitmap.highest();
}

Thread* take_running_suspended(Priority bar) {
    sync::LockGuard guard(g_lock);
    const std::optional<Priority> best = g_bitmap.highest();
    if (!best || best->level > bar.level) {
        return nullptr;
    }
    auto& list = g_levels[best->level];
    Thread* t = list.pop_front();
    if (list.empty()) {
        g_bitmap.clear(*best);
    }
    --g_count;
    return t;
}

unsigned running_suspended_count() {
    sync::LockGuard guard(g_lock);
    return g_count;
}

void for_each_running_suspended(void (*fn)(const Thread&, void*), void* ctx) {
    sync::LockGuard guard(g_lock);
    for (const auto& list : g_levels) {
        list.for_each([&](const Thread& t) { fn(t, ctx); });
    }
}

}  // namespace cops::sched
