/// @file net_hidden_tests.cpp
/// @brief Hidden tests of chapter 6: the receive path (kernel/net/virtio_net.cpp), the
/// wake from lwIP's callbacks (kernel/net/socket.cpp, on_receive) and accept
/// (kernel/net/socket.cpp, accept_once).
#include "../hidden_support.hpp"
#include "cops/dev/timer.hpp"
#include "cops/net/stack.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/sched/run_until.hpp"

using namespace cops;
using proc::run_program;

namespace {
/// Frames between the NICs cross QEMU's hub outside the virtual clock, and while every
/// hart waits the clock follows the host's: a loaded grading host stretches these
/// tests in virtual time, so they get four times a loopback test's budget.
constexpr std::uint64_t kAcrossTheNics = 4 * kMultiHartBudget;

/// Waits (bounded) until no socket is open: the previous test's connections closed.
void quiet() {
    const std::uint64_t until = dev::timer::now_ticks() + 200;
    sched::run_until([&] { return net::counters().sockets == 0 || dev::timer::now_ticks() >= until; });
}
}  // namespace

KTEST_BUDGET("hidden/rx-full-size-frames-arrive-and-none-is-dropped", kAcrossTheNics) {
    quiet();
    const net::NetCounters before = net::counters();
    CHECK_EQ(run_program("net_check bulk 65536").value_or(-100), 0);
    const net::NetCounters after = net::counters();
    CHECK_EQ(after.frames_dropped, before.frames_dropped);
}

KTEST_BUDGET("hidden/rx-buffers-are-posted-again-far-past-the-queue-size", kAcrossTheNics) {
    quiet();
    const net::NetCounters before = net::counters();
    CHECK_EQ(run_program("net_check bulk 524288").value_or(-100), 0);  // ~360 full frames, 64 buffers
    CHECK(net::counters().frames_in > before.frames_in + 300);
}

KTEST_BUDGET("hidden/rx-echo-across-the-nics-in-both-forms", kAcrossTheNics) {
    quiet();
    CHECK_EQ(run_program("net_check echo nics sync 32768").value_or(-100), 0);
    CHECK_EQ(run_program("net_check echo nics async 32768").value_or(-100), 0);
}

KTEST_BUDGET("hidden/callback-small-segments-arrive-in-order-then-end-of-file", kMultiHartBudget) {
    quiet();
    CHECK_EQ(run_program("net_check eof 3000").value_or(-100), 0);
}

KTEST_BUDGET("hidden/callback-a-blocked-sync-read-wakes-for-each-message", kMultiHartBudget) {
    quiet();
    CHECK_EQ(run_program("net_check echo loop sync 16384").value_or(-100), 0);
}

KTEST_BUDGET("hidden/callback-the-peer-reset-reaches-a-waiting-reader", kMultiHartBudget) {
    quiet();
    CHECK_EQ(run_program("net_check reset").value_or(-100), 0);
}

KTEST_BUDGET("hidden/accept-takes-the-oldest-waiting-connection-first", kMultiHartBudget) {
    quiet();
    CHECK_EQ(run_program("net_check accept-order 6").value_or(-100), 0);
}

KTEST_BUDGET("hidden/accept-async-blocks-only-its-coroutine-until-a-client-comes", kMultiHartBudget) {
    quiet();
    CHECK_EQ(run_program("net_check accept-waits").value_or(-100), 0);
}

KTEST_BUDGET("hidden/accept-with-the-fd-table-full-is-emfile-and-frees-the-connection", kMultiHartBudget) {
    quiet();
    CHECK_EQ(run_program("net_check accept-full").value_or(-100), 0);
    const std::uint64_t until = dev::timer::now_ticks() + 200;
    sched::run_until([&] { return net::counters().sockets == 0 || dev::timer::now_ticks() >= until; });
    CHECK_EQ(net::counters().sockets, 0U);
}

KTEST_BUDGET("hidden/accept-many-connections-in-a-row", kMultiHartBudget) {
    quiet();
    CHECK_EQ(run_program("net_check many 200").value_or(-100), 0);
}
