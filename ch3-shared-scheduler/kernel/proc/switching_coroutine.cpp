/// @file switching_coroutine.cpp
/// @brief The switching coroutine: dispatches the most urgent waiting process.
#include "cops/proc/switching_coroutine.hpp"

#include <atomic>

#include "cops/init/initcall.hpp"
#include "cops/lib/panic.hpp"
#include "cops/proc/global_view.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/suspend.hpp"

namespace cops::proc {

namespace {
std::atomic<std::uint64_t> g_cid{0};
std::atomic<std::uint64_t> g_dispatches{0};

sched::Task<void> switching_coroutine() {
    sched::Executor& ex = sched::kernel_executor();
    for (;;) {
        // LAB(ch3): the switching coroutine's choice
        // Take the first waiting thread of the most urgent waiting process
        // (take_best_waiting). None: block until notify_switcher() wakes us. Else run
        // that thread's coroutine at the process's level (set its priority, wake it),
        // bring our own priority to the next waiting level (notify_switcher), and
        // yield: the thread is at least as urgent as we are now, so it runs next.
        sched::Priority level;
        UserThread* t = take_best_waiting(level);
        if (t == nullptr) {
            co_await sched::block();
            continue;
        }
        t->coroutine_level = level;
        (void)ex.set_priority(t->cid, level);
        (void)ex.wake(t->cid);
        g_dispatches.fetch_add(1, std::memory_order_relaxed);
        notify_switcher();
        co_await sched::yield();
        // LAB-STUB: (void)ex;
        // LAB-STUB: co_await sched::block();
        // END-LAB
    }
}

void start_switching_coroutine() {
    // It starts at the most urgent level (the paper's choice); its first notify sets it.
    auto task = switching_coroutine();
    auto cid = task.valid() ? sched::spawn(std::move(task), sched::Priority::highest())
                            : Result<sched::Cid>{Error::OutOfMemory};
    if (!cid) {
        panic("switching coroutine: cannot start it: {}", error_name(cid.error()));
    }
    g_cid.store(cid.value().value, std::memory_order_release);
}
COPS_INITCALL(device, start_switching_coroutine);
}  // namespace

void notify_switcher() {
    const sched::Cid cid{g_cid.load(std::memory_order_acquire)};
    if (cid.value == 0) {
        return;
    }
    if (const auto best = best_waiting()) {
        sched::Executor& ex = sched::kernel_executor();
        (void)ex.set_priority(cid, *best);
        (void)ex.wake(cid);
    }
}

sched::Cid switcher_cid() { return sched::Cid{g_cid.load(std::memory_order_acquire)}; }

std::uint64_t switcher_dispatches() { return g_dispatches.load(std::memory_order_relaxed); }

}  // namespace cops::proc
