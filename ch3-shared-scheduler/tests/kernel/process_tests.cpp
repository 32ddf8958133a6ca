/// @file process_tests.cpp
/// @brief User programs run, end with statuses, wait for children, fault safely.
#include "cops/abi/syscall_numbers.hpp"
#include "cops/dev/timer.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/kernel_heap.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/proc/syscall.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;
using proc::run_program;

namespace {
constexpr std::uint64_t kMultiHart = 1'000'000'000;
}

KTEST_BUDGET("proc/programs-run-and-exit-with-statuses", kMultiHart) {
    CHECK_EQ(run_program("hello one two").value_or(-100), 0);
    CHECK_EQ(run_program("exit_with 42").value_or(-100), 42);
    CHECK_EQ(run_program("exit_with 255").value_or(-100), 255);
    CHECK_EQ(run_program("exit_with 300").value_or(-100), 300 & 0xff);  // statuses are 0..255
    CHECK_EQ(proc::process_count(), 0U);
}

KTEST("proc/spawn-rejects-bad-command-lines") {
    CHECK(proc::spawn("no-such-program").error() == Error::NotFound);
    CHECK(proc::spawn("").error() == Error::Malformed);
    CHECK(proc::spawn("   ").error() == Error::Malformed);
    CHECK(proc::spawn("hello", nullptr, sched::Priority{64}).error() == Error::Malformed);
    CHECK_EQ(proc::process_count(), 0U);
}

KTEST_BUDGET("proc/a-process-spawns-and-waits-for-children", kMultiHart) {
    CHECK_EQ(run_program("family 20").value_or(-100), 0);
}

KTEST_BUDGET("proc/threads-run-in-parallel-on-several-harts", kMultiHart) {
    const auto harts = run_program("threads 8").value_or(-100);
    CHECK(harts >= 2);  // 8 threads that meet at a barrier, 4 harts
}

KTEST_BUDGET("proc/bad-pointers-are-efault-for-every-call", kMultiHart) {
    CHECK_EQ(run_program("badptr").value_or(-100), 0);  // the status is the number of failed checks
}

KTEST_BUDGET("proc/faults-kill-only-the-process", kMultiHart) {
    const char* kinds[] = {"fault kernel-read", "fault kernel-write",   "fault null",
                           "fault unmapped",    "fault illegal",        "fault csr",
                           "fault text-write",  "fault stack-overflow", "fault data-exec"};
    for (const char* k : kinds) {
        const std::int64_t status = run_program(k).value_or(-100);
        char why[96];
        test::check(status == abi::kStatusFault, __FILE__, __LINE__,
                    lib::format_buffer(why, sizeof why, "'{}' ended with status {}, not kStatusFault", k, status));
    }
    CHECK_EQ(run_program("hello").value_or(-100), 0);  // the kernel carries on
}

KTEST_BUDGET("proc/a-process-cannot-see-another-process-memory", kMultiHart) {
    const std::uint64_t calls = proc::syscall_count();
    const auto holder = proc::spawn("isolation hold");
    REQUIRE(holder.ok());
    // The holder's first system call is its sleep, after it stored the secret.
    sched::run_until([&] { return proc::syscall_count() > calls; });
    CHECK_EQ(run_program("isolation peek").value_or(-100), 0);
    REQUIRE(proc::kill(holder.value()).ok());
    sched::run_until([&] { return proc::has_ended(holder.value()); });
    CHECK_EQ(proc::reap(holder.value()).value_or(-100), abi::kStatusKilled);
}

KTEST_BUDGET("proc/kill-stops-a-spinning-process", kMultiHart) {
    const auto pid = proc::spawn("spinner");
    REQUIRE(pid.ok());
    CHECK(proc::reap(pid.value()).error() == Error::Busy);  // still running
    REQUIRE(proc::kill(pid.value()).ok());
    sched::run_until([&] { return proc::has_ended(pid.value()); });
    CHECK_EQ(proc::reap(pid.value()).value_or(-100), abi::kStatusKilled);
    CHECK(proc::reap(pid.value()).error() == Error::NotFound);  // reaped once only
    CHECK(proc::kill(proc::Pid{999'999}).error() == Error::NotFound);
}

KTEST_BUDGET("proc/hundred-processes-reaped-memory-back", 4'000'000'000) {
    // Warm up once, so lazily created kernel state does not count.
    REQUIRE(run_program("exit_with 0").ok());
    const std::size_t frames = mm::frames().free_count();
    const std::size_t heap = mm::kernel_heap().stats().bytes_in_use;
    unsigned right = 0;
    for (unsigned batch = 0; batch < 10; ++batch) {
        proc::Pid pids[10];
        char line[32];
        for (unsigned i = 0; i < 10; ++i) {
            const auto pid = proc::spawn(lib::format_buffer(line, sizeof line, "exit_with {}", batch * 10 + i));
            REQUIRE(pid.ok());
            pids[i] = pid.value();
        }
        for (unsigned i = 0; i < 10; ++i) {
            sched::run_until([&] { return proc::has_ended(pids[i]); });
            right += proc::reap(pids[i]).value_or(-1) == batch * 10 + i ? 1 : 0;
        }
    }
    CHECK_EQ(right, 100U);
    CHECK_EQ(proc::process_count(), 0U);
    CHECK_EQ(mm::frames().free_count(), frames);
    CHECK_EQ(mm::kernel_heap().stats().bytes_in_use, heap);
}

KTEST_BUDGET("proc/exit-ends-threads-that-join-each-other", kMultiHart) {
    CHECK_EQ(run_program("stuck joins").value_or(-100), 7);
    CHECK_EQ(proc::process_count(), 0U);  // its slot and frames are back
}

KTEST_BUDGET("proc/kill-ends-a-wait-for-a-child-that-runs-on", kMultiHart) {
    const auto parent = proc::spawn("stuck waits");
    REQUIRE(parent.ok());
    // The parent waits once its child (a second process, asleep for 200 ticks) exists.
    sched::run_until([] { return proc::process_count() == 2; });
    const std::uint64_t settle = dev::timer::now_ticks() + 20;
    sched::run_until([&] { return dev::timer::now_ticks() >= settle; });
    REQUIRE(proc::kill(parent.value()).ok());
    // It ends now, not when its child would have ended.
    const std::uint64_t limit = dev::timer::now_ticks() + 100;
    sched::run_until([&] { return proc::has_ended(parent.value()) || dev::timer::now_ticks() >= limit; });
    CHECK(proc::has_ended(parent.value()));
    sched::run_until([&] { return proc::has_ended(parent.value()); });
    CHECK_EQ(proc::reap(parent.value()).value_or(-100), abi::kStatusKilled);
    // Its child went with it (a kill takes the descendants); both are gone.
    sched::run_until([] { return proc::process_count() == 0; });
}

KTEST_BUDGET("proc/only-ancestors-may-kill", kMultiHart) {
    CHECK_EQ(run_program("stuck killrules").value_or(-100), 0);
    sched::run_until([] { return proc::process_count() == 0; });
}

KTEST_BUDGET("proc/a-killed-process-takes-its-descendants-with-it", kMultiHart) {
    const auto top = proc::spawn("stuck tree");
    REQUIRE(top.ok());
    sched::run_until([] { return proc::process_count() == 5; });  // top, two children, two grandchildren
    REQUIRE(proc::kill(top.value()).ok());
    // All five end now, long before the grandchildren's 200-tick sleeps would.
    const std::uint64_t limit = dev::timer::now_ticks() + 100;
    sched::run_until([&] { return proc::process_count() == 1 || dev::timer::now_ticks() >= limit; });
    CHECK_EQ(proc::process_count(), 1U);  // only the top's zombie, for reap()
    CHECK_EQ(proc::reap(top.value()).value_or(-100), abi::kStatusKilled);
    CHECK_EQ(proc::process_count(), 0U);
}
