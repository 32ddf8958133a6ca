/// @file misuse_tests.cpp
/// @brief Wrong calls from interrupt context get errors, and the kernel goes on.
#include <atomic>

#include "cops/arch/trap.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/smp/hart.hpp"
#include "cops/smp/ipi.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;

namespace {
std::atomic<bool> g_finished{false};
sched::Cid g_gone{};
std::atomic<int> g_wake_result{-1};
arch::TrapHandler g_saved = nullptr;

sched::Task<void> short_lived() {
    g_finished = true;
    co_return;
}

void wake_the_dead(arch::TrapFrame& f) {
    g_saved(f);
    const Status s = sched::kernel_executor().wake(g_gone);
    g_wake_result = s.ok() ? 0 : static_cast<int>(s.error());
}

std::atomic<bool> g_after{false};
sched::Task<void> after() {
    g_after = true;
    co_return;
}
}  // namespace

KTEST("misuse/waking-a-finished-coroutine-from-an-interrupt") {
    g_finished = false;
    g_wake_result = -1;
    auto cid = sched::spawn(short_lived(), sched::Priority{10});
    REQUIRE(cid.ok());
    g_gone = cid.value();
    sched::run_until([] {
        return g_finished.load() && sched::kernel_executor().state(g_gone).value_or(sched::CoroutineState::Ready) ==
                                        sched::CoroutineState::Exit;
    });
    g_saved = arch::interrupt_handler(arch::Interrupt::Software);
    arch::set_interrupt_handler(arch::Interrupt::Software, wake_the_dead);
    smp::send_ipi(smp::this_hart().index);
    sched::run_until([] { return g_wake_result.load() != -1; });
    arch::set_interrupt_handler(arch::Interrupt::Software, g_saved);
    CHECK_EQ(g_wake_result.load(), static_cast<int>(Error::Finished));
    // The executor is unharmed: the next coroutine runs as usual.
    g_after = false;
    REQUIRE(sched::spawn(after(), sched::Priority{10}).ok());
    sched::run_until([] { return g_after.load(); });
    CHECK(g_after.load());
}

KTEST("misuse/garbage-cids-from-an-interrupt") {
    g_wake_result = -1;
    g_gone = sched::Cid{0xdead'beef'0000'0042ULL};
    g_saved = arch::interrupt_handler(arch::Interrupt::Software);
    arch::set_interrupt_handler(arch::Interrupt::Software, wake_the_dead);
    smp::send_ipi(smp::this_hart().index);
    sched::run_until([] { return g_wake_result.load() != -1; });
    arch::set_interrupt_handler(arch::Interrupt::Software, g_saved);
    CHECK_EQ(g_wake_result.load(), static_cast<int>(Error::UnknownCid));
}
