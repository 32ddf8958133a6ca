/// @file attack.cpp
/// @brief `attack MODE [TICKS]`: a process that attacks the scheduler. The kernel
/// tests (`attack/...` in shared_scheduler_tests.cpp) run each mode beside a more
/// urgent process and a kernel coroutine, which must still run, and check that the
/// attacker's memory comes back when it ends.
///
///   flap TICKS         16 coroutines move themselves between levels 32 and 63 and
///                      yield, as fast as they can, for TICKS ticks: the level the
///                      kernel sees flaps at every trap
///   yield-flood TICKS  4 threads make yield system calls in a loop while 64
///                      coroutines of the main thread yield to each other, for TICKS
///   wake-flood TICKS   one coroutine wakes 64 blocked coroutines over and over, and
///                      cids that name nobody, for TICKS ticks
///   thread-bomb        creates threads (each yielding in a loop) until the kernel
///                      refuses one, sleeps 50 ticks, then exits with the number it
///                      got, the threads still running
///   spin-exit N        starts N threads that spin without ever trapping, waits until
///                      all of them run, sleeps 50 ticks, then exits with 5
///
/// Every mode exits 0 (or the count it names) when the attack ran as meant, and a
/// number of 100 or more naming what went wrong otherwise.
#include <atomic>
#include <cstdint>
#include <string_view>

#include "cops/lib/parse.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"
#include "cops/user/thread.hpp"

using namespace cops;

namespace {
constexpr unsigned kFlappers = 16;
constexpr unsigned kFloodThreads = 4;
constexpr unsigned kFloodCoroutines = 64;
constexpr unsigned kMaxSpinners = 8;
constexpr std::uint64_t kLingerTicks = 50;  // thread-bomb and spin-exit: how long the threads run on

std::uint64_t g_end_ns = 0;  // the attack stops at this time (get_time())
std::atomic<unsigned> g_left{0};
std::atomic<unsigned> g_spinning{0};
std::atomic<bool> g_stop{false};
sched::Cid g_sleepers[kFloodCoroutines];
std::atomic<bool> g_flood_done{false};

bool time_left() { return static_cast<std::uint64_t>(user::get_time()) < g_end_ns; }

/// Moves itself between the least and the most urgent level a process may use.
sched::Task<void> flapper(unsigned index) {
    std::uint8_t level = static_cast<std::uint8_t>(32 + index % 32);
    while (time_left()) {
        level = static_cast<std::uint8_t>(level == 32 ? 63 : 32);
        (void)user::set_priority(user::current(), sched::Priority{level});
        co_await sched::yield();
    }
    --g_left;
}

/// Yields to its siblings until the time is up.
sched::Task<void> yielder() {
    while (time_left()) {
        co_await sched::yield();
    }
    --g_left;
}

/// A thread that makes yield system calls until the time is up.
long yield_thread(void*) {
    long calls = 0;
    while (time_left()) {
        (void)user::yield();
        ++calls;
    }
    return calls > 0 ? 0 : 1;
}

/// Blocks; every wake brings it back here, until the flood is over.
sched::Task<void> sleeper() {
    while (!g_flood_done) {
        co_await sched::block();
    }
    --g_left;
}

/// Wakes every sleeper (and cids that name nobody) over and over.
sched::Task<void> waker() {
    std::uint32_t junk = 0x9e3779b9;
    while (time_left()) {
        for (sched::Cid cid : g_sleepers) {
            (void)user::wake(cid);
        }
        junk = junk * 1664525 + 1013904223;
        (void)user::wake(sched::Cid{junk});
        co_await sched::yield();
    }
    g_flood_done = true;
    for (sched::Cid cid : g_sleepers) {
        (void)user::wake(cid);  // each sees the flood is over and ends
    }
    --g_left;
}

/// A thread of the bomb: yields until the process ends.
long bomb_thread(void*) {
    for (;;) {
        (void)user::yield();
    }
}

/// A thread that spins without a system call until the process ends (the tick must
/// take its hart back, and the process's exit must end it).
long spin_thread(void*) {
    g_spinning.fetch_add(1);
    std::uint64_t x = 0;
    while (!g_stop.load(std::memory_order_relaxed)) {
        x = x * 3 + 1;
        asm volatile("" : "+r"(x));
    }
    return static_cast<long>(x & 1);
}

/// Waits (yielding at the least urgent level, so the yield never picks the waiting
/// coroutine over the ones it waits for) until every coroutine counted in g_left has ended.
sched::Task<void> until_all_ended() {
    (void)user::set_priority(user::current(), sched::Priority{sched::kPriorityLevels - 1});
    while (g_left > 0) {
        co_await sched::yield();
    }
}

constexpr std::string_view kUsage =
    "usage: attack flap|yield-flood|wake-flood TICKS | attack thread-bomb | attack spin-exit N(1-8)";
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    const std::string_view mode = argc > 1 ? argv[1] : "";
    const std::uint64_t number = lib::parse_u64(argc > 2 ? argv[2] : "", 0);
    g_end_ns = static_cast<std::uint64_t>(user::get_time()) + number * 1'000'000;  // a tick is 1 ms
    if (mode == "flap" && number > 0) {
        g_left = kFlappers;
        for (unsigned i = 0; i < kFlappers; ++i) {
            if (user::spawn(flapper(i), sched::Priority{static_cast<std::uint8_t>(32 + i)}) < 0) {
                co_return 100;
            }
        }
        co_await until_all_ended();
        co_return 0;
    }
    if (mode == "yield-flood" && number > 0) {
        long tids[kFloodThreads];
        for (long& tid : tids) {
            tid = user::thread_create(yield_thread, nullptr);
            if (tid < 0) {
                co_return 101;
            }
        }
        g_left = kFloodCoroutines;
        for (unsigned i = 0; i < kFloodCoroutines; ++i) {
            if (user::spawn(yielder(), sched::Priority{40}) < 0) {
                co_return 102;
            }
        }
        co_await until_all_ended();
        int bad = 0;
        for (long tid : tids) {
            bad += user::thread_join(tid) == 0 ? 0 : 1;
        }
        co_return bad == 0 ? 0 : 103;
    }
    if (mode == "wake-flood" && number > 0) {
        g_left = kFloodCoroutines + 1;
        for (sched::Cid& cid : g_sleepers) {
            const long c = user::spawn(sleeper(), sched::Priority{45});
            if (c < 0) {
                co_return 104;
            }
            cid = sched::Cid{static_cast<std::uint32_t>(c)};
        }
        if (user::spawn(waker(), sched::Priority{40}) < 0) {
            co_return 105;
        }
        co_await until_all_ended();
        co_return 0;
    }
    if (mode == "thread-bomb") {
        int made = 0;
        while (user::thread_create(bomb_thread, nullptr) >= 0) {
            ++made;
        }
        (void)user::sleep(kLingerTicks);
        co_return made;  // exit ends every thread of the bomb
    }
    if (mode == "spin-exit" && number >= 1 && number <= kMaxSpinners) {
        for (std::uint64_t i = 0; i < number; ++i) {
            if (user::thread_create(spin_thread, nullptr) < 0) {
                co_return 106;
            }
        }
        while (g_spinning.load() < number) {
            (void)user::yield();
        }
        (void)user::sleep(kLingerTicks);
        user::exit(5);  // with every thread spinning
    }
    user::println("attack: {}", kUsage);
    co_return 2;
}
