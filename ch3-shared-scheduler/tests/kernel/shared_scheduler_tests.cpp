/// @file shared_scheduler_tests.cpp
/// @brief The shared scheduler: one executor code for kernel and processes, the global
/// view's order between processes and kernel coroutines, ceilings, hostile summaries,
/// and alloc_cpu.
#include "cops/abi/syscall_numbers.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/kernel_space.hpp"
#include "cops/mm/user_layout.hpp"
#include "cops/proc/global_view.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/proc/shared_scheduler_pages.hpp"
#include "cops/proc/switching_coroutine.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/sched/suspend.hpp"
#include "cops/smp/hart.hpp"
#include "cops/test/ktest.hpp"
#include "cops/test/process_probe.hpp"

using namespace cops;
using proc::run_program;

#pragma GCC diagnostic ignored "-Wpmf-conversions"

namespace {
constexpr std::uint64_t kMultiHart = 2'000'000'000;
constexpr sched::Priority kOpenCeiling{1};  // lets test programs use levels below 32

std::int64_t reap_when_ended(proc::Pid pid) {
    sched::run_until([&] { return proc::has_ended(pid); });
    return proc::reap(pid).value_or(-100);
}
}  // namespace

KTEST_BUDGET("shared/the-kernel-and-processes-run-the-same-executor-code", kMultiHart) {
    const proc::VdsoImage image = proc::vdso_image();
    const auto run_once = mm::physical_of(reinterpret_cast<const void*>(
        reinterpret_cast<std::uintptr_t>((bool (*)(sched::Executor*))(&sched::Executor::run_once))));
    CHECK(image.end > image.start);
    CHECK(run_once >= image.start && run_once < image.end);  // the kernel calls the blob
    const auto pid = proc::spawn("vdso_check");
    REQUIRE(pid.ok());
    CHECK_EQ(reap_when_ended(pid.value()), 0);  // it found its executor calls inside kVdsoBase
    CHECK_EQ(run_program("vdso_check write").value_or(-100), abi::kStatusFault);  // shared code is read-only
}

KTEST_BUDGET("shared/user-vdso-pages-are-the-kernel-pages", kMultiHart) {
    const proc::VdsoImage image = proc::vdso_image();
    proc::Process probe;
    REQUIRE(probe.space.init(mm::frames(), mm::kernel_page_table()).ok());
    REQUIRE(proc::map_shared_scheduler(probe).ok());
    for (std::uintptr_t off = 0; off < image.end - image.start; off += 4096) {
        const auto t = probe.space.translate(mm::kVdsoBase + off);
        REQUIRE(t.has_value());
        CHECK_EQ(t->physical, image.start + off);
        CHECK(t->flags.has(mm::PteFlag::Execute) && !t->flags.has(mm::PteFlag::Write));
    }
    const auto view = probe.space.translate(mm::kGlobalViewAddress);
    REQUIRE(view.has_value());
    CHECK_EQ(view->physical, proc::global_view_frame());
    CHECK(!view->flags.has(mm::PteFlag::Write));
    const std::size_t free_before = mm::frames().free_count();
    probe.space.destroy();  // the shared pages stay; the executor page and tables go
    CHECK(mm::frames().free_count() > free_before);
}

KTEST_BUDGET("shared/a-more-urgent-coroutine-in-another-process-runs-first", kMultiHart) {
    sched::Hart0Only one_hart;
    // Started in this order, both first wait at their ceiling; after one trap each,
    // the kernel knows their levels: 10 must end before 50 (FIFO would be the reverse).
    // A tick during start-up shows the runtime's level 32 at worst, still ahead of 50.
    const auto low = proc::spawn("prio_child 50", nullptr, kOpenCeiling);
    const auto high = proc::spawn("prio_child 10", nullptr, kOpenCeiling);
    REQUIRE(low.ok() && high.ok());
    sched::run_until([&] { return proc::has_ended(low.value()) || proc::has_ended(high.value()); });
    CHECK(proc::has_ended(high.value()));
    CHECK(!proc::has_ended(low.value()));
    CHECK_EQ(reap_when_ended(high.value()), 10);
    CHECK_EQ(reap_when_ended(low.value()), 50);
}

KTEST_BUDGET("shared/raising-a-coroutine-priority-makes-its-process-run-next", kMultiHart) {
    sched::Hart0Only one_hart;
    // `other` sits at 40, less urgent than the runtime's start level (32): a tick while
    // raise_prio starts up cannot put it behind `other`. Without the raise, raise_prio
    // would be at 50 and `other` would end first.
    const auto other = proc::spawn("prio_child 40", nullptr, kOpenCeiling);
    const auto raiser = proc::spawn("raise_prio", nullptr, kOpenCeiling);
    REQUIRE(other.ok() && raiser.ok());
    sched::run_until([&] { return proc::has_ended(other.value()) || proc::has_ended(raiser.value()); });
    CHECK(proc::has_ended(raiser.value()));
    CHECK_EQ(reap_when_ended(raiser.value()), 5);  // the raised coroutine ran, at level 5
    CHECK_EQ(reap_when_ended(other.value()), 40);
}

KTEST_BUDGET("shared/a-kernel-coroutine-of-higher-priority-preempts-processes", kMultiHart) {
    sched::Hart0Only one_hart;
    const auto spin = proc::spawn("spinner");
    REQUIRE(spin.ok());
    sched::run_until(
        [&] { return proc::global_view_stats().dispatches > 0 && proc::has_ended(spin.value()) == false; });
    static bool ran;
    ran = false;
    auto urgent = []() -> sched::Task<void> {
        ran = true;
        co_return;
    };
    REQUIRE(sched::spawn(urgent(), sched::Priority{5}).ok());
    sched::run_until([] { return ran; });  // the spinner never yields: the tick preempts it
    CHECK(ran);
    REQUIRE(proc::kill(spin.value()).ok());
    CHECK_EQ(reap_when_ended(spin.value()), abi::kStatusKilled);
}

KTEST_BUDGET("shared/a-spinning-low-priority-process-cannot-starve-a-higher-one", kMultiHart) {
    sched::Hart0Only one_hart;
    const auto spin = proc::spawn("spinner");  // level 32, never yields
    REQUIRE(spin.ok());
    const auto high = proc::spawn("prio_child 10", nullptr, kOpenCeiling);
    REQUIRE(high.ok());
    CHECK_EQ(reap_when_ended(high.value()), 10);
    CHECK(!proc::has_ended(spin.value()));
    REQUIRE(proc::kill(spin.value()).ok());
    CHECK_EQ(reap_when_ended(spin.value()), abi::kStatusKilled);
}

KTEST_BUDGET("shared/ceilings-and-garbage-summaries-fail-safely", kMultiHart) {
    // Claiming level 0 gets the ceiling: 32 by default, 40 for a process started at 40.
    CHECK_EQ(run_program("sched_attack summary").value_or(-100), 32);
    const auto low = proc::spawn("sched_attack summary", nullptr, sched::Priority{40});
    REQUIRE(low.ok());
    CHECK_EQ(reap_when_ended(low.value()), 40);
    // A page of random bytes: the kernel folds it to a valid level and carries on.
    const std::int64_t level = run_program("sched_attack page").value_or(-100);
    CHECK(level >= 32 && level < 64);
    CHECK_EQ(run_program("sched_attack ceiling").value_or(-100), 0);
    CHECK_EQ(run_program("hello").value_or(-100), 0);
    // The fold itself: any bytes give a level within [ceiling, 63].
    proc::ExecutorSummary s;
    s.ready_bits = 0;
    for (auto& r : s.running) {
        r = sched::kNoLevel;
    }
    CHECK_EQ(proc::process_level(s, sched::Priority{32}).level, 32);  // nothing known: the ceiling
    s.ready_bits = 1ULL << 50;
    CHECK_EQ(proc::process_level(s, sched::Priority{32}).level, 50);
    s.running[3] = 40;
    CHECK_EQ(proc::process_level(s, sched::Priority{32}).level, 40);
    s.running[0] = 200;  // garbage is ignored
    CHECK_EQ(proc::process_level(s, sched::Priority{32}).level, 40);
    s.ready_bits = 1;  // level 0 claimed
    CHECK_EQ(proc::process_level(s, sched::Priority{32}).level, 32);
}

KTEST_BUDGET("shared/alloc-cpu-runs-one-process-on-two-harts", kMultiHart) {
    CHECK_EQ(run_program("two_cpus").value_or(-100), 2);
}

KTEST_BUDGET("shared/the-switching-coroutine-dispatches-and-the-view-is-published", kMultiHart) {
    const std::uint64_t before = proc::switcher_dispatches();
    const std::uint64_t folds = proc::global_view_stats().folds;
    CHECK_EQ(run_program("hello").value_or(-100), 0);
    CHECK(proc::switcher_dispatches() > before);
    CHECK(proc::global_view_stats().folds > folds);
    CHECK(static_cast<bool>(proc::switcher_cid()));
}

KTEST_BUDGET("shared/after-a-dispatch-the-switcher-steps-down-to-the-next-waiting-level", kMultiHart) {
    sched::Hart0Only one_hart;
    // The ceilings fix the levels: whatever these programs run is clamped to 40 and 50.
    const auto slow = proc::spawn("exit_with 50", nullptr, sched::Priority{50});
    REQUIRE(slow.ok());
    sched::run_until([] { return test::waiting_level() == 50; });  // its thread waits; nothing has run since
    const auto fast = proc::spawn("exit_with 40", nullptr, sched::Priority{40});
    REQUIRE(fast.ok());
    // Two kernel coroutines: one between the processes' levels, one below both.
    static test::ViewSighting between, below;
    between.ran.store(false);
    below.ran.store(false);
    REQUIRE(sched::spawn(test::look_at_view(&between, fast.value(), slow.value()), sched::Priority{45}).ok());
    REQUIRE(sched::spawn(test::look_at_view(&below, fast.value(), slow.value()), sched::Priority{55}).ok());
    sched::run_until([] { return below.ran.load(std::memory_order_acquire); });
    // The switcher gave the CPU to `fast` (40), then took `slow`'s level (50): the
    // coroutine at 45 ran before it could hand `slow` a CPU. A switcher still at 40
    // would have dispatched `slow` first; one that dropped below 55 would have left
    // it waiting behind the coroutine at 55.
    CHECK(between.first_ended);
    CHECK(!between.second_ended);
    CHECK_EQ(between.waiting, 50);   // `slow` still waits...
    CHECK_EQ(between.switcher, 50);  // ...and the switcher sits at its level
    CHECK(below.second_ended);       // `slow` (50) ran before the coroutine at 55
    CHECK_EQ(reap_when_ended(fast.value()), 40);
    CHECK_EQ(reap_when_ended(slow.value()), 50);
}

KTEST_BUDGET("shared/a-thread-dispatched-after-its-process-moved-runs-at-the-new-level", kMultiHart) {
    sched::Hart0Only one_hart;
    const auto pid = proc::spawn("prio_child 50", nullptr, kOpenCeiling);
    REQUIRE(pid.ok());
    proc::Process* p = test::last_created_process();
    REQUIRE(p != nullptr);
    // Its worker's yield showed the kernel level 50, and its thread waits there.
    sched::run_until([] { return test::waiting_level() == 50; });
    const proc::UserThread* thread = p->threads[0];
    REQUIRE(thread != nullptr);
    const std::uint64_t traps = thread->user_traps;
    static test::ViewSighting kernel;
    kernel.ran.store(false);
    REQUIRE(sched::spawn(test::look_at_view(&kernel, pid.value(), pid.value(), thread), sched::Priority{30}).ok());
    // While the thread waits, work for level 20 arrives from outside its executor (as a
    // finished system call makes it in ch4): the process moves up to 20.
    proc::make_runnable(*p, sched::Priority{20});
    CHECK_EQ(test::waiting_level(), 20);
    sched::run_until([] { return kernel.ran.load(std::memory_order_acquire); });
    // Dispatched at 20, the thread went back to user mode before the coroutine at 30
    // ran (its next trap folds 50 again, and a tick may then rightly let the coroutine
    // in first). Left at the level it waited at (50), it would have run after it.
    CHECK(kernel.user_traps > traps);
    CHECK_EQ(reap_when_ended(pid.value()), 50);
}

KTEST("shared/the-fold-skips-only-what-has-not-changed") {
    // A probe process (address space and executor page, no thread running): its summary
    // moves through a pseudo-random walk with repeats and A-B-A returns, and the ceiling
    // moves too. After every step the fold must give exactly the level process_level()
    // gives for what the page holds now, and skip the work only when nothing changed.
    proc::Process probe;
    REQUIRE(probe.space.init(mm::frames(), mm::kernel_page_table()).ok());
    REQUIRE(proc::map_shared_scheduler(probe).ok());
    auto* page = const_cast<std::uint8_t*>(probe.executor_page);
    auto* ready = reinterpret_cast<std::uint64_t*>(page + sched::ExecutorSummaryLayout::kReadyBitsOffset);
    std::uint8_t* running = page + sched::ExecutorSummaryLayout::kRunningLevelOffset;
    for (unsigned h = 0; h < sched::kMaxHarts; ++h) {
        running[h] = sched::kNoLevel;
    }
    probe.ceiling = sched::Priority{4};
    proc::UserThread thread;
    thread.process = &probe;
    *ready = 0;
    (void)proc::fold(thread);

    std::uint64_t seed = 12345;
    unsigned skipped = 0;
    unsigned folded = 0;
    proc::ExecutorSummary last = proc::read_summary(probe);
    std::uint8_t last_ceiling = probe.ceiling.level;
    for (unsigned step = 0; step < 600; ++step) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        const unsigned what = static_cast<unsigned>(seed >> 60);  // 0..15
        const auto level = static_cast<std::uint8_t>((seed >> 40) % 64);
        if (what < 5) {
            *ready = (seed >> 20) & ((seed >> 2) | (1ULL << level));  // a new bitmap
        } else if (what < 7) {
            *ready ^= 1ULL << level;  // one bit flips...
            if (what == 6) {
                (void)proc::fold(thread);
                *ready ^= 1ULL << level;  // ...and flips back (A-B-A between two folds)
            }
        } else if (what < 10) {
            running[(seed >> 8) % sched::kMaxHarts] = (what == 9) ? sched::kNoLevel : level;
        } else if (what == 10) {
            probe.ceiling = sched::Priority{static_cast<std::uint8_t>(level % 40)};
        }  // 11..15: nothing changes
        const proc::ExecutorSummary now = proc::read_summary(probe);
        const bool same = now.ready_bits == last.ready_bits && __builtin_memcmp(now.running, last.running, 8) == 0 &&
                          probe.ceiling.level == last_ceiling;
        const proc::GlobalViewStats before = proc::global_view_stats();
        const sched::Priority got = proc::fold(thread);
        const proc::GlobalViewStats after = proc::global_view_stats();
        CHECK_EQ(got.level, proc::process_level(now, probe.ceiling).level);
        CHECK_EQ(probe.level.level, got.level);
        if (!same) {
            CHECK_EQ(after.folds, before.folds + 1);  // a change is never skipped
            ++folded;
        } else if (after.unchanged == before.unchanged + 1) {
            ++skipped;
        }
        last = now;
        last_ceiling = probe.ceiling.level;
    }
    CHECK(folded > 100);
    CHECK(skipped > 100);  // and an unchanged summary is (nearly always) skipped
    probe.space.destroy();
}
