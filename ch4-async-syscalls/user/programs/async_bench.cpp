/// @file async_bench.cpp
/// @brief Workloads for `make bench CH=4` (the kernel times them from outside):
///   async_bench sync-rw N            N x (sync write 1 byte, sync read it back): both on the spot
///   async_bench async-rw N           the same with the async forms (the fast path: no suspension)
///   async_bench pingpong-coro P N    P pairs of coroutines, each pair passing one byte back
///                                    and forth N times over two pipes (async forms: each
///                                    read waits, its siblings run)
///   async_bench pingpong-threads P N the same with P pairs of user threads and sync calls
///                                    (each read blocks its thread; the hart switches thread)
///   async_bench split N              N async reads that wait, timed from inside: issue until
///                                    the sibling runs, and completion until the reader runs;
///                                    prints its averages as bench lines (# bench ...)
#include <string_view>

#include "cops/lib/parse.hpp"
#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/print.hpp"
#include "cops/user/thread.hpp"

using namespace cops;
namespace async_sys = cops::user::async_sys;
namespace sys = cops::user::sys;

namespace {
constexpr unsigned kMaxPairs = 15;  // 2 threads a pair; a process has at most 32 threads
long g_rounds = 0;
int g_left = 0;

struct Pair {
    int there[2];  // pinger -> ponger
    int back[2];   // ponger -> pinger
};
Pair g_pairs[kMaxPairs];

sched::Task<void> pinger(Pair& p) {
    char c = 'p';
    for (long i = 0; i < g_rounds; ++i) {
        (void)co_await async_sys::write(p.there[1], &c, 1);
        (void)co_await async_sys::read(p.back[0], &c, 1);
    }
    if (--g_left == 0) {
        user::exit(0);
    }
}

sched::Task<void> ponger(Pair& p) {
    char c = 0;
    for (long i = 0; i < g_rounds; ++i) {
        (void)co_await async_sys::read(p.there[0], &c, 1);
        (void)co_await async_sys::write(p.back[1], &c, 1);
    }
    if (--g_left == 0) {
        user::exit(0);
    }
}

long ping_thread(void* arg) {
    Pair& p = *static_cast<Pair*>(arg);
    char c = 'p';
    for (long i = 0; i < g_rounds; ++i) {
        (void)sys::write(p.there[1], &c, 1);
        (void)sys::read(p.back[0], &c, 1);
    }
    return 0;
}

long pong_thread(void* arg) {
    Pair& p = *static_cast<Pair*>(arg);
    char c = 0;
    for (long i = 0; i < g_rounds; ++i) {
        (void)sys::read(p.there[0], &c, 1);
        (void)sys::write(p.back[1], &c, 1);
    }
    return 0;
}

// --- split ---
std::uint64_t g_t0 = 0;  // the reader issues its read
std::uint64_t g_t2 = 0;  // the writer's write (which completes the read) has returned
std::uint64_t g_issue_to_sibling = 0;
std::uint64_t g_completion_to_resume = 0;
sched::Cid g_writer{};
int g_split_pipe[2];

sched::Task<void> split_reader() {
    char c;
    for (long i = 0; i < g_rounds; ++i) {
        (void)user::wake(g_writer);
        g_t0 = user::instructions();
        (void)co_await async_sys::read(g_split_pipe[0], &c, 1);
        g_completion_to_resume += user::instructions() - g_t2;
    }
    const auto rounds = static_cast<std::uint64_t>(g_rounds);
    user::println("# bench async/wait-split issue-to-sibling-running {}.{:02} insn", g_issue_to_sibling / rounds,
                  g_issue_to_sibling * 100 / rounds % 100);
    user::println("# bench async/wait-split completion-to-reader-running {}.{:02} insn",
                  g_completion_to_resume / rounds, g_completion_to_resume * 100 / rounds % 100);
    const auto loop = user::loop_stats();
    user::println("# bench async/wait-split parks-per-read {}.{:02} count", loop.parks / rounds,
                  loop.parks * 100 / rounds % 100);
    user::exit(0);
}

sched::Task<void> split_writer() {
    const char c = 'w';
    for (;;) {
        co_await sched::block();  // the reader wakes it before each read
        g_issue_to_sibling += user::instructions() - g_t0;
        (void)sys::write(g_split_pipe[1], &c, 1);  // finishes the waiting read; its completion is posted
        g_t2 = user::instructions();
    }
}

bool open_pairs(unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
        if (user::pipe(g_pairs[i].there) != 0 || user::pipe(g_pairs[i].back) != 0) {
            return false;
        }
    }
    return true;
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    if (argc < 3) {
        co_return 2;
    }
    const std::string_view what = argv[1];
    const bool paired = what.starts_with("pingpong");
    const auto pairs = static_cast<unsigned>(paired ? lib::parse_u64(argv[2], 0) : 0);
    g_rounds = static_cast<long>(lib::parse_u64(argv[paired ? 3 : 2], 0));
    if (paired && (pairs == 0 || pairs > kMaxPairs || !open_pairs(pairs))) {
        co_return 3;
    }
    int p[2];
    if (!paired && user::pipe(p) != 0) {
        co_return 3;
    }
    char c = 'x';
    if (what == "sync-rw") {
        for (long i = 0; i < g_rounds; ++i) {
            (void)sys::write(p[1], &c, 1);
            (void)sys::read(p[0], &c, 1);
        }
    } else if (what == "async-rw") {
        for (long i = 0; i < g_rounds; ++i) {
            (void)co_await async_sys::write(p[1], &c, 1);
            (void)co_await async_sys::read(p[0], &c, 1);
        }
    } else if (what == "pingpong-coro") {
        const sched::Priority level = user::executor().priority(user::current()).value();
        g_left = static_cast<int>(2 * pairs);
        for (unsigned i = 0; i < pairs; ++i) {
            if (user::spawn(pinger(g_pairs[i]), level) < 0 || user::spawn(ponger(g_pairs[i]), level) < 0) {
                co_return 4;
            }
        }
        co_await sched::block();  // the last one exits
    } else if (what == "split") {
        const sched::Priority level = user::executor().priority(user::current()).value();
        if (g_rounds == 0 || user::pipe(g_split_pipe) != 0) {
            co_return g_rounds == 0 ? 0 : 3;
        }
        const long writer = user::spawn(split_writer(), level);
        if (writer < 0) {
            co_return 4;
        }
        g_writer = sched::Cid{static_cast<std::uint64_t>(writer)};
        co_await sched::yield();  // the writer reaches its first block()
        if (user::spawn(split_reader(), level) < 0) {
            co_return 4;
        }
        co_await sched::block();  // the reader exits
    } else if (what == "pingpong-threads") {
        long tids[2 * kMaxPairs];
        for (unsigned i = 0; i < pairs; ++i) {
            tids[2 * i] = user::thread_create(ping_thread, &g_pairs[i]);
            tids[2 * i + 1] = user::thread_create(pong_thread, &g_pairs[i]);
            if (tids[2 * i] < 0 || tids[2 * i + 1] < 0) {
                co_return 4;
            }
        }
        for (unsigned i = 0; i < 2 * pairs; ++i) {
            (void)user::thread_join(tids[i]);
        }
    } else {
        co_return 2;
    }
    co_return 0;
}
