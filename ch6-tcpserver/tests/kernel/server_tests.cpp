/// @file server_tests.cpp
/// @brief Chapter 6: the paper's matrix server (KCUC and KCUT) under the guest's own load
/// client, over the loopback interface and across the two NICs.
#include "cops/abi/syscall_numbers.hpp"
#include "cops/net/io_models.hpp"
#include "cops/net/stack.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;

namespace {
constexpr std::uint64_t kBudget = 4'000'000'000;

/// Runs @p server (`matrix_server MODEL PORT CONNECTIONS`), then @p client; both must exit 0.
void serve_and_load(const char* server, const char* client) {
    const auto pid = proc::spawn(server);
    REQUIRE(pid.ok());
    sched::run_until([] { return net::counters().sockets > 0; });  // it listens
    CHECK_EQ(proc::run_program(client).value_or(-100), 0);         // every answer right
    sched::run_until([&] { return proc::has_ended(pid.value()); });
    CHECK_EQ(proc::reap(pid.value()).value_or(-100), 0);  // every request well formed
}
}  // namespace

KTEST_BUDGET("server/kcuc-answers-every-15x15-request-of-4-connections-over-loopback", kBudget) {
    serve_and_load("matrix_server kcuc 8000 4", "matrix_client 4 15 20 200 4 8000");
}

KTEST_BUDGET("server/kcuc-answers-8-connections-in-8-priorities-across-the-nics", kBudget) {
    serve_and_load("matrix_server kcuc 8001 8", "matrix_client 8 15 10 200 8 8001 nics");
}

KTEST_BUDGET("server/kcut-answers-8-connections-with-a-thread-each-across-the-nics", kBudget) {
    serve_and_load("matrix_server kcut 8002 8", "matrix_client 8 15 10 200 8 8002 nics");
}

KTEST_BUDGET("server/kcuc-answers-32-connections-over-loopback-with-a-1-mib-heap", kBudget) {
    serve_and_load("matrix_server kcuc 8003 32", "matrix_client 32 15 20 150 8 8003");
}

KTEST_BUDGET("server/ktuc-answers-8-connections-over-the-polling-kernel-thread", kBudget) {
    const std::uint64_t sweeps = net::io_model_counters().sweeps;
    serve_and_load("matrix_server ktuc 8004 8", "matrix_client 8 15 10 200 8 8004 nics");
    CHECK(net::io_model_counters().sweeps > sweeps);  // its calls were woken by sweeps
}

KTEST_BUDGET("server/ktut-answers-8-connections-with-threads-that-retry", kBudget) {
    const std::uint64_t retries = net::io_model_counters().retries;
    serve_and_load("matrix_server ktut 8005 8", "matrix_client 8 15 10 200 8 8005 nics threads");
    CHECK(net::io_model_counters().retries > retries);  // its threads tried again
}

KTEST_BUDGET("server/ktut-sleep-answers-8-connections-with-threads-that-sleep-on-the-socket", kBudget) {
    const std::uint64_t retries = net::io_model_counters().retries;
    serve_and_load("matrix_server ktut-sleep 8006 8", "matrix_client 8 15 10 200 8 8006 nics threads");
    CHECK(net::io_model_counters().retries > retries);
}

KTEST_BUDGET("server/kcut-spreads-40-connections-over-two-processes-of-31-threads", kBudget) {
    serve_and_load("matrix_server kcut 8010 40", "matrix_client 40 15 20 150 8 8010 threads");
}

KTEST_BUDGET("server/kcuc-answers-128-connections-with-three-coroutines-each", kBudget) {
    // 385 coroutines in the server, 128 calls waiting at once in each process, 256
    // sockets: past the defaults of the user executor, the call share and lwIP's pools.
    serve_and_load("matrix_server kcuc 8011 128", "matrix_client 128 15 100 300 8 8011");
}

KTEST_BUDGET("server/kcuc-and-ktut-answer-http-gets-on-a-kept-alive-connection", kBudget) {
    // One HTTP connection to each: a coroutine model and a thread model (matrix_check http).
    serve_and_load("matrix_server kcuc 8012 1", "matrix_check http 8012");
    serve_and_load("matrix_server ktut 8013 1", "matrix_check http 8013");
}

KTEST_BUDGET("server/kcuc-cuts-lines-from-requests-in-many-pieces-and-two-in-one-send", kBudget) {
    // A read is not a message: the handshake comes in four pieces, a request in nine,
    // then two requests in one send (matrix_check pieces PORT PIECES).
    serve_and_load("matrix_server kcuc 8014 1", "matrix_check pieces 8014 9");
}

KTEST_BUDGET("server/an-overloaded-kcuc-server-serves-priority-0-more-than-its-last-level", kBudget) {
    // 12 connections in 3 levels against a server CPU 48 times slower: the client fails
    // unless priority 0 got more responses than priority 2 (check-priorities).
    serve_and_load("matrix_server kcuc 8015 12 work=48", "matrix_client 12 15 10 300 3 8015 check-priorities");
}
