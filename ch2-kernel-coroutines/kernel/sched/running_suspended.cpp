/// @file running_suspended.cpp
/// @brief The threads set aside by preemption, by level, under one lock: ch1's
/// LeveledQueue, the same O(1) shape as the executor's ready queues.
#include "cops/sched/running_suspended.hpp"

#include "cops/sched/leveled_queue.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::sched {

namespace {
LeveledQueue<Thread, ThreadQueueTag> g_levels;
unsigned g_count = 0;
sync::SpinLock g_lock;
}  // namespace

void add_running_suspended(Thread& thread) {
    sync::LockGuard guard(g_lock);
    g_levels.push_back(thread, thread.priority);
    ++g_count;
}

std::optional<Priority> best_running_suspended() {
    sync::LockGuard guard(g_lock);
    return g_levels.most_urgent();
}

Thread* take_running_suspended(Priority bar) {
    sync::LockGuard guard(g_lock);
    Thread* t = g_levels.pop_most_urgent_up_to(bar);
    if (t != nullptr) {
        --g_count;
    }
    return t;
}

unsigned running_suspended_count() {
    sync::LockGuard guard(g_lock);
    return g_count;
}

void for_each_running_suspended(void (*fn)(const Thread&, void*), void* ctx) {
    sync::LockGuard guard(g_lock);
    g_levels.for_each([&](const Thread& t) { fn(t, ctx); });
}

}  // namespace cops::sched
