/// @file user_bench.cpp
/// @brief ch3 benchmarks in guest instructions: a system call's round trip; a switch
/// between two coroutines of one process, between two user threads of one process
/// and between two processes; the global view's fold per trap with 1, 16 and 256
/// processes.
///
/// The switch figures are measured from the kernel around whole user programs, as
/// (cost with N rounds - cost with 0 rounds) / events, so that loading, starting
/// and reaping the programs cancel out. Only hart 0 runs coroutines meanwhile, so
/// every yield is a switch on that hart.
#include <cstdint>
#include <string_view>

#include "cops/lib/console.hpp"
#include "cops/lib/format.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/kernel_space.hpp"
#include "cops/proc/global_view.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/proc/shared_scheduler_pages.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/smp/hart.hpp"
#include "cops/test/bench.hpp"

using namespace cops;
using cops::test::instructions;
using cops::test::report;

namespace {
constexpr std::uint64_t kRounds = 2000;

/// Instructions to run @p count copies of `bench_loop <what> <rounds>` at once, to their end.
std::uint64_t cost(const char* what, std::uint64_t rounds, unsigned count) {
    char line[64];
    const auto command = lib::format_buffer(line, sizeof line, "bench_loop {} {}", what, rounds);
    const std::uint64_t start = instructions();
    proc::Pid pids[2];
    for (unsigned i = 0; i < count; ++i) {
        pids[i] = proc::spawn(command).value_or(proc::Pid{});
    }
    for (unsigned i = 0; i < count; ++i) {
        sched::run_until([&] { return proc::has_ended(pids[i]); });
        (void)proc::reap(pids[i]);
    }
    return instructions() - start;
}

/// Reports (cost of N rounds - cost of 0 rounds) per event; returns it in hundredths.
std::uint64_t figure(std::string_view metric, const char* what, unsigned count, std::uint64_t events_per_round) {
    const std::uint64_t empty = cost(what, 0, count);
    const std::uint64_t full = cost(what, kRounds, count);
    const std::uint64_t spent = full > empty ? full - empty : 0;
    report(metric, spent, "insn", kRounds * events_per_round);
    return spent * 100 / (kRounds * events_per_round);
}

/// Reports @p a / @p b (both in hundredths) as a ratio with two decimals.
void ratio(std::string_view metric, std::uint64_t a, std::uint64_t b) {
    report(metric, a * 100 / (b > 0 ? b : 1), "ratio", 100);
}
}  // namespace

BENCH("user/syscall-and-switches") {
    sched::Hart0Only one_hart;
    (void)cost("getpid", 10, 1);  // warm up: first-touch costs out of the way
    figure("syscall-round-trip", "getpid", 1, 1);
    const auto coroutine = figure("coroutine-switch", "coro", 1, 2);  // two coroutines, each yields kRounds times
    const auto thread = figure("thread-switch", "threads", 1, 2);     // two threads, each yields kRounds times
    const auto process = figure("process-switch", "yield", 2, 2);     // two processes, each yields kRounds times
    ratio("thread/coroutine", thread, coroutine);
    ratio("process/coroutine", process, coroutine);
}

namespace {
constexpr std::uint64_t kFolds = 2000;

/// Instructions per fold of a process's summary into the global view, on a probe
/// process the bench builds itself (a real address space and executor page, no
/// thread running). With @p level_moves its summary alternates between two levels,
/// so that every fold moves the process; otherwise it stays put.
std::uint64_t fold_cost(bool level_moves) {
    proc::Process probe;
    if (!probe.space.init(mm::frames(), mm::kernel_page_table()).ok() || !proc::map_shared_scheduler(probe).ok()) {
        return 0;
    }
    auto* page = const_cast<std::uint8_t*>(probe.executor_page);
    auto* ready = reinterpret_cast<std::uint64_t*>(page + sched::ExecutorSummaryLayout::kReadyBitsOffset);
    for (unsigned h = 0; h < sched::kMaxHarts; ++h) {
        page[sched::ExecutorSummaryLayout::kRunningLevelOffset + h] = sched::kNoLevel;
    }
    proc::UserThread thread;
    thread.process = &probe;
    *ready = 1ULL << 40;
    (void)proc::fold(thread);  // warm up
    const std::uint64_t start = instructions();
    for (std::uint64_t i = 0; i < kFolds; ++i) {
        if (level_moves) {
            *ready = (i & 1) != 0 ? 1ULL << 40 : 1ULL << 45;
        }
        (void)proc::fold(thread);
    }
    const std::uint64_t spent = instructions() - start;
    probe.space.destroy();
    return spent;
}

/// Starts @p count idle processes (`bench_loop park`) into @p pids; how many started.
unsigned start_idle(proc::Pid* pids, unsigned count) {
    const std::uint64_t parks_before = proc::global_view_stats().parks;
    unsigned started = 0;
    for (; started < count; ++started) {
        const auto pid = proc::spawn("bench_loop park");
        if (!pid) {
            break;
        }
        pids[started] = pid.value();
    }
    // Let each one reach its park, so that none runs during the measurements.
    sched::run_until([&] { return proc::global_view_stats().parks - parks_before >= started; });
    return started;
}
}  // namespace

BENCH("user/global-view-fold") {
    sched::Hart0Only one_hart;
    static proc::Pid idle[proc::kMaxProcesses];
    for (const unsigned processes : {1U, 16U, 256U}) {
        // The process being measured is one of `processes`; the rest are idle.
        const unsigned started = start_idle(idle, processes - 1);
        char metric[48];
        if (started + 1 != processes) {
            console::println("bench: only {} of {} idle processes started", started, processes - 1);
        }
        report(lib::format_buffer(metric, sizeof metric, "fold-level-stays/{}-processes", started + 1),
               fold_cost(false), "insn", kFolds);
        report(lib::format_buffer(metric, sizeof metric, "fold-level-moves/{}-processes", started + 1), fold_cost(true),
               "insn", kFolds);
        figure(lib::format_buffer(metric, sizeof metric, "syscall-round-trip/{}-processes", started + 1), "getpid", 1,
               1);
        for (unsigned i = 0; i < started; ++i) {
            (void)proc::kill(idle[i]);
        }
        for (unsigned i = 0; i < started; ++i) {
            sched::run_until([&] { return proc::has_ended(idle[i]); });
            (void)proc::reap(idle[i]);
        }
    }
}
