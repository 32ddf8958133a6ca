/// @file async_hidden_tests.cpp
/// @brief Hidden tests of chapter 4: the pipe's awaitable (kernel/io/pipe.cpp), the
/// sync/async split at the kernel entry (kernel/io/syscalls_io.cpp) and the
/// completion post (kernel/io/process_io.cpp).
#include <atomic>

#include "../hidden_support.hpp"
#include "cops/io/call.hpp"
#include "cops/io/file.hpp"
#include "cops/io/pipe.hpp"
#include "cops/io/process_io.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/kernel_space.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"

using namespace cops;
using proc::run_program;

namespace {

/// A coroutine that waits once for @p end of @p pipe, counting its steps.
sched::Task<void> wait_once(io::Pipe& pipe, io::PipeEnd end, const std::atomic<std::uint32_t>& cancelled,
                            std::atomic<int>& stage) {
    stage.store(1);
    co_await pipe.until_ready(end, cancelled);
    stage.store(2);
}

/// Starts wait_once() on the kernel executor at level 10.
Result<sched::Cid> start_waiter(io::Pipe& pipe, io::PipeEnd end, const std::atomic<std::uint32_t>& cancelled,
                                std::atomic<int>& stage) {
    return sched::kernel_executor().spawn(wait_once(pipe, end, cancelled, stage), sched::Priority{10});
}

/// Lets the harts run until @p cid has reached its wait and is blocked in it.
void until_blocked(sched::Cid cid, const std::atomic<int>& stage) {
    sched::run_until([&] {
        const auto s = sched::kernel_executor().state(cid);
        return stage.load() == 1 && s.ok() && s.value() == sched::CoroutineState::Blocked;
    });
}

/// One user page to move bytes through.
struct Page {
    mm::AddressSpace space;
    bool ok = false;
    Page() {
        ok = space.init(mm::frames(), mm::kernel_page_table()).ok() &&
             space.map_zeroed(mm::kUserBase, mm::kPageSize, mm::PteFlag::Read | mm::PteFlag::Write).ok();
    }
};
}  // namespace

KTEST_BUDGET("hidden/pipe-wait-blocks-until-data-then-wakes", kMultiHartBudget) {
    Page page;
    HIDDEN_SETUP(page.ok);
    io::Pipe pipe;
    std::atomic<std::uint32_t> cancelled{0};
    std::atomic<int> stage{0};
    const auto cid = start_waiter(pipe, io::PipeEnd::Read, cancelled, stage);
    HIDDEN_SETUP(cid.ok());
    until_blocked(cid.value(), stage);
    CHECK_EQ(pipe.waiting(), 1U);  // it joined the readers' queue
    CHECK_EQ(stage.load(), 1);
    CHECK_EQ(pipe.write(page.space, mm::kUserBase, 1), 1);
    sched::run_until([&] { return stage.load() == 2; });
    CHECK_EQ(pipe.waiting(), 0U);
    CHECK_EQ(pipe.read(page.space, mm::kUserBase, 4), 1);
}

KTEST_BUDGET("hidden/pipe-wait-on-a-ready-pipe-does-not-block", kMultiHartBudget) {
    Page page;
    HIDDEN_SETUP(page.ok);
    io::Pipe pipe;
    std::atomic<std::uint32_t> cancelled{0};
    HIDDEN_SETUP(pipe.write(page.space, mm::kUserBase, 3) == 3);
    std::atomic<int> stage{0};
    const auto resumes = sched::kernel_executor().stats().resumes;
    const auto cid = start_waiter(pipe, io::PipeEnd::Read, cancelled, stage);
    HIDDEN_SETUP(cid.ok());
    sched::run_until([&] { return stage.load() == 2; });
    CHECK_EQ(pipe.waiting(), 0U);
    // Writers wait only when the buffer is full: one byte of room is ready.
    std::atomic<int> wstage{0};
    const auto w = start_waiter(pipe, io::PipeEnd::Write, cancelled, wstage);
    HIDDEN_SETUP(w.ok());
    sched::run_until([&] { return wstage.load() == 2; });
    CHECK(sched::kernel_executor().stats().resumes > resumes);
}

KTEST_BUDGET("hidden/pipe-writer-on-a-full-pipe-waits-for-room", kMultiHartBudget) {
    Page page;
    HIDDEN_SETUP(page.ok);
    io::Pipe pipe;
    std::atomic<std::uint32_t> cancelled{0};
    std::uint64_t filled = 0;
    while (filled < io::Pipe::kBytes) {
        const auto n = pipe.write(page.space, mm::kUserBase, mm::kPageSize);
        HIDDEN_SETUP(n > 0);
        filled += static_cast<std::uint64_t>(n);
    }
    CHECK(pipe.write(page.space, mm::kUserBase, 1) == io::kWouldBlock);
    std::atomic<int> stage{0};
    const auto cid = start_waiter(pipe, io::PipeEnd::Write, cancelled, stage);
    HIDDEN_SETUP(cid.ok());
    until_blocked(cid.value(), stage);
    CHECK_EQ(pipe.waiting(), 1U);
    CHECK_EQ(pipe.read(page.space, mm::kUserBase, 10), 10);
    sched::run_until([&] { return stage.load() == 2; });
    CHECK_EQ(pipe.waiting(), 0U);
}

KTEST_BUDGET("hidden/pipe-wait-ends-on-cancel-and-leaves-the-queue", kMultiHartBudget) {
    io::Pipe pipe;
    std::atomic<std::uint32_t> cancelled{0};
    std::atomic<int> stage{0};
    const auto cid = start_waiter(pipe, io::PipeEnd::Read, cancelled, stage);
    HIDDEN_SETUP(cid.ok());
    until_blocked(cid.value(), stage);
    cancelled.store(1);
    (void)sched::kernel_executor().wake(cid.value());
    sched::run_until([&] { return stage.load() == 2; });
    CHECK_EQ(pipe.waiting(), 0U);  // its node is out of the queue: the frame is gone
    // A cancelled call does not wait at all.
    std::atomic<int> again{0};
    const auto second = start_waiter(pipe, io::PipeEnd::Read, cancelled, again);
    HIDDEN_SETUP(second.ok());
    sched::run_until([&] { return again.load() == 2; });
    CHECK_EQ(pipe.waiting(), 0U);
}

KTEST_BUDGET("hidden/pipe-closing-the-last-writer-wakes-readers-with-eof", kMultiHartBudget) {
    Page page;
    HIDDEN_SETUP(page.ok);
    io::File* reader = nullptr;
    io::File* writer = nullptr;
    HIDDEN_SETUP(io::open_pipe(&reader, &writer).ok());
    std::atomic<std::uint32_t> cancelled{0};
    std::atomic<int> stage{0};
    const auto cid = start_waiter(*reader->pipe, io::PipeEnd::Read, cancelled, stage);
    HIDDEN_SETUP(cid.ok());
    until_blocked(cid.value(), stage);
    io::release(*writer);
    sched::run_until([&] { return stage.load() == 2; });
    CHECK_EQ(reader->pipe->read(page.space, mm::kUserBase, 8), 0);  // end of file
    io::release(*reader);
}

KTEST_BUDGET("hidden/split-both-forms-and-the-fast-path", kMultiHartBudget) {
    const auto before = io::call_pool_stats();
    CHECK_EQ(run_program("async_check forms").value_or(-100), 0);
    CHECK_EQ(run_program("async_check siblings").value_or(-100), 0);
    const auto after = io::call_pool_stats();
    CHECK(after.on_the_spot - before.on_the_spot >= 20);  // the 20 calls of forms that can finish did, on the spot
    CHECK(after.started - before.started >= 2);           // the ones that could not went to a coroutine
}

KTEST_BUDGET("hidden/split-sync-calls-that-wait-block-only-their-thread", kMultiHartBudget) {
    CHECK_EQ(run_program("async_check backpressure").value_or(-100), 0);
    CHECK_EQ(run_program("async_check early 64").value_or(-100), 0);
}

KTEST_BUDGET("hidden/split-three-processes-of-64-concurrent-reads", 2 * kMultiHartBudget) {
    proc::Pid pids[3];
    for (auto& pid : pids) {
        const auto p = proc::spawn("async_check many 64");
        HIDDEN_SETUP(p.ok());
        pid = p.value();
    }
    for (const auto& pid : pids) {
        sched::run_until([&] { return proc::has_ended(pid); });
        CHECK_EQ(proc::reap(pid).value_or(-100), 0);
    }
}

KTEST_BUDGET("hidden/post-a-ring-exactly-full-and-one-past", kMultiHartBudget) {
    CHECK_EQ(run_program("async_check ring 64").value_or(-100), 0);
    CHECK_EQ(run_program("async_check ring 65").value_or(-100), 0);
    CHECK_EQ(run_program("async_check ring 99").value_or(-100), 0);
}

KTEST_BUDGET("hidden/post-held-completions-of-an-ending-process-are-dropped", kMultiHartBudget) {
    const auto calls = io::call_pool_stats().in_use;
    const auto frames = io::call_pool_stats().frames_in_use;
    const auto ios = io::live_process_io();
    for (int i = 0; i < 5; ++i) {
        CHECK_EQ(run_program("async_check heldexit 90").value_or(-100), 0);
    }
    // A dropped call's record goes back first; its kernel coroutine then returns, giving
    // back its frame and its reference to the process's I/O state, a little later.
    sched::run_until([&] {
        const auto s = io::call_pool_stats();
        return s.in_use <= calls && s.frames_in_use <= frames && io::live_process_io() <= ios;
    });
    CHECK_EQ(io::call_pool_stats().in_use, calls);
    CHECK_EQ(io::live_process_io(), ios);
}

KTEST_BUDGET("hidden/post-a-parked-process-wakes-for-its-completion", kMultiHartBudget) {
    // The sibling sleeps (async) while every other coroutine waits: the process parks,
    // and only a completion can bring it back.
    CHECK_EQ(run_program("async_check siblings").value_or(-100), 0);
    CHECK_EQ(run_program("async_demo").value_or(-100), 0);
}

KTEST_BUDGET("hidden/split-disk-calls-in-both-forms-wait-for-the-device", kMultiHartBudget) {
    const auto started = io::call_pool_stats().started;
    CHECK_EQ(run_program("async_check disk").value_or(-100), 0);
    CHECK(io::call_pool_stats().started - started >= 8);  // every disk transfer waited for the device
}
