/// @file sync_tests.cpp
/// @brief Mutex, semaphore and channel between kernel coroutines on several harts.
#include <atomic>

#include "cops/arch/csr.hpp"
#include "cops/arch/trap.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/smp/hart.hpp"
#include "cops/smp/ipi.hpp"
#include "cops/sync/channel.hpp"
#include "cops/sync/mutex.hpp"
#include "cops/sync/semaphore.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;

namespace {
sync::Mutex g_mutex;
std::uint64_t g_shared = 0;  // guarded by g_mutex only
std::atomic<unsigned> g_workers_done{0};
constexpr unsigned kWorkers = 8;
constexpr unsigned kRounds = 200;

sched::Task<void> locked_increments() {
    for (unsigned i = 0; i < kRounds; ++i) {
        co_await g_mutex.lock();
        const std::uint64_t seen = g_shared;
        co_await sched::yield();  // other coroutines (on other harts too) run meanwhile
        g_shared = seen + 1;
        (void)g_mutex.unlock();
    }
    g_workers_done.fetch_add(1);
}
}  // namespace

KTEST_BUDGET("sync/mutex-excludes-across-harts", 1'000'000'000) {
    g_shared = 0;
    g_workers_done = 0;
    for (unsigned i = 0; i < kWorkers; ++i) {
        REQUIRE(sched::spawn(locked_increments(), sched::Priority{20}).ok());
    }
    sched::run_until([] { return g_workers_done.load() == kWorkers; });
    CHECK_EQ(g_shared, std::uint64_t{kWorkers} * kRounds);
    CHECK(!g_mutex.locked());
}

namespace {
sync::Semaphore g_irq_sem{0};
std::atomic<int> g_sem_stage{0};
arch::TrapHandler g_saved_ipi = nullptr;
std::atomic<std::uint32_t> g_released{0};

void release_from_interrupt(arch::TrapFrame& f) {
    g_saved_ipi(f);  // acknowledge as usual
    // Once only: while this handler is installed, other harts' wake-up IPIs run it too.
    if (g_released.exchange(1) == 0) {
        g_irq_sem.release();
    }
}

sched::Task<void> wait_for_interrupt() {
    g_sem_stage = 1;
    co_await g_irq_sem.acquire();
    g_sem_stage = 2;
}
}  // namespace

KTEST_BUDGET("sync/semaphore-released-by-an-interrupt-handler", 1'000'000'000) {
    g_sem_stage = 0;
    g_released = 0;
    auto cid = sched::spawn(wait_for_interrupt(), sched::Priority{10});
    REQUIRE(cid.ok());
    sched::run_until([&] {
        auto s = sched::kernel_executor().state(cid.value());
        return s && s.value() == sched::CoroutineState::Blocked;
    });
    CHECK_EQ(g_sem_stage.load(), 1);
    g_saved_ipi = arch::interrupt_handler(arch::Interrupt::Software);
    arch::set_interrupt_handler(arch::Interrupt::Software, release_from_interrupt);
    smp::send_ipi(smp::this_hart().index);  // the handler runs in interrupt context, here
    sched::run_until([] { return g_sem_stage.load() == 2; });
    arch::set_interrupt_handler(arch::Interrupt::Software, g_saved_ipi);
    CHECK_EQ(g_sem_stage.load(), 2);
    CHECK_EQ(g_irq_sem.available(), 0U);
}

namespace {
sync::Channel<int, 4> g_channel;
std::atomic<unsigned> g_received{0};
std::atomic<bool> g_in_order{true};
std::atomic<bool> g_saw_full{false};
constexpr int kValues = 100;

sched::Task<void> producer() {
    for (int i = 0; i < kValues; ++i) {
        if (g_channel.size() == 4) {
            g_saw_full = true;
        }
        co_await g_channel.send(i);
    }
}
sched::Task<void> consumer() {
    for (int i = 0; i < kValues; ++i) {
        const int v = co_await g_channel.receive();
        if (v != i) {
            g_in_order = false;
        }
        g_received.fetch_add(1);
    }
}
}  // namespace

KTEST_BUDGET("sync/channel-delivers-in-order-and-blocks-when-full", 1'000'000'000) {
    g_received = 0;
    g_in_order = true;
    g_saw_full = false;
    // The consumer is less urgent, so the producer fills the channel and must block.
    REQUIRE(sched::spawn(consumer(), sched::Priority{30}).ok());
    REQUIRE(sched::spawn(producer(), sched::Priority{10}).ok());
    sched::run_until([] { return g_received.load() == kValues; });
    CHECK_EQ(g_received.load(), unsigned{kValues});
    CHECK(g_in_order.load());
    CHECK(g_saw_full.load());
    CHECK_EQ(g_channel.size(), 0U);
}

namespace {
sync::Semaphore g_gate{0};
std::atomic<int> g_through{0};
sched::Task<void> wait_at_the_gate() {
    co_await g_gate.acquire();
    g_through = 1;
}
}  // namespace

KTEST_BUDGET("sync/a-stray-wake-does-not-let-a-waiter-through", 1'000'000'000) {
    // Any code may wake any coroutine: acquire() must check that release() granted
    // it a unit, and block again if not. Without that loop, the stray wake below lets
    // the waiter through with no unit, and leaves its node in the waiters' list.
    g_through = 0;
    auto cid = sched::spawn(wait_at_the_gate(), sched::Priority{10});
    REQUIRE(cid.ok());
    sched::run_until([] { return g_gate.waiting() == 1; });
    auto blocked = [&] {
        auto st = sched::kernel_executor().state(cid.value());
        return st && st.value() == sched::CoroutineState::Blocked;
    };
    sched::run_until(blocked);
    for (int i = 0; i < 3 && g_through.load() == 0; ++i) {
        REQUIRE(sched::kernel_executor().wake(cid.value()).ok());  // stray: no unit was released
        sched::run_until([&] { return blocked() || g_through.load() != 0; });
    }
    // Still waiting, after three stray wakes. A waiter let through without a unit breaks
    // the semaphore's bound (and may leave its node dangling): the whole test fails.
    CHECK_INVARIANT(g_through.load() == 0);
    if (g_through.load() != 0) {
        // It went through without a unit, and its node may still be in the list with
        // its frame gone: releasing now would write to freed memory. Stop here.
        return;
    }
    CHECK_EQ(g_gate.waiting(), 1U);  // still queued once
    CHECK_EQ(g_gate.available(), 0U);
    g_gate.release();  // the real unit
    sched::run_until([] { return g_through.load() != 0; });
    CHECK_EQ(g_gate.waiting(), 0U);
    CHECK_EQ(g_gate.available(), 0U);  // the grant went to the waiter, not to the count
}

KTEST("misuse/mutex-unlocked-twice-is-an-error") {
    sync::Mutex m;
    CHECK(m.try_lock());
    CHECK(m.unlock().ok());
    const Status again = m.unlock();
    REQUIRE(!again.ok());
    CHECK_EQ(again.error(), Error::BadState);
    CHECK(!m.locked());
}
