/// @file async_tests.cpp
/// @brief Chapter 4: system calls that block only a coroutine (async_check runs the
/// user-side checks; these tests also look at the kernel's side: the pool, memory).
#include <atomic>

#include "cops/dev/timer.hpp"
#include "cops/io/call.hpp"
#include "cops/io/file.hpp"
#include "cops/io/process_io.hpp"
#include "cops/lib/console.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/kernel_heap.hpp"
#include "cops/proc/global_view.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/proc/syscall.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;
using proc::run_program;

namespace {
constexpr std::uint64_t kMultiHart = 1'000'000'000;

/// What must come back once every process of a test has ended.
struct Resources {
    std::uint32_t calls;
    std::uint32_t frames_in_pool;
    std::size_t free_frames;
    std::uint32_t process_io;
    std::uint32_t pipes;
    std::size_t heap_bytes;

    static Resources now() {
        const auto pool = io::call_pool_stats();
        return {pool.in_use,           pool.frames_in_use, mm::frames().free_count(),
                io::live_process_io(), io::open_pipes(),   mm::kernel_heap().stats().bytes_in_use};
    }
};

/// Checks that @p after equals @p before, field by field, naming the field that differs.
void check_back(const Resources& before, const Resources& after, const char* file, int line) {
    test::check_eq(after.calls, before.calls, "pool records in use", "at the start", file, line);
    test::check_eq(after.frames_in_pool, before.frames_in_pool, "pool frames in use", "at the start", file, line);
    test::check_eq(after.free_frames, before.free_frames, "free page frames", "at the start", file, line);
    test::check_eq(after.process_io, before.process_io, "live ProcessIo", "at the start", file, line);
    test::check_eq(after.pipes, before.pipes, "open pipes", "at the start", file, line);
    test::check_eq(after.heap_bytes, before.heap_bytes, "kernel heap bytes in use", "at the start", file, line);
}

/// Lets the harts run until the pool's records and frames are back to @p calls
/// (cancelled calls finish on their own kernel coroutines, a little after their
/// process; a frame goes back after its record, when the coroutine has returned).
void settle(std::uint32_t calls) {
    sched::run_until([&] {
        const auto s = io::call_pool_stats();
        return s.in_use == calls && s.frames_in_use == calls;
    });
}

bool operator==(const Resources& a, const Resources& b) {
    return a.calls == b.calls && a.frames_in_pool == b.frames_in_pool && a.free_frames == b.free_frames &&
           a.process_io == b.process_io && a.pipes == b.pipes && a.heap_bytes == b.heap_bytes;
}

/// The resources once the work of earlier tests has wound down: no pool record or
/// frame in use (a cancelled call finishes on its own kernel coroutine, a process's
/// last frames go a little after it is reaped), waiting at most about 200 ticks.
Resources quiet_start() {
    const std::uint64_t until = dev::timer::now_ticks() + 200;
    sched::run_until([&] {
        const auto s = io::call_pool_stats();
        return (s.in_use == 0 && s.frames_in_use == 0) || dev::timer::now_ticks() >= until;
    });
    return Resources::now();
}

/// Checks that everything is back to @p before, after letting the harts run until it
/// is (or about 200 ticks have passed: then the check names what is missing).
void expect_back(const Resources& before, const char* file, int line) {
    settle(before.calls);
    const std::uint64_t until = dev::timer::now_ticks() + 200;
    sched::run_until([&] { return Resources::now() == before || dev::timer::now_ticks() >= until; });
    check_back(before, Resources::now(), file, line);
}
}  // namespace

KTEST_BUDGET("async/a-blocked-read-does-not-stop-its-siblings", kMultiHart) {
    CHECK_EQ(run_program("async_check siblings").value_or(-100), 0);
}

KTEST_BUDGET("async/sync-and-async-forms-give-the-same-results", kMultiHart) {
    const auto before = io::call_pool_stats();
    CHECK_EQ(run_program("async_check forms").value_or(-100), 0);
    const auto after = io::call_pool_stats();
    CHECK(after.on_the_spot > before.on_the_spot);  // most calls finished on the spot
}

KTEST_BUDGET("async/a-writer-on-a-full-pipe-resumes-when-a-reader-drains-it", kMultiHart) {
    CHECK_EQ(run_program("async_check backpressure").value_or(-100), 0);
}

KTEST_BUDGET("async/a-full-completion-ring-loses-nothing", kMultiHart) {
    const Resources before = quiet_start();
    CHECK_EQ(run_program("async_check ring 100").value_or(-100), 0);  // 100 > kRingEntries (64)
    expect_back(before, __FILE__, __LINE__);
}

KTEST_BUDGET("async/1000-concurrent-reads-across-10-processes-complete-once-each", 4 * kMultiHart) {
    const Resources before = quiet_start();
    proc::Pid pids[10];
    for (auto& pid : pids) {
        const auto p = proc::spawn("async_check many 100");
        REQUIRE(p.ok());
        pid = p.value();
    }
    sched::run_until([&] {
        for (const auto& pid : pids) {
            if (!proc::has_ended(pid)) {
                return false;
            }
        }
        return true;
    });
    for (const auto& pid : pids) {
        CHECK_EQ(proc::reap(pid).value_or(-100), 0);
    }
    expect_back(before, __FILE__, __LINE__);
}

KTEST_BUDGET("async/a-completion-before-the-coroutine-blocks-is-not-lost", kMultiHart) {
    CHECK_EQ(run_program("async_check early 100").value_or(-100), 0);
}

KTEST_BUDGET("async/exit-with-calls-in-flight-100-times-frees-everything", 8 * kMultiHart) {
    const Resources before = quiet_start();
    for (int i = 0; i < 100; ++i) {
        const auto status = run_program("async_check inflight").value_or(-100);
        if (status != 0) {
            CHECK_EQ(status, 0);
            break;
        }
    }
    expect_back(before, __FILE__, __LINE__);
}

KTEST_BUDGET("async/a-process-whose-coroutines-all-wait-costs-no-cpu", kMultiHart) {
    const Resources before = quiet_start();
    const auto pid = proc::spawn("async_check waiter");
    REQUIRE(pid.ok());
    // Five reads in flight (four coroutines and main), then the process parks.
    const std::uint64_t parks = proc::global_view_stats().parks;
    sched::run_until([&] { return io::call_pool_stats().in_use == before.calls + 5; });
    sched::run_until([&] { return proc::global_view_stats().parks > parks; });
    const std::uint64_t calls = proc::syscall_count();
    const std::uint64_t until = dev::timer::now_ticks() + 50;
    sched::run_until([&] { return dev::timer::now_ticks() >= until; });
    CHECK_EQ(proc::syscall_count() - calls, 0U);  // 50 ticks, not one system call: no polling
    CHECK(!proc::has_ended(pid.value()));
    REQUIRE(proc::kill(pid.value()).ok());
    sched::run_until([&] { return proc::has_ended(pid.value()); });
    CHECK_EQ(proc::reap(pid.value()).value_or(-100), abi::kStatusKilled);
    expect_back(before, __FILE__, __LINE__);
}

KTEST_BUDGET("async/a-full-pool-is-eagain", 4 * kMultiHart) {
    const Resources before = quiet_start();
    REQUIRE(before.calls == 0);
    const std::uint64_t refused = io::call_pool_stats().refused;
    // Seven processes each ask for 200 calls: each may hold abi::kMaxCallsPerProcess
    // (160) of the pool, and the pool holds kCallPoolSize (1024): the seventh gets 64.
    constexpr int kProcesses = 7;
    constexpr std::uint32_t kAsked = 200;
    proc::Pid pids[kProcesses];
    std::uint32_t expect_in_use = 0;
    std::uint64_t expect_refused = 0;
    for (auto& pid : pids) {
        const auto p = proc::spawn("async_check cap 200");
        REQUIRE(p.ok());
        pid = p.value();
        const std::uint32_t room = io::kCallPoolSize - expect_in_use;
        const std::uint32_t share = kAsked < abi::kMaxCallsPerProcess ? kAsked : abi::kMaxCallsPerProcess;
        const std::uint32_t granted = share < room ? share : room;
        expect_in_use += granted;
        expect_refused += kAsked - granted;
        sched::run_until([&] {
            const auto s = io::call_pool_stats();
            return s.in_use == expect_in_use && s.refused - refused == expect_refused;
        });
    }
    const auto full = io::call_pool_stats();
    CHECK_EQ(full.in_use, io::kCallPoolSize);
    CHECK_EQ(full.refused - refused, 6U * 40U + 136U);  // 40 from each of six, 136 from the last
    for (const auto& pid : pids) {
        REQUIRE(proc::kill(pid).ok());
    }
    for (const auto& pid : pids) {
        sched::run_until([&] { return proc::has_ended(pid); });
        CHECK_EQ(proc::reap(pid).value_or(-100), abi::kStatusKilled);
    }
    expect_back(before, __FILE__, __LINE__);
}

KTEST_BUDGET("async/disk-read-after-write-flush-and-errors-in-both-forms", kMultiHart) {
    const Resources before = quiet_start();
    CHECK_EQ(run_program("async_check disk").value_or(-100), 0);
    expect_back(before, __FILE__, __LINE__);
}

KTEST_BUDGET("async/console-input-reaches-an-async-read", 5 * kMultiHart) {
    const auto pid = proc::spawn("async_check console");
    REQUIRE(pid.ok());
    // Ask the runner to type its line (it does on each "#< type"); again if QEMU dropped it.
    for (unsigned attempt = 0; attempt < 20 && !proc::has_ended(pid.value()); ++attempt) {
        console::println("#< type (attempt {})", attempt + 1);
        const std::uint64_t until = dev::timer::now_ticks() + 50;
        sched::run_until([&] { return proc::has_ended(pid.value()) || dev::timer::now_ticks() >= until; });
    }
    sched::run_until([&] { return proc::has_ended(pid.value()); });
    CHECK_EQ(proc::reap(pid.value()).value_or(-100), 0);
}

namespace {
std::atomic<unsigned> g_notified{0};
void counting_notifier(proc::Process& p, sched::Priority level) {
    g_notified.fetch_add(1, std::memory_order_relaxed);
    proc::make_runnable(p, level);
}
}  // namespace

KTEST_BUDGET("async/a-later-layer-can-replace-how-completions-notify", kMultiHart) {
    io::set_default_completion_notifier(counting_notifier);
    g_notified.store(0);
    const auto status = run_program("async_check siblings").value_or(-100);
    io::set_default_completion_notifier(nullptr);
    CHECK_EQ(status, 0);
    CHECK(g_notified.load() >= 1);  // the blocked read's completion went through it
}
