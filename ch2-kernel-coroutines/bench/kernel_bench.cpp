/// @file kernel_bench.cpp
/// @brief ch2 benchmarks in guest instructions (exact under qemu -icount shift=0):
/// a coroutine switch through the executor next to a kernel-thread switch through the
/// kernel's thread scheduler (and the bare stack switch under it), interrupt-to-coroutine
/// wake latency, and the cost of wake/resume cycles on 1, 2 and 4 harts.
#include <atomic>

#include "cops/arch/csr.hpp"
#include "cops/arch/irq.hpp"
#include "cops/arch/trap.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/dev/timer.hpp"
#include "cops/lib/format.hpp"
#include "cops/mm/kernel_heap.hpp"
#include "cops/sched/executor.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/sched/running_suspended.hpp"
#include "cops/sched/switch.hpp"
#include "cops/sched/thread.hpp"
#include "cops/smp/hart.hpp"
#include "cops/sync/semaphore.hpp"
#include "cops/test/bench.hpp"

using namespace cops;
using cops::test::instructions;
using cops::test::report;

namespace {

sched::Task<void> yield_forever() {
    for (;;) {
        co_await sched::yield();
    }
}

// Two kernel stacks that hand the hart back and forth with switch_context alone.
sched::Context g_main_ctx;
sched::Context g_peer_ctx;
[[noreturn]] void peer_stack() {
    for (;;) {
        switch_context(&g_peer_ctx, &g_main_ctx);
    }
}

// Two kernel threads that hand the CPU to each other through the kernel's thread
// scheduler: each puts itself in the running-suspended set (at its level, where any
// hart may continue it) and switches to the most urgent thread there, the other one.
constexpr sched::Priority kThreadLevel{10};
void hand_over() {
    sched::Thread* next = sched::take_running_suspended(sched::Priority::lowest());
    smp::this_hart().thread->priority = kThreadLevel;
    sched::switch_to(*next, smp::AfterSwitch::Suspend);
}
[[noreturn]] void peer_thread() {
    sched::finish_switch();  // puts the thread that started us in the set
    for (;;) {
        hand_over();
    }
}

}  // namespace

BENCH("switch/coroutine-vs-kernel-thread") {
    constexpr unsigned kN = 10000;
    sched::Hart0Only one_hart;  // no other hart continues our threads meanwhile
    // Coroutines: two on one executor yielding to each other; one run_once = resume one,
    // let it suspend, back in the executor: a switch from one coroutine to the next.
    sched::Executor ex(4);
    (void)ex.spawn(yield_forever(), sched::Priority{5});
    (void)ex.spawn(yield_forever(), sched::Priority{5});
    ex.run_once();
    ex.run_once();
    const auto c0 = instructions();
    for (unsigned i = 0; i < kN; ++i) {
        ex.run_once();
    }
    const auto c1 = instructions();

    constexpr std::size_t kStack = 16 * 1024;
    void* stack = mm::kernel_heap().allocate(kStack);
    arch::IrqGuard irq_off;  // switches run with interrupts off

    // Kernel threads through the scheduler: one round = two switches.
    sched::Thread peer;
    peer.context.ra = reinterpret_cast<std::uint64_t>(&peer_thread);
    peer.context.sp = reinterpret_cast<std::uint64_t>(static_cast<char*>(stack) + kStack);
    peer.priority = kThreadLevel;
    sched::add_running_suspended(peer);
    const auto k0 = instructions();
    for (unsigned i = 0; i < kN / 2; ++i) {
        hand_over();
    }
    const auto k1 = instructions();
    (void)sched::take_running_suspended(sched::Priority::lowest());  // the peer, parked: drop it

    // The bare stack switch under it: switch_context alone, no scheduler at all.
    g_peer_ctx = sched::Context{};
    g_peer_ctx.ra = reinterpret_cast<std::uint64_t>(&peer_stack);
    g_peer_ctx.sp = reinterpret_cast<std::uint64_t>(static_cast<char*>(stack) + kStack);
    const auto t0 = instructions();
    for (unsigned i = 0; i < kN / 2; ++i) {
        switch_context(&g_main_ctx, &g_peer_ctx);
    }
    const auto t1 = instructions();
    report("coroutine-switch-through-executor", c1 - c0, "insn", kN);
    report("kernel-thread-switch-through-scheduler", k1 - k0, "insn", kN);
    report("bare-stack-switch-no-scheduler", t1 - t0, "insn", kN);
    report("kernel-thread/coroutine", (k1 - k0) * 100 / (c1 - c0 > 0 ? c1 - c0 : 1), "ratio", 100);
    mm::kernel_heap().free(stack);
}

namespace {
sync::Semaphore g_signal{0};
std::uint64_t g_raised_at = 0;
std::uint64_t g_handler_at = 0;
std::uint64_t g_resumed_at = 0;
arch::TrapHandler g_saved_ipi = nullptr;

void signal_from_interrupt(arch::TrapFrame& f) {
    g_handler_at = instructions();
    g_saved_ipi(f);
    g_signal.release();
}

sched::Task<void> waiter(unsigned rounds) {
    for (unsigned i = 0; i < rounds; ++i) {
        co_await g_signal.acquire();
        g_resumed_at = instructions();
    }
}
}  // namespace

BENCH("interrupt/wake-latency") {
    // One hart, a local executor: raise a software interrupt on ourselves; its handler
    // releases a semaphore a blocked coroutine waits on; we run the executor; the
    // coroutine resumes. Measured: interrupt raised -> handler, and -> coroutine running.
    constexpr unsigned kN = 1000;
    sched::Executor ex(4);
    (void)ex.spawn(waiter(kN), sched::Priority{5});
    ex.run_once();  // blocks in acquire
    g_saved_ipi = arch::interrupt_handler(arch::Interrupt::Software);
    arch::set_interrupt_handler(arch::Interrupt::Software, signal_from_interrupt);
    std::uint64_t to_handler = 0;
    std::uint64_t to_coroutine = 0;
    for (unsigned i = 0; i < kN; ++i) {
        arch::irq_disable();
        g_raised_at = instructions();
        arch::sip.set(1U << 1);  // SSIP: taken as soon as interrupts are on
        arch::irq_enable();
        while (ex.run_once()) {}
        to_handler += g_handler_at - g_raised_at;
        to_coroutine += g_resumed_at - g_raised_at;
    }
    arch::set_interrupt_handler(arch::Interrupt::Software, g_saved_ipi);
    report("raise-to-handler", to_handler, "insn", kN);
    report("raise-to-coroutine", to_coroutine, "insn", kN);
}

namespace {
constexpr unsigned kPairs = 4;
std::atomic<unsigned> g_done{0};
std::atomic<bool> g_go{false};
sched::Cid g_partner[2 * kPairs];

sched::Task<void> ping(unsigned me, unsigned rounds) {
    while (!g_go.load()) {
        co_await sched::yield();
    }
    for (unsigned i = 0; i < rounds; ++i) {
        (void)sched::kernel_executor().wake(g_partner[me]);
        co_await sched::block();
    }
    (void)sched::kernel_executor().wake(g_partner[me]);
    g_done.fetch_add(1);
}

/// Virtual time (ns = instructions, all harts together) for kPairs ping-pong pairs.
std::uint64_t ping_pong(unsigned harts, unsigned rounds) {
    smp::set_active_harts(harts);
    g_done = 0;
    g_go = false;
    sched::Cid cids[2 * kPairs];
    for (unsigned i = 0; i < 2 * kPairs; ++i) {
        cids[i] = sched::spawn(ping(i, rounds), sched::Priority{20}).value();
    }
    for (unsigned p = 0; p < kPairs; ++p) {
        g_partner[2 * p] = cids[2 * p + 1];
        g_partner[2 * p + 1] = cids[2 * p];
    }
    const std::uint64_t hz = boot::info().timebase_hz;
    const std::uint64_t t0 = arch::read_time();
    g_go = true;
    sched::run_until([] { return g_done.load() == 2 * kPairs; });
    const std::uint64_t t1 = arch::read_time();
    smp::set_active_harts(0);
    return (t1 - t0) * 1'000'000'000 / hz;
}
}  // namespace

BENCH("smp/wake-resume-cycles") {
    // Every cycle is one wake and one block/resume. Under -icount the harts share one
    // virtual timeline (QEMU runs them in turn), so these figures are the total work per
    // cycle on all harts together: extra harts show up as lock and IPI overhead.
    constexpr unsigned kRounds = 2000;
    const unsigned n = smp::hart_count();
    for (unsigned harts : {1U, 2U, 4U}) {
        if (harts > n) {
            continue;
        }
        const std::uint64_t ns = ping_pong(harts, kRounds);
        const std::uint64_t cycles = std::uint64_t{2} * kPairs * kRounds;
        char metric[32];
        report(lib::format_buffer(metric, sizeof metric, "insn-per-cycle-{}-harts", harts), ns, "insn", cycles);
    }
}
