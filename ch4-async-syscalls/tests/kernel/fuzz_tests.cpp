/// @file fuzz_tests.cpp
/// @brief The system-call fuzzer (user/programs/fuzz.cpp) against the whole kernel.
/// `make test` runs a short seeded run; `make fuzz` a long one (bootargs fuzz.calls,
/// fuzz.seed), on 1 and 4 harts.
#include "cops/boot/boot_info.hpp"
#include "cops/dev/timer.hpp"
#include "cops/io/call.hpp"
#include "cops/io/file.hpp"
#include "cops/io/process_io.hpp"
#include "cops/lib/format.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/kernel_heap.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/proc/syscall.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;

KTEST_BUDGET("fuzz/seeded-system-calls-leave-the-kernel-and-a-bystander-intact", 20'000'000'000) {
    const std::uint64_t calls = boot::bootarg_u64("fuzz.calls", 6000);
    const std::uint64_t seed = boot::bootarg_u64("fuzz.seed", 20261201);
    const std::size_t frames = mm::frames().free_count();
    const std::size_t heap = mm::kernel_heap().stats().bytes_in_use;
    const std::uint64_t syscalls = proc::syscall_count();
    const auto bystander = proc::spawn("fuzz bystander 30");
    REQUIRE(bystander.ok());
    proc::Pid fuzzers[2];
    for (unsigned i = 0; i < 2; ++i) {
        char line[80];
        const auto command = lib::format_buffer(line, sizeof line, "fuzz run {} {}", seed + i, calls / 2);
        const auto p = proc::spawn(command);
        REQUIRE(p.ok());
        fuzzers[i] = p.value();
    }
    for (const auto& f : fuzzers) {
        sched::run_until([&] { return proc::has_ended(f); });
        CHECK_EQ(proc::reap(f).value_or(-100), 0);  // the fuzzer itself came through
    }
    sched::run_until([&] { return proc::has_ended(bystander.value()); });
    CHECK_EQ(proc::reap(bystander.value()).value_or(-100), 0);  // its memory untouched
    // The kernel is alive (this line runs) and everything came back.
    sched::run_until([] { return io::call_pool_stats().in_use == 0 && io::call_pool_stats().frames_in_use == 0; });
    sched::run_until([] { return proc::process_count() == 0; });
    CHECK_EQ(proc::process_count(), 0U);
    CHECK_EQ(io::live_process_io(), 0U);
    CHECK_EQ(io::open_pipes(), 0U);
    CHECK_EQ(mm::frames().free_count(), frames);
    CHECK_EQ(mm::kernel_heap().stats().bytes_in_use, heap);
    console::println("fuzz: {} system calls counted by the kernel", proc::syscall_count() - syscalls);
}
