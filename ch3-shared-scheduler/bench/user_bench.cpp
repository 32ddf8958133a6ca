/// @file user_bench.cpp
/// @brief ch3 benchmarks in guest instructions: a system call's round trip, a switch
/// between two user threads of one process, and a switch between two processes.
///
/// Each figure is measured from the kernel around whole user programs, as
/// (cost with N rounds - cost with 0 rounds) / rounds, so that loading, starting
/// and reaping the programs cancel out. Only hart 0 runs coroutines meanwhile, so
/// every yield is a switch on that hart.
#include <cstdint>

#include "cops/lib/format.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
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

/// Reports (cost of N rounds - cost of 0 rounds) per event.
void figure(const char* metric, const char* what, unsigned count, std::uint64_t events_per_round) {
    const std::uint64_t empty = cost(what, 0, count);
    const std::uint64_t full = cost(what, kRounds, count);
    report(metric, full > empty ? full - empty : 0, "insn", kRounds * events_per_round);
}
}  // namespace

BENCH("user/syscall-and-switches") {
    smp::set_active_harts(1);
    (void)cost("getpid", 10, 1);  // warm up: first-touch costs out of the way
    figure("syscall-round-trip", "getpid", 1, 1);
    figure("thread-switch", "threads", 1, 2);  // two threads, each yields kRounds times
    figure("process-switch", "yield", 2, 2);   // two processes, each yields kRounds times
    smp::set_active_harts(0);
}
