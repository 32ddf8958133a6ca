// Benchmarks of the executor in guest instructions (exact under qemu -icount shift=0).
#include "cops/lib/format.hpp"
#include "cops/sched/executor.hpp"
#include "cops/test/bench.hpp"

using namespace cops;
using namespace cops::sched;
using cops::test::instructions;
using cops::test::report;

namespace {

Task<> block_forever() {
    for (;;) {
        co_await block();
    }
}

Task<> yield_forever() {
    for (;;) {
        co_await yield();
    }
}

Task<> nothing() { co_return; }

}  // namespace

BENCH("executor/spawn") {
    constexpr unsigned kN = 1000;
    Executor ex(kN);
    std::uint64_t create = 0;
    std::uint64_t spawn = 0;
    for (unsigned i = 0; i < kN; ++i) {
        const auto t0 = instructions();
        Task<> t = nothing();  // allocates and initialises the frame
        const auto t1 = instructions();
        (void)ex.spawn(static_cast<Task<>&&>(t), Priority{static_cast<std::uint8_t>(i % 64)});
        const auto t2 = instructions();
        create += t1 - t0;
        spawn += t2 - t1;
    }
    report("create-frame", create, "insn", kN);
    report("spawn", spawn, "insn", kN);
    ex.run();
}

namespace {
/// wake -> pick -> resume -> the coroutine blocks again -> back in the executor, kN
/// times, on an executor with the handoff slot @p handoff on or off.
void round_trip(bool handoff) {
    constexpr unsigned kN = 10000;
    Executor ex(4);
    ex.set_handoff(handoff);
    const Cid cid = ex.spawn(block_forever(), Priority{5}).value();
    ex.run();  // now blocked
    const auto t0 = instructions();
    for (unsigned i = 0; i < kN; ++i) {
        (void)ex.wake(cid);
        ex.run_once();
    }
    const auto t1 = instructions();
    // The loop itself (counter, compare, branch) costs ~3 of these.
    report("wake+pick+resume+suspend", t1 - t0, "insn", kN);
    // The same two halves measured apart.
    std::uint64_t wake = 0;
    std::uint64_t run = 0;
    for (unsigned i = 0; i < kN; ++i) {
        const auto a = instructions();
        (void)ex.wake(cid);
        const auto b = instructions();
        ex.run_once();
        const auto c = instructions();
        wake += b - a;
        run += c - b;
    }
    report("wake", wake, "insn", kN);
    report("pick+resume+suspend", run, "insn", kN);
    report("frame-bytes", ex.frame_bytes(cid).value(), "bytes");
}
}  // namespace

BENCH("executor/round-trip-locked-queues") {
    // The locked executor through its ready queues and bitmap (handoff slot off).
    round_trip(false);
}

BENCH("executor/round-trip-handoff") {
    // The same with the handoff slot (the default): nothing else is ready, so the woken
    // coroutine skips the queues and the bitmap search.
    round_trip(true);
}

BENCH("executor/pick-vs-ready") {
    // One run_once (pick + resume + yield + requeue) with N coroutines ready,
    // spread over all 64 levels: O(1) pick means the cost does not grow with N.
    constexpr unsigned kSizes[] = {1, 10, 100, 1000, 10000};
    constexpr unsigned kRuns = 5000;
    for (unsigned n : kSizes) {
        Executor ex(n);
        for (unsigned i = 0; i < n; ++i) {
            (void)ex.spawn(yield_forever(), Priority{static_cast<std::uint8_t>(i % 64)});
        }
        for (unsigned i = 0; i < n && i < 64; ++i) {
            ex.run_once();  // warm: every frame has started
        }
        const auto t0 = instructions();
        for (unsigned i = 0; i < kRuns; ++i) {
            ex.run_once();
        }
        const auto t1 = instructions();
        char metric[32];
        report(lib::format_buffer(metric, sizeof metric, "ready={}", n), t1 - t0, "insn/pick", kRuns);
    }
}
