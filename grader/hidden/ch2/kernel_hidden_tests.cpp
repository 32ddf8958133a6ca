/// @file kernel_hidden_tests.cpp
/// @brief Chapter 2's hidden tests: the trap dispatch, the tick's wake of sleepers, the
/// preemption decision and the semaphore, each from angles the public tests do not take.
#include <atomic>

#include "cops/arch/csr.hpp"
#include "cops/arch/trap.hpp"
#include "cops/dev/timer.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/preemption.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/sched/suspend.hpp"
#include "cops/smp/hart.hpp"
#include "cops/smp/ipi.hpp"
#include "cops/sync/channel.hpp"
#include "cops/sync/mutex.hpp"
#include "cops/sync/semaphore.hpp"
#include "cops/test/ktest.hpp"
#include "cops/time/sleep.hpp"

using namespace cops;
using sched::PreemptAction;
using sched::Priority;

namespace {
constexpr std::uint64_t kBig = 1'000'000'000;

bool exited(sched::Cid cid) {
    return sched::kernel_executor().state(cid).value_or(sched::CoroutineState::Ready) == sched::CoroutineState::Exit;
}
bool blocked(sched::Cid cid) {
    return sched::kernel_executor().state(cid).value_or(sched::CoroutineState::Ready) == sched::CoroutineState::Blocked;
}

// ---- trap dispatch ----------------------------------------------------------------
std::atomic<unsigned> g_hits{0};
std::uint64_t g_cause_seen = 0;
void count_and_skip(arch::TrapFrame& f) {
    ++g_hits;
    g_cause_seen = f.scause;
    const auto insn = *reinterpret_cast<const std::uint16_t*>(f.sepc);
    f.sepc += (insn & 3U) == 3U ? 4 : 2;
}
void count_ipi(arch::TrapFrame& f) {
    ++g_hits;
    g_cause_seen = f.scause;
    arch::sip.clear(1U << 1);
}
}  // namespace

KTEST("hidden/trap-exception-handler-sees-its-cause") {
    g_hits = 0;
    arch::set_exception_handler(arch::Exception::Breakpoint, count_and_skip);
    for (int i = 0; i < 5; ++i) {
        asm volatile("ebreak");
    }
    arch::set_exception_handler(arch::Exception::Breakpoint, nullptr);
    CHECK_EQ(g_hits.load(), 5U);
    CHECK_EQ(g_cause_seen, std::uint64_t{3});  // an exception: top bit clear
}

KTEST("hidden/trap-illegal-instruction-goes-to-its-own-slot") {
    g_hits = 0;
    arch::set_exception_handler(arch::Exception::IllegalInstruction, count_and_skip);
    asm volatile("unimp");  // defined to be illegal (c.unimp: sixteen zero bits)
    arch::set_exception_handler(arch::Exception::IllegalInstruction, nullptr);
    CHECK_EQ(g_hits.load(), 1U);
    CHECK_EQ(g_cause_seen, std::uint64_t{2});
}

KTEST("hidden/trap-interrupt-handler-replaced-and-restored") {
    g_hits = 0;
    const arch::TrapHandler saved = arch::interrupt_handler(arch::Interrupt::Software);
    REQUIRE(saved != nullptr);
    arch::set_interrupt_handler(arch::Interrupt::Software, count_ipi);
    for (int i = 0; i < 3; ++i) {
        arch::irq_disable();
        arch::sip.set(1U << 1);
        arch::irq_enable();  // taken here
    }
    arch::set_interrupt_handler(arch::Interrupt::Software, saved);
    CHECK_EQ(g_hits.load(), 3U);
    CHECK_EQ(g_cause_seen, arch::kScauseInterrupt | 1U);
    CHECK(arch::interrupt_handler(arch::Interrupt::Software) == saved);
}

KTEST("hidden/trap-count-grows-with-ticks") {
    const std::uint64_t before = arch::trap_count();
    const std::uint64_t until = dev::timer::now_ticks() + 3;
    sched::run_until([until] { return dev::timer::now_ticks() >= until; });
    CHECK(arch::trap_count() >= before + 3);
}

// ---- sleepers -----------------------------------------------------------------------
namespace {
std::atomic<unsigned> g_woken{0};
int g_wake_order[8];
std::atomic<unsigned> g_wake_next{0};
std::atomic<bool> g_early{false};

sched::Task<void> nap(int id, std::uint64_t ticks) {
    const std::uint64_t start = dev::timer::now_ticks();
    const bool full = co_await time::sleep_for(ticks);
    if (!full || dev::timer::now_ticks() < start + ticks) {
        g_early = true;
    }
    g_wake_order[g_wake_next.fetch_add(1)] = id;
    g_woken.fetch_add(1);
}
void reset_naps() {
    g_woken = 0;
    g_wake_next = 0;
    g_early = false;
}
}  // namespace

KTEST_BUDGET("hidden/sleep-many-deadlines-in-order", kBig) {
    reset_naps();
    const int ticks[6] = {9, 3, 7, 1, 5, 11};
    for (int i = 0; i < 6; ++i) {
        REQUIRE(sched::spawn(nap(ticks[i], static_cast<std::uint64_t>(ticks[i]) * 2), Priority{10}).ok());
    }
    sched::run_until([] { return g_woken.load() == 6; });
    const int expected[6] = {1, 3, 5, 7, 9, 11};
    for (int i = 0; i < 6; ++i) {
        CHECK_EQ(g_wake_order[i], expected[i]);
    }
    CHECK(!g_early.load());
    CHECK_EQ(time::sleeper_count(), 0U);
}

KTEST_BUDGET("hidden/sleep-never-wakes-early", kBig) {
    reset_naps();
    for (int i = 0; i < 8; ++i) {
        REQUIRE(sched::spawn(nap(i, 1 + static_cast<std::uint64_t>(i % 4)), Priority{12}).ok());
    }
    sched::run_until([] { return g_woken.load() == 8; });
    CHECK(!g_early.load());
    CHECK_EQ(time::sleeper_count(), 0U);
}

namespace {
std::atomic<bool> g_stop_sleeping{false};
sched::Task<void> sleep_loop() {
    while (!g_stop_sleeping.load()) {
        co_await time::sleep_for(1);
    }
    g_woken.fetch_add(1);
}
}  // namespace

KTEST_BUDGET("hidden/sleep-in-a-loop-keeps-ticking", kBig) {
    reset_naps();
    g_stop_sleeping = false;
    for (int i = 0; i < 4; ++i) {
        REQUIRE(sched::spawn(sleep_loop(), Priority{15}).ok());
    }
    const std::uint64_t until = dev::timer::now_ticks() + 10;
    sched::run_until([until] { return dev::timer::now_ticks() >= until; });
    g_stop_sleeping = true;
    sched::run_until([] { return g_woken.load() == 4; });
    CHECK_EQ(g_woken.load(), 4U);
    CHECK_EQ(time::sleeper_count(), 0U);
}

namespace {
std::atomic<int> g_result{0};
sched::Task<void> long_nap() {
    const bool full = co_await time::sleep_for(1'000'000);
    g_result = full ? 1 : 2;
}
}  // namespace

KTEST("hidden/sleep-early-wake-reports-false") {
    g_result = 0;
    auto cid = sched::spawn(long_nap(), Priority{10});
    REQUIRE(cid.ok());
    sched::run_until([&] { return blocked(cid.value()); });
    REQUIRE(sched::kernel_executor().wake(cid.value()).ok());
    sched::run_until([] { return g_result.load() != 0; });
    CHECK_EQ(g_result.load(), 2);
    CHECK_EQ(time::sleeper_count(), 0U);
}

// ---- the preemption decision ----------------------------------------------------------
KTEST("hidden/decision-strictly-more-urgent-ready-wins") {
    CHECK_EQ(sched::preemption_decision(Priority{10}, Priority{9}, std::nullopt), PreemptAction::RunReady);
    CHECK_EQ(sched::preemption_decision(Priority{63}, Priority{0}, std::nullopt), PreemptAction::RunReady);
    CHECK_EQ(sched::preemption_decision(Priority{10}, Priority{10}, std::nullopt), PreemptAction::Continue);
    CHECK_EQ(sched::preemption_decision(Priority{10}, Priority{11}, std::nullopt), PreemptAction::Continue);
    CHECK_EQ(sched::preemption_decision(Priority{0}, Priority{0}, Priority{0}), PreemptAction::Continue);
    CHECK_EQ(sched::preemption_decision(Priority{5}, std::nullopt, std::nullopt), PreemptAction::Continue);
}

KTEST("hidden/decision-suspended-threads") {
    CHECK_EQ(sched::preemption_decision(Priority{10}, std::nullopt, Priority{4}), PreemptAction::ResumeSuspended);
    CHECK_EQ(sched::preemption_decision(Priority{10}, std::nullopt, Priority{10}), PreemptAction::Continue);
    // A tie between ready and suspended goes to the suspended thread.
    CHECK_EQ(sched::preemption_decision(Priority{10}, Priority{4}, Priority{4}), PreemptAction::ResumeSuspended);
    // A more urgent ready coroutine beats a suspended thread.
    CHECK_EQ(sched::preemption_decision(Priority{10}, Priority{3}, Priority{4}), PreemptAction::RunReady);
    // A suspended thread less urgent than the running one never preempts it.
    CHECK_EQ(sched::preemption_decision(Priority{10}, Priority{11}, Priority{12}), PreemptAction::Continue);
}

namespace {
std::atomic<bool> g_spin_stop{false};
std::atomic<unsigned> g_spinners_up{0};
std::atomic<unsigned> g_spinners_down{0};
std::atomic<int> g_urgent{0};
sched::Task<void> spin() {
    g_spinners_up.fetch_add(1);
    while (!g_spin_stop.load(std::memory_order_relaxed)) {}
    g_spinners_down.fetch_add(1);
    co_return;
}
sched::Task<void> urgent(int mark) {
    co_await time::sleep_for(1);
    g_urgent = mark;
    g_spin_stop = true;
}
void start_spinners(unsigned n, Priority p) {
    g_spin_stop = false;
    g_spinners_up = 0;
    g_spinners_down = 0;
    for (unsigned i = 0; i < n; ++i) {
        (void)sched::spawn(spin(), p);
    }
    sched::run_until([n] { return g_spinners_up.load() == n; });
}
}  // namespace

KTEST_BUDGET("hidden/preempt-two-spinners-per-hart", 2 * kBig) {
    const unsigned n = smp::hart_count();
    g_urgent = 0;
    start_spinners(n, Priority{62});
    REQUIRE(sched::spawn(urgent(7), Priority{1}).ok());
    sched::run_until([n] { return g_spinners_down.load() == n; });
    CHECK_EQ(g_urgent.load(), 7);
}

KTEST_BUDGET("hidden/preempt-at-priority-one-step-apart", 2 * kBig) {
    const unsigned n = smp::hart_count();
    g_urgent = 0;
    const unsigned long before = sched::preemption_count();
    start_spinners(n, Priority{33});
    REQUIRE(sched::spawn(urgent(9), Priority{32}).ok());
    sched::run_until([n] { return g_spinners_down.load() == n; });
    CHECK_EQ(g_urgent.load(), 9);
    CHECK(sched::preemption_count() > before);
}

// ---- the semaphore ---------------------------------------------------------------------
namespace {
sync::Semaphore g_sem{0};
std::atomic<unsigned> g_through{0};
int g_order[8];
std::atomic<unsigned> g_order_next{0};

sched::Task<void> take(int id) {
    co_await g_sem.acquire();
    g_order[g_order_next.fetch_add(1)] = id;
    g_through.fetch_add(1);
}
}  // namespace

KTEST_BUDGET("hidden/semaphore-fifo-handoff", kBig) {
    g_through = 0;
    g_order_next = 0;
    sched::Cid cids[4];
    for (int i = 0; i < 4; ++i) {
        cids[i] = sched::spawn(take(i), Priority{static_cast<std::uint8_t>(20 - i)}).value();
        // Wait until each is queued, so the queue order is 0, 1, 2, 3.
        sched::run_until([&] { return blocked(cids[i]); });
    }
    CHECK_EQ(g_sem.waiting(), 4U);
    for (int i = 0; i < 4; ++i) {
        g_sem.release();
        sched::run_until([i] { return g_through.load() == static_cast<unsigned>(i + 1); });
    }
    for (int i = 0; i < 4; ++i) {
        CHECK_EQ(g_order[i], i);
    }
    CHECK_EQ(g_sem.available(), 0U);
}

KTEST("hidden/semaphore-counts-releases-without-waiters") {
    sync::Semaphore s{2};
    CHECK(s.try_acquire());
    CHECK(s.try_acquire());
    CHECK(!s.try_acquire());
    s.release(3);
    CHECK_EQ(s.available(), 3U);
    CHECK_EQ(s.waiting(), 0U);
}

KTEST("hidden/semaphore-stray-wake-does-not-pass") {
    g_through = 0;
    g_order_next = 0;
    auto cid = sched::spawn(take(42), Priority{10});
    REQUIRE(cid.ok());
    sched::run_until([&] { return blocked(cid.value()); });
    // Somebody wakes it by hand: it must go back to waiting.
    REQUIRE(sched::kernel_executor().wake(cid.value()).ok());
    const std::uint64_t until = dev::timer::now_ticks() + 2;
    sched::run_until([&] { return dev::timer::now_ticks() >= until && blocked(cid.value()); });
    CHECK_EQ(g_through.load(), 0U);
    CHECK_EQ(g_sem.waiting(), 1U);
    g_sem.release();
    sched::run_until([] { return g_through.load() == 1; });
    CHECK(exited(cid.value()) || g_through.load() == 1);
}

namespace {
arch::TrapHandler g_saved_ipi = nullptr;
void release_twice(arch::TrapFrame& f) {
    g_saved_ipi(f);
    g_sem.release(2);
}
}  // namespace

KTEST_BUDGET("hidden/semaphore-release-from-interrupt-wakes-two", kBig) {
    g_through = 0;
    g_order_next = 0;
    sched::Cid a = sched::spawn(take(1), Priority{10}).value();
    sched::Cid b = sched::spawn(take(2), Priority{10}).value();
    sched::run_until([&] { return blocked(a) && blocked(b); });
    g_saved_ipi = arch::interrupt_handler(arch::Interrupt::Software);
    arch::set_interrupt_handler(arch::Interrupt::Software, release_twice);
    smp::send_ipi(smp::this_hart().index);
    sched::run_until([] { return g_through.load() == 2; });
    arch::set_interrupt_handler(arch::Interrupt::Software, g_saved_ipi);
    CHECK_EQ(g_through.load(), 2U);
    CHECK_EQ(g_sem.available(), 0U);
}

namespace {
sync::Mutex g_m;
std::uint64_t g_total = 0;
std::atomic<unsigned> g_m_done{0};
sched::Task<void> add_under_mutex(unsigned rounds) {
    for (unsigned i = 0; i < rounds; ++i) {
        co_await g_m.lock();
        const std::uint64_t v = g_total;
        if (i % 7 == 0) {
            co_await time::sleep_for(0);
            co_await sched::yield();
        }
        g_total = v + 1;
        (void)g_m.unlock();
    }
    g_m_done.fetch_add(1);
}
}  // namespace

KTEST_BUDGET("hidden/mutex-on-semaphore-many-priorities", kBig) {
    g_total = 0;
    g_m_done = 0;
    for (unsigned i = 0; i < 6; ++i) {
        REQUIRE(sched::spawn(add_under_mutex(150), Priority{static_cast<std::uint8_t>(10 + 5 * i)}).ok());
    }
    sched::run_until([] { return g_m_done.load() == 6; });
    CHECK_EQ(g_total, std::uint64_t{900});
}

namespace {
sync::Channel<unsigned, 2> g_ch;
std::atomic<std::uint64_t> g_sum{0};
std::atomic<unsigned> g_ch_done{0};
sched::Task<void> produce(unsigned base) {
    for (unsigned i = 0; i < 100; ++i) {
        co_await g_ch.send(base + i);
    }
    g_ch_done.fetch_add(1);
}
sched::Task<void> consume(unsigned count) {
    for (unsigned i = 0; i < count; ++i) {
        g_sum.fetch_add(co_await g_ch.receive());
    }
    g_ch_done.fetch_add(1);
}
}  // namespace

KTEST_BUDGET("hidden/channel-many-producers-and-consumers", kBig) {
    g_sum = 0;
    g_ch_done = 0;
    for (unsigned p = 0; p < 3; ++p) {
        REQUIRE(sched::spawn(produce(1000 * p), Priority{20}).ok());
    }
    REQUIRE(sched::spawn(consume(150), Priority{21}).ok());
    REQUIRE(sched::spawn(consume(150), Priority{22}).ok());
    sched::run_until([] { return g_ch_done.load() == 5; });
    // sum over p of (100*1000p + 0..99) = 100*1000*(0+1+2) + 3*4950
    CHECK_EQ(g_sum.load(), std::uint64_t{300000 + 14850});
    CHECK_EQ(g_ch.size(), 0U);
}

// ---- states, misuse, harts ------------------------------------------------------------
namespace {
std::atomic<bool> g_ran{false};
sched::Task<void> mark_ran() {
    g_ran = true;
    co_return;
}
}  // namespace

KTEST("hidden/created-coroutine-waits-for-start") {
    g_ran = false;
    sched::Executor& ex = sched::kernel_executor();
    auto cid = ex.create(mark_ran(), Priority{10});
    REQUIRE(cid.ok());
    const std::uint64_t until = dev::timer::now_ticks() + 2;
    sched::run_until([until] { return dev::timer::now_ticks() >= until; });
    CHECK(!g_ran.load());
    CHECK_EQ(ex.state(cid.value()).value_or(sched::CoroutineState::Exit), sched::CoroutineState::Create);
    CHECK(ex.start(cid.value()).ok());
    sched::run_until([&] { return exited(cid.value()); });
    CHECK(g_ran.load());
    CHECK(!ex.start(cid.value()).ok());
}

namespace {
std::atomic<int> g_errors[3];
sched::Cid g_victim{};
void wake_victim_thrice(arch::TrapFrame& f) {
    g_saved_ipi(f);
    for (auto& e : g_errors) {
        const Status s = sched::kernel_executor().wake(g_victim);
        e = s.ok() ? 0 : static_cast<int>(s.error());
    }
}
}  // namespace

KTEST("hidden/repeated-wakes-of-a-finished-coroutine-from-an-interrupt") {
    g_ran = false;
    auto cid = sched::spawn(mark_ran(), Priority{10});
    REQUIRE(cid.ok());
    g_victim = cid.value();
    sched::run_until([&] { return exited(cid.value()); });
    for (auto& e : g_errors) {
        e = -1;
    }
    g_saved_ipi = arch::interrupt_handler(arch::Interrupt::Software);
    arch::set_interrupt_handler(arch::Interrupt::Software, wake_victim_thrice);
    smp::send_ipi(smp::this_hart().index);
    sched::run_until([] { return g_errors[2].load() != -1; });
    arch::set_interrupt_handler(arch::Interrupt::Software, g_saved_ipi);
    for (auto& e : g_errors) {
        CHECK_EQ(e.load(), static_cast<int>(Error::Finished));
    }
}

namespace {
std::atomic<std::uint32_t> g_harts_used{0};
std::atomic<unsigned> g_short_done{0};
std::atomic<std::uint64_t> g_burn{0};
sched::Task<void> burn_and_note() {
    for (unsigned r = 0; r < 10; ++r) {
        g_harts_used.fetch_or(1U << smp::this_hart().index);
        for (unsigned i = 0; i < 40000; ++i) {
            g_burn.fetch_add(1, std::memory_order_relaxed);
        }
        co_await time::sleep_for(0);
        co_await sched::yield();
    }
    g_short_done.fetch_add(1);
}
}  // namespace

KTEST_BUDGET("hidden/work-spreads-over-all-harts", 2 * kBig) {
    g_harts_used = 0;
    g_short_done = 0;
    const unsigned n = smp::hart_count();
    for (unsigned i = 0; i < 3 * n; ++i) {
        REQUIRE(sched::spawn(burn_and_note(), Priority{25}).ok());
    }
    sched::run_until([n] { return g_short_done.load() == 3 * n; });
    CHECK_EQ(g_harts_used.load(), (1U << n) - 1);
}

KTEST_BUDGET("hidden/idle-harts-do-not-spin", kBig) {
    REQUIRE(smp::hart_count() >= 2);
    smp::HartStats before[sched::kMaxHarts];
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        before[i] = smp::hart(i).stats;
    }
    const std::uint64_t until = dev::timer::now_ticks() + 20;
    sched::run_until([until] { return dev::timer::now_ticks() >= until; });
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        if (&smp::hart(i) == &smp::this_hart()) {
            continue;
        }
        const smp::HartStats& now = smp::hart(i).stats;
        const std::uint64_t waits = now.idle_waits - before[i].idle_waits;
        const std::uint64_t interrupts = (now.ticks - before[i].ticks) + (now.ipis - before[i].ipis);
        CHECK(waits >= 5);
        CHECK(waits <= interrupts + 2);
    }
}
