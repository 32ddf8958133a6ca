/// @file threads.cpp
/// @brief `threads N`: N threads meet at a barrier, so they must all run at once;
/// each reports the hart it ran on and returns its number. Exits with the number
/// of different harts that ran them (0 if a result was wrong).
#include <atomic>
#include <cstdint>

#include "cops/lib/parse.hpp"
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"
#include "cops/user/thread.hpp"

using namespace cops::user;

namespace {
constexpr int kMaxWorkers = 16;
std::atomic<int> g_arrived{0};
int g_workers = 4;
long g_hart[kMaxWorkers];

long worker(void* arg) {
    const auto n = reinterpret_cast<std::intptr_t>(arg);
    g_arrived.fetch_add(1);
    // The barrier: everyone waits until all have arrived (yielding, so one hart would do too).
    while (g_arrived.load() < g_workers) {
        yield();
    }
    // Spin a while, then look where we are: with several harts, the threads spread.
    for (int i = 0; i < 20000; ++i) {
        asm volatile("" ::: "memory");
    }
    g_hart[n] = hart_id();
    return n * 10;
}
}  // namespace

int main(int argc, char** argv) {
    g_workers = static_cast<int>(cops::lib::parse_u64(argc > 1 ? argv[1] : "", 4));
    if (g_workers < 1 || g_workers > kMaxWorkers) {
        return 0;
    }
    long tids[kMaxWorkers];
    for (int i = 0; i < g_workers; ++i) {
        tids[i] = thread_create(worker, reinterpret_cast<void*>(static_cast<std::intptr_t>(i)));
        if (tids[i] < 0) {
            println("threads: thread_create failed: {}", tids[i]);
            return 0;
        }
    }
    unsigned harts = 0;  // a bit per hart seen
    for (int i = 0; i < g_workers; ++i) {
        const long v = thread_join(tids[i]);
        if (v != i * 10) {
            println("threads: thread {} returned {}, expected {}", tids[i], v, i * 10);
            return 0;
        }
        harts |= 1U << g_hart[i];
    }
    if (thread_join(tids[0]) >= 0) {
        println("threads: a second join of the same thread succeeded");
        return 0;
    }
    const int distinct = __builtin_popcount(harts);
    println("threads: {} threads ran on {} hart(s)", g_workers, distinct);
    return distinct;
}
