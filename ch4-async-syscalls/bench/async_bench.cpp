/// @file async_bench.cpp
/// @brief ch4 benchmarks in guest instructions: an I/O call on the spot in both
/// forms; a call that must wait, as an async call inside one thread (coroutines)
/// and as a blocking sync call plus a user-thread switch (threads); pipe ping-pong
/// with 1, 4 and 15 pairs, as messages per million instructions; and a waiting async
/// read split into "issue until a sibling runs" and "completion until the reader runs"
/// (timed with rdinstret inside the program, which prints those two lines itself).
///
/// Figures are (cost with N rounds - cost with 0 rounds) / events, measured from the
/// kernel around whole user programs, so loading and reaping cancel out. Only hart 0
/// runs coroutines meanwhile (sched::Hart0Only): the figures are costs on one hart.
#include <cstdint>
#include <string_view>

#include "cops/lib/format.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/smp/hart.hpp"
#include "cops/test/bench.hpp"

using namespace cops;
using cops::test::instructions;
using cops::test::report;

namespace {
/// Instructions to run `async_bench <args>` to its end.
std::uint64_t cost(std::string_view args) {
    char line[96];
    const auto command = lib::format_buffer(line, sizeof line, "async_bench {}", args);
    const std::uint64_t start = instructions();
    (void)proc::run_program(command);
    return instructions() - start;
}

/// (cost of @p what with @p rounds - with 0 rounds) / (@p rounds * @p events_per_round), in hundredths.
std::uint64_t per_event(std::string_view metric, const char* what, unsigned pairs, std::uint64_t rounds,
                        std::uint64_t events_per_round) {
    char a[48];
    char b[48];
    const std::uint64_t empty = cost(pairs > 0 ? lib::format_buffer(a, sizeof a, "{} {} 0", what, pairs)
                                               : lib::format_buffer(a, sizeof a, "{} 0", what));
    const std::uint64_t full = cost(pairs > 0 ? lib::format_buffer(b, sizeof b, "{} {} {}", what, pairs, rounds)
                                              : lib::format_buffer(b, sizeof b, "{} {}", what, rounds));
    const std::uint64_t spent = full > empty ? full - empty : 0;
    const std::uint64_t events = rounds * events_per_round;
    report(metric, spent, "insn", events);
    return spent * 100 / events;
}

void ratio(std::string_view metric, std::uint64_t a, std::uint64_t b) {
    report(metric, a * 100 / (b > 0 ? b : 1), "ratio", 100);
}
}  // namespace

BENCH("async/calls-and-waits") {
    sched::Hart0Only one_hart;
    (void)cost("sync-rw 10");  // warm up
    // On the spot: a write and a read of one byte each, per call.
    const auto sync_call = per_event("sync-call-on-the-spot", "sync-rw", 0, 2000, 2);
    const auto async_call = per_event("async-call-on-the-spot", "async-rw", 0, 2000, 2);
    ratio("async/sync-on-the-spot", async_call, sync_call);
    // A call that waits: one message of a ping-pong = a write, then the partner's read
    // that was waiting for it finishes and the partner runs again.
    const auto coro_wait = per_event("async-wait-message(coroutines)", "pingpong-coro", 1, 500, 2);
    const auto thread_wait = per_event("sync-wait-message(threads)", "pingpong-threads", 1, 500, 2);
    ratio("threads/coroutines-per-message", thread_wait, coro_wait);
    // The same wait split in two, timed by the program itself (it prints two bench lines).
    (void)cost("split 500");
    for (unsigned pairs : {1U, 4U, 15U}) {
        char m1[48];
        char m2[48];
        const auto c = per_event(lib::format_buffer(m1, sizeof m1, "pingpong-coro-{}-pairs", pairs), "pingpong-coro",
                                 pairs, 200, 2 * pairs);
        const auto t = per_event(lib::format_buffer(m2, sizeof m2, "pingpong-threads-{}-pairs", pairs),
                                 "pingpong-threads", pairs, 200, 2 * pairs);
        char m3[64];
        char m4[64];
        // messages per million instructions = 1e6 / (instructions per message)
        report(lib::format_buffer(m3, sizeof m3, "coro-msgs-per-Minsn-{}-pairs", pairs), 100'000'000, "msg/Minsn",
               c > 0 ? c : 1);
        report(lib::format_buffer(m4, sizeof m4, "thread-msgs-per-Minsn-{}-pairs", pairs), 100'000'000, "msg/Minsn",
               t > 0 ? t : 1);
    }
}
