/// @file run_until.cpp
/// @brief Plain code (a test body, the demo) waits while the harts run coroutines.
///
/// The waiting code's thread is parked with its condition (AfterSwitch::Park) and the
/// hart goes on with the loop on a fresh pool thread. Any hart that finds the
/// condition true, between coroutines or at an interrupt exit, claims the parked
/// thread and switches to it, so run_until() may return on another hart.
#include "cops/sched/run_until.hpp"

#include <atomic>

#include "cops/arch/irq.hpp"
#include "cops/lib/panic.hpp"
#include "cops/sched/parked_waiter.hpp"
#include "cops/sched/switch.hpp"
#include "cops/sched/thread_pool.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::sched {

namespace {

/// The one thread that may wait in run_until() (the boot hart's), and its condition.
/// The condition is evaluated only under `checking`, and the thread is claimed under
/// it too: once one hart has claimed the thread (which then returns from run_until
/// and its condition's captures go out of scope), no other hart is still inside the
/// condition or can start evaluating it.
struct ParkedWaiter {
    bool (*done)(void*) = nullptr;
    void* arg = nullptr;
    std::atomic<Thread*> parked{nullptr};  // published: any hart may continue it
    sync::SpinLock checking;               // held while a hart evaluates `done`
};
ParkedWaiter g_waiter;

/// What a look at the parked waiter found.
enum class WaiterCheck : std::uint8_t {
    Nothing,  ///< no thread parked, or its condition is false
    Busy,     ///< another hart is looking right now
    Done,     ///< the condition holds (the thread is claimed if asked)
};

WaiterCheck check_waiter(bool claim, Thread** claimed) {
    if (g_waiter.parked.load(std::memory_order_acquire) == nullptr) {
        return WaiterCheck::Nothing;
    }
    if (!g_waiter.checking.try_lock()) {
        return WaiterCheck::Busy;
    }
    WaiterCheck found = WaiterCheck::Nothing;
    Thread* t = g_waiter.parked.load(std::memory_order_acquire);
    if (t != nullptr && g_waiter.done(g_waiter.arg)) {
        found = WaiterCheck::Done;
        if (claim) {
            g_waiter.parked.store(nullptr, std::memory_order_release);
            *claimed = t;
        }
    }
    g_waiter.checking.unlock();
    return found;
}

}  // namespace

Thread* claim_finished_waiter() {
    Thread* t = nullptr;
    return check_waiter(true, &t) == WaiterCheck::Done ? t : nullptr;
}

bool waiter_may_be_done() { return check_waiter(false, nullptr) != WaiterCheck::Nothing; }

void park_waiter(Thread& t) { g_waiter.parked.store(&t, std::memory_order_release); }

void run_until(bool (*done)(void*), void* arg) {
    if (done(arg)) {
        return;
    }
    arch::IrqGuard irq_off;
    if (g_waiter.parked.load() != nullptr) {
        panic("run_until: only one thread may wait at a time");
    }
    Thread* loop = take_thread();
    if (loop == nullptr) {
        panic("run_until: no free kernel stack to run the executor loop on");
    }
    {
        sync::LockGuard g(g_waiter.checking);
        g_waiter.done = done;
        g_waiter.arg = arg;
    }
    switch_to(*loop, smp::AfterSwitch::Park);
}

}  // namespace cops::sched
