/// @file priorities_and_preemption.cpp
/// @brief `make run CH=2`: a CPU-bound coroutine that never yields, preempted by the tick.
///
/// A low-priority "cruncher" computes without ever suspending. A high-priority
/// "ticker" sleeps one tick at a time; each time the timer wakes it, the interrupt
/// finds it more urgent than the cruncher, sets the cruncher aside (running-suspended)
/// and runs the ticker on another stack. The ticker prints what the cruncher is doing
/// at that moment. With INTERACTIVE=1 an echo coroutine also reads the serial console
/// through the UART awaitable until you type Ctrl-D.
#include <atomic>

#include "cops/arch/csr.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/dev/timer.hpp"
#include "cops/dev/uart.hpp"
#include "cops/lib/console.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/preemption.hpp"
#include "cops/sched/ps.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/time/sleep.hpp"

namespace {
using namespace cops;

std::atomic<bool> g_stop{false};
std::atomic<std::uint64_t> g_crunched{0};
std::atomic<unsigned> g_finished{0};
sched::Cid g_cruncher{};

sched::Task<void> cruncher() {
    // Never yields: only preemption lets anything else run on this hart.
    std::uint64_t x = 1;
    while (!g_stop.load(std::memory_order_relaxed)) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        g_crunched.fetch_add(1, std::memory_order_relaxed);
    }
    console::println("cruncher (priority 50): stopped after {} rounds (x={:#x})", g_crunched.load(), x & 0xffff);
    g_finished.fetch_add(1);
    co_return;
}

sched::Task<void> ticker() {
    for (int i = 1; i <= 5; ++i) {
        co_await time::sleep_for(2);
        const auto state = sched::kernel_executor().state(g_cruncher);
        console::println("ticker (priority 5): tick {} at {}, cruncher is {} after {} rounds", i,
                         dev::timer::now_ticks(), state ? sched::state_name(state.value()) : "gone", g_crunched.load());
    }
    console::println("ticker: the process table now:");
    sched::ps();
    g_stop.store(true);
    g_finished.fetch_add(1);
}

sched::Task<void> echo() {
    console::println("echo: type; Ctrl-D ends the demo");
    for (;;) {
        const char c = co_await dev::console_uart()->read();
        if (c == 4) {
            break;
        }
        const char out[2] = {c == '\r' ? '\n' : c, 0};
        console::write(out);
    }
    console::println("\necho: bye");
    g_finished.fetch_add(1);
}
}  // namespace

void app_main() {
    const bool interactive = boot::bootarg("interactive") == std::string_view("1");
    console::println("ch2 demo: {} hart(s), tick {} timebase units ({}), preemption by priority",
                     cops::boot::info().hart_count, dev::timer::period(),
                     dev::timer::uses_sstc() ? "Sstc" : "SBI timer");
    g_cruncher = sched::spawn(cruncher(), sched::Priority{50}).value();
    (void)sched::spawn(ticker(), sched::Priority{5});
    unsigned expected = 2;
    if (interactive && dev::console_uart() != nullptr) {
        (void)sched::spawn(echo(), sched::Priority{10});
        expected = 3;
    }
    sched::run_until([&] { return g_finished.load() == expected; });
    console::println("ch2 demo: done; {} preemptions", sched::preemption_count());
}
