/// @file server_hidden_tests.cpp
/// @brief Hidden tests of chapter 6's server (user/programs/matrix_server.cpp): the
/// three per-connection coroutines (framing across reads, a malformed request) and
/// the priority from the handshake (an overloaded server favours priority 0).
#include "../hidden_support.hpp"
#include "cops/net/stack.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/sched/run_until.hpp"

using namespace cops;
using proc::run_program;

namespace {
constexpr std::uint64_t kBudget = 3'000'000'000;

/// Starts @p server and waits until it listens (or has ended).
Result<proc::Pid> start_server(const char* server) {
    const auto sockets = net::counters().sockets;
    auto pid = proc::spawn(server);
    if (pid.ok()) {
        sched::run_until([&] { return net::counters().sockets > sockets || proc::has_ended(pid.value()); });
    }
    return pid;
}

/// Waits for @p pid to end; its exit status.
int server_status(proc::Pid pid) {
    sched::run_until([&] { return proc::has_ended(pid); });
    return proc::reap(pid).value_or(-100);
}
}  // namespace

KTEST_BUDGET("hidden/server-frames-requests-sent-in-pieces-and-two-in-one-send", kBudget) {
    const auto pid = start_server("matrix_server kcuc 8100 1");
    REQUIRE(pid.ok());
    CHECK_EQ(run_program("matrix_check pieces 8100").value_or(-100), 0);
    CHECK_EQ(server_status(pid.value()), 0);
}

KTEST_BUDGET("hidden/server-a-malformed-request-closes-only-its-own-connection", kBudget) {
    const auto pid = start_server("matrix_server kcuc 8101 2");
    REQUIRE(pid.ok());
    CHECK_EQ(run_program("matrix_check malformed 8101").value_or(-100), 0);
    CHECK_EQ(run_program("matrix_client 1 15 10 100 1 8101").value_or(-100), 0);  // served as before
    CHECK_EQ(server_status(pid.value()), 1);                                      // one malformed request
}

KTEST_BUDGET("hidden/server-priorities-an-overloaded-server-favours-priority-0", kBudget) {
    const auto pid = start_server("matrix_server kcuc 8102 16 work=64");
    REQUIRE(pid.ok());
    CHECK_EQ(run_program("matrix_client 16 15 10 400 4 8102 check-priorities").value_or(-100), 0);
    CHECK_EQ(server_status(pid.value()), 0);
}
