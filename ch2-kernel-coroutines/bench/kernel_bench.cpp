/// @file kernel_bench.cpp
/// @brief ch2 benchmarks in guest instructions (exact under qemu -icount shift=0):
/// coroutine switch vs kernel-stack ("thread") switch, interrupt-to-coroutine wake
/// latency, and the cost of wake/resume cycles on 1, 2 and 4 harts.
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

// Two kernel stacks that hand the hart back and forth, as a thread-per-task kernel does.
sched::Context g_main_ctx;
sched::Context g_peer_ctx;
[[noreturn]] void peer_thread() {
    for (;;) {
        switch_context(&g_peer_ctx, &g_main_ctx);
    }
}

}  // namespace

BENCH("switch/coroutine-vs-thread") {
    constexpr unsigned kN = 10000;
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

    // Threads: the same hand-over between two stacks with switch_context (no scheduler at
    // all: the cheapest a thread switch can be). One round = two switches.
    void* stack = mm::kernel_heap().allocate(16 * 1024);
    g_peer_ctx = sched::Context{};
    g_peer_ctx.ra = reinterpret_cast<std::uint64_t>(&peer_thread);
    g_peer_ctx.sp = reinterpret_cast<std::uint64_t>(static_cast<char*>(stack) + 16 * 1024);
    arch::IrqGuard irq_off;
    const auto t0 = instructions();
    for (unsigned i = 0; i < kN / 2; ++i) {
        switch_context(&g_main_ctx, &g_peer_ctx);
    }
    const auto t1 = instructions();
    report("coroutine-switch", c1 - c0, "insn", kN);
    report("thread-switch", t1 - t0, "insn", kN);
    report("coroutine/thread", (c1 - c0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1), "ratio", 100);
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
