/// @file bench_loop.cpp
/// @brief Workloads for `make bench` (the kernel times them from outside):
///   bench_loop getpid N    N getpid() calls (a system-call round trip)
///   bench_loop yield N     N yield() calls (with a partner: a switch each)
///   bench_loop threads N   two threads of this process yielding N times each
///   bench_loop coro N      two coroutines of this process, each `co_await yield()`
///                          N times (a switch inside the shared scheduler each)
///   bench_loop park        parks for ever (an idle process; the kernel kills it)
#include <string_view>

#include "cops/lib/parse.hpp"
#include "cops/sched/suspend.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/sys.hpp"
#include "cops/user/thread.hpp"

using namespace cops;

namespace {
long g_rounds = 0;

long yielder(void*) {
    for (long i = 0; i < g_rounds; ++i) {
        user::yield();
    }
    return 0;
}

/// The partner of the main coroutine in `coro` mode; sets @p done when it has finished.
sched::Task<void> coroutine_yielder(bool& done) {
    for (long i = 0; i < g_rounds; ++i) {
        co_await sched::yield();
    }
    done = true;
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    if (argc < 2) {
        co_return 2;
    }
    const std::string_view what = argv[1];
    g_rounds = static_cast<long>(lib::parse_u64(argc > 2 ? argv[2] : "0", 0));
    if (what == "getpid") {
        for (long i = 0; i < g_rounds; ++i) {
            user::getpid();
        }
    } else if (what == "yield") {
        yielder(nullptr);
    } else if (what == "threads") {
        const long tid = user::thread_create(yielder, nullptr);
        yielder(nullptr);
        user::thread_join(tid);
    } else if (what == "coro") {
        // Both coroutines sit at the main coroutine's level: each yield hands the
        // hart to the other one, without entering the kernel.
        bool done = false;
        if (user::spawn(coroutine_yielder(done), user::executor().priority(user::current()).value()) < 0) {
            co_return 3;
        }
        for (long i = 0; i < g_rounds; ++i) {
            co_await sched::yield();
        }
        while (!done) {
            co_await sched::yield();
        }
    } else if (what == "park") {
        for (;;) {
            co_await sched::block();  // nobody wakes it: the process parks
        }
    } else {
        co_return 2;
    }
    co_return 0;
}
