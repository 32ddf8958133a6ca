/// @file process_hidden_tests.cpp
/// @brief Hidden tests of the system-call decoding (kernel/proc/syscall_table.cpp) and
/// of thread and process ends (kernel/proc/process.cpp): orphans, threads, memory.
#include "../hidden_support.hpp"
#include "cops/abi/syscall_numbers.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/kernel_heap.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/proc/syscall.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;
using proc::run_program;

namespace {
arch::TrapFrame call_frame(std::uint64_t number) {
    arch::TrapFrame f{};
    f.sepc = 0x1'0000'1000;
    f.regs[17] = number;
    for (unsigned i = 0; i < 6; ++i) {
        f.regs[10 + i] = 100 + i;
    }
    return f;
}
}  // namespace

KTEST("hidden/syscall-decode-reads-a7-and-a0-a5-and-steps-over-ecall") {
    arch::TrapFrame f = call_frame(static_cast<std::uint64_t>(abi::Sys::GetPid));
    const proc::SyscallRequest r = proc::decode_syscall(f);
    CHECK(r.entry != nullptr && r.entry == proc::syscall_entry(static_cast<std::uint64_t>(abi::Sys::GetPid)));
    CHECK_EQ(r.number, static_cast<std::uint64_t>(abi::Sys::GetPid));
    CHECK(r.args[0] == 100 && r.args[5] == 105);
    CHECK_EQ(f.sepc, 0x1'0000'1004ULL);
    proc::complete_syscall(f, -14);
    CHECK_EQ(static_cast<std::int64_t>(f.regs[10]), -14);
}

KTEST("hidden/syscall-unknown-and-huge-numbers-have-no-entry") {
    for (std::uint64_t n : {std::uint64_t{0}, std::uint64_t{99}, std::uint64_t{abi::kMaxSyscalls},
                            std::uint64_t{1} << 40, ~std::uint64_t{0}}) {
        arch::TrapFrame f = call_frame(n);
        const proc::SyscallRequest r = proc::decode_syscall(f);
        CHECK_INVARIANT(r.entry == nullptr);  // an entry read past the table: the whole test fails
        CHECK_EQ(f.sepc, 0x1'0000'1004ULL);   // still continues after the ecall
    }
}

KTEST_BUDGET("hidden/syscall-results-reach-user-programs", kMultiHartBudget) {
    CHECK_EQ(run_program("exit_with 7").value_or(-100), 7);
    CHECK_EQ(run_program("badptr").value_or(-100), 0);
}

KTEST_BUDGET("hidden/exitwait-children-reaped-by-pid-and-echild", kMultiHartBudget) {
    CHECK_EQ(run_program("family 12").value_or(-100), 0);
    CHECK_EQ(proc::process_count(), 0U);
}

KTEST_BUDGET("hidden/exitwait-orphans-are-freed-when-they-end", kMultiHartBudget) {
    const std::size_t frames = mm::frames().free_count();
    const auto parent = proc::spawn("family 3 orphans");
    REQUIRE(parent.ok());
    sched::run_until([&] { return proc::has_ended(parent.value()); });
    CHECK_EQ(proc::reap(parent.value()).value_or(-100), 0);
    // The three children (the next pids) sleep on: their parent is gone, so nobody reaps them.
    CHECK_EQ(proc::process_count(), 3U);
    for (std::uint32_t child = parent.value().value + 1; child <= parent.value().value + 3; ++child) {
        CHECK(proc::kill(proc::Pid{child}).ok());
    }
    sched::run_until([] { return proc::process_count() == 0; });  // freed as they end
    CHECK_EQ(mm::frames().free_count(), frames);
}

KTEST_BUDGET("hidden/exitwait-process-ends-after-all-its-threads", kMultiHartBudget) {
    const std::size_t frames = mm::frames().free_count();
    const std::size_t heap = hidden::settled_heap_bytes();
    CHECK(run_program("threads 6").value_or(-100) >= 1);
    CHECK(run_program("threads 1").value_or(-100) == 1);
    CHECK_EQ(mm::frames().free_count(), frames);
    CHECK_EQ(hidden::settled_heap_bytes(), heap);
}

KTEST_BUDGET("hidden/exitwait-killed-and-faulted-statuses", kMultiHartBudget) {
    CHECK_EQ(run_program("fault null").value_or(-100), abi::kStatusFault);
    const auto pid = proc::spawn("spinner");
    REQUIRE(pid.ok());
    CHECK(proc::kill(pid.value()).ok());
    sched::run_until([&] { return proc::has_ended(pid.value()); });
    CHECK_EQ(proc::reap(pid.value()).value_or(-100), abi::kStatusKilled);
    CHECK_EQ(proc::process_count(), 0U);
}
