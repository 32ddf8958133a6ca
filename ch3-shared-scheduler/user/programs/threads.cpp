/// @file threads.cpp
/// @brief `threads N`: N threads meet at a barrier, so they must all exist at once;
/// each then marks the hart it runs on and keeps running until a second hart has
/// been marked (or 200 ms have passed, which is what one hart gives). Each returns
/// its number. Exits with the number of different harts marked (0 if a result was wrong).
#include <atomic>
#include <cstdint>

#include "cops/lib/parse.hpp"
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"
#include "cops/user/thread.hpp"

using namespace cops::user;

namespace {
constexpr int kMaxWorkers = 16;
constexpr long kSpreadWaitNs = 200'000'000;
std::atomic<int> g_arrived{0};
std::atomic<unsigned> g_harts_seen{0};  // a bit per hart that ran a worker after the barrier
int g_workers = 4;
long g_deadline_ns = 0;

void mark_this_hart() { g_harts_seen.fetch_or(1U << hart_id()); }

long worker(void* arg) {
    const auto n = reinterpret_cast<std::intptr_t>(arg);
    g_arrived.fetch_add(1);
    // The barrier: everyone waits until all have arrived (yielding, so one hart would do too).
    while (g_arrived.load() < g_workers) {
        yield();
    }
    // Keep the CPU (no yield) until another hart has taken a worker: the kernel's
    // idle harts must pick up the ready ones. With one hart, the deadline ends it.
    mark_this_hart();
    while (g_workers > 1 && __builtin_popcount(g_harts_seen.load()) < 2 && get_time() < g_deadline_ns) {
        mark_this_hart();  // the tick may have moved this thread to another hart
    }
    return n * 10;
}
}  // namespace

int main(int argc, char** argv) {
    g_workers = static_cast<int>(cops::lib::parse_u64(argc > 1 ? argv[1] : "", 4));
    if (g_workers < 1 || g_workers > kMaxWorkers) {
        return 0;
    }
    g_deadline_ns = get_time() + kSpreadWaitNs;
    long tids[kMaxWorkers];
    for (int i = 0; i < g_workers; ++i) {
        tids[i] = thread_create(worker, reinterpret_cast<void*>(static_cast<std::intptr_t>(i)));
        if (tids[i] < 0) {
            println("threads: thread_create failed: {}", tids[i]);
            return 0;
        }
    }
    for (int i = 0; i < g_workers; ++i) {
        const long v = thread_join(tids[i]);
        if (v != i * 10) {
            println("threads: thread {} returned {}, expected {}", tids[i], v, i * 10);
            return 0;
        }
    }
    if (thread_join(tids[0]) >= 0) {
        println("threads: a second join of the same thread succeeded");
        return 0;
    }
    const int distinct = __builtin_popcount(g_harts_seen.load());
    println("threads: {} threads ran on {} hart(s)", g_workers, distinct);
    return distinct;
}
