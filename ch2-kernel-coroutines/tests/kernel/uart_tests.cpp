/// @file uart_tests.cpp
/// @brief The UART awaitable reads what the test runner typed (serial_input.txt).
#include <atomic>
#include <string_view>

#include "cops/dev/timer.hpp"
#include "cops/dev/uart.hpp"
#include "cops/lib/console.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;

namespace {
// Must match tests/kernel/serial_input.txt, which the harness types at boot.
constexpr std::string_view kTyped = "cops: typed by the test runner";
char g_line[64];
std::atomic<unsigned> g_len{0};
std::atomic<bool> g_done{false};
std::atomic<bool> g_first_byte{false};

sched::Task<void> read_line() {
    unsigned n = 0;
    for (;;) {
        const char c = co_await dev::console_uart()->read();
        g_first_byte = true;
        if (c == '\n' || c == '\r' || n == sizeof g_line) {
            break;
        }
        g_line[n++] = c;
    }
    g_len = n;
    g_done = true;
}
}  // namespace

KTEST_BUDGET("uart/coroutine-reads-typed-line", 5'000'000'000) {
    REQUIRE(dev::console_uart() != nullptr);
    g_done = false;
    g_first_byte = false;
    REQUIRE(sched::spawn(read_line(), sched::Priority{10}).ok());
    // Ask the runner to type (it types serial_input.txt on each "#< type" line). QEMU
    // has been seen to drop console input now and then, so ask again until it arrives.
    for (unsigned attempt = 0; attempt < 20 && !g_first_byte.load(); ++attempt) {
        console::println("#< type (attempt {})", attempt + 1);
        const std::uint64_t until = dev::timer::now_ticks() + 50;
        sched::run_until([until] { return g_first_byte.load() || dev::timer::now_ticks() >= until; });
    }
    sched::run_until([] { return g_done.load(); });
    CHECK_EQ(std::string_view(g_line, g_len.load()), kTyped);
    CHECK_EQ(dev::console_uart()->dropped(), 0U);
}
