/// @file two_cpus.cpp
/// @brief `two_cpus`: alloc_cpu(1) gives the process's executor a second hart slot;
/// two coroutines then keep running (no yield) until both harts have run one (or
/// 200 ms passed). Exits with the number of harts that ran its coroutines.
#include <atomic>

#include "cops/user/coro.hpp"
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"

using namespace cops;

namespace {
std::atomic<unsigned> g_harts{0};
std::atomic<int> g_done{0};
long g_deadline = 0;

sched::Task<void> spinner() {
    g_harts.fetch_or(1U << user::hart_id());
    while (__builtin_popcount(g_harts.load()) < 2 && user::get_time() < g_deadline) {
        g_harts.fetch_or(1U << user::hart_id());
    }
    g_done.fetch_add(1);
    co_return;
}
}  // namespace

sched::Task<int> co_main(int, char**) {
    g_deadline = user::get_time() + 200'000'000;
    const long slots = user::alloc_cpu(1);
    if (slots != 2) {
        user::println("two_cpus: alloc_cpu(1) gave {}", slots);
        co_return 100;
    }
    if (user::spawn(spinner(), sched::Priority{32}) < 0 || user::spawn(spinner(), sched::Priority{32}) < 0) {
        co_return 101;
    }
    while (g_done.load() < 2) {
        co_await sched::yield();
    }
    const int harts = __builtin_popcount(g_harts.load());
    user::println("two_cpus: coroutines ran on {} hart(s) at once", harts);
    co_return harts;
}
