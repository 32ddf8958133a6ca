/// @file net_demo.cpp
/// @brief `make run CH=6`: TCP inside the guest, with system calls that block only a
/// coroutine.
///
/// 1. An echo server and a client, two coroutines of one process, talk over the
///    loopback interface (127.0.0.1) with the async calls.
/// 2. If the machine has two NICs (the repeatable setup), the same over the wire:
///    from NIC 0's address to NIC 1's, through the virtio-net driver both ways.
/// 3. With two NICs, the paper's matrix server in two models (KCUC and KTUT) under the
///    guest's load client, one row each of a comparison table.
/// 4. If it has one NIC (QEMU user networking, the host-reachable setup), it serves
///    HTTP on port 80 for a while; `make run CH=6` prints the host's address for it.
/// Exits 0 when everything came out as expected.
#include <cstring>

#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/net.hpp"
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"

using namespace cops;
namespace async_sys = cops::user::async_sys;

namespace {
int g_failures = 0;
int g_steps = 0;

void expect(bool ok, const char* what) {
    if (!ok) {
        user::println("net_demo: FAILED: {}", what);
        ++g_failures;
    }
}

constexpr std::uint16_t kEchoPort = 7;
bool g_server_ready = false;
bool g_done = false;

/// Echoes one connection, then ends.
sched::Task<void> echo_server(std::uint32_t address) {
    const long l = user::socket();
    expect(
        l >= 0 && user::bind(static_cast<int>(l), address, kEchoPort) == 0 && user::listen(static_cast<int>(l), 4) == 0,
        "the server listens");
    g_server_ready = true;
    const long c = co_await async_sys::accept(static_cast<int>(l));
    expect(c >= 0, "the server accepts");
    char buf[256];
    long total = 0;
    for (;;) {
        const long n = co_await async_sys::recv(static_cast<int>(c), buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        total += n;
        (void)co_await async_sys::send(static_cast<int>(c), buf, static_cast<std::size_t>(n));
    }
    user::println("net_demo:   server: echoed {} bytes, then the client closed", total);
    user::close(static_cast<int>(c));
    user::close(static_cast<int>(l));
}

/// A sibling that keeps running while the others wait on the network.
sched::Task<void> ticker() {
    while (!g_done) {
        ++g_steps;
        (void)co_await async_sys::sleep(1);
    }
}

sched::Task<bool> echo_round(const char* name, std::uint32_t from, std::uint32_t to) {
    g_server_ready = false;
    user::spawn(echo_server(to), sched::Priority{33});
    while (!g_server_ready) {
        (void)co_await async_sys::sleep(1);
    }
    const long fd = user::socket();
    if (from != 0) {
        (void)user::bind(static_cast<int>(fd), from, 0);
    }
    const int steps_before = g_steps;
    const long c = co_await async_sys::connect(static_cast<int>(fd), to, kEchoPort);
    expect(c == 0, "the client connects");
    static constexpr const char* kLines[] = {"stackless coroutines", "one shared scheduler", "lwIP in the kernel"};
    bool same = c == 0;
    for (const char* line : kLines) {
        const std::size_t n = std::strlen(line);
        char back[64] = {};
        (void)co_await async_sys::send(static_cast<int>(fd), line, n);
        std::size_t got = 0;
        while (got < n) {
            const long r = co_await async_sys::recv(static_cast<int>(fd), back + got, n - got);
            if (r <= 0) {
                break;
            }
            got += static_cast<std::size_t>(r);
        }
        user::println("net_demo:   client: sent '{}', got '{}' back", line, back);
        same = same && got == n && std::memcmp(back, line, n) == 0;
    }
    user::close(static_cast<int>(fd));
    for (int i = 0; i < 50 && user::net_info(abi::NetInfo::Sockets) > 1; ++i) {
        (void)co_await async_sys::sleep(1);  // let the server see the end and close
    }
    user::println("net_demo: {}: {} (a sibling coroutine ran {} steps meanwhile)", name,
                  same ? "every line came back" : "LINES DIFFER", g_steps - steps_before);
    co_return same;
}

/// One run of the paper's server in @p model against the guest's load client, the
/// client printing one row of the comparison (its connections retry while the
/// server starts).
void run_model(const char* server, const char* client) {
    const long s = user::spawn(server);
    const long c = s > 0 ? user::spawn(client) : -1;
    long client_status = -1;
    long server_status = -1;
    expect(c > 0 && user::wait(c, &client_status) == c && client_status == 0, "the load client's every answer");
    expect(s > 0 && user::wait(s, &server_status) == s && server_status == 0, "the server's clean exit");
}

/// The paper's server (§5) in two models, side by side: user coroutines over kernel
/// coroutines (KCUC) and user threads over kernel threads that retry (KTUT). The
/// load is exp1's at 64 connections (bench/server_experiments.cpp), in four levels.
void compare_models() {
    user::println("net_demo: the paper's matrix server, 64 connections in 4 priorities, each sending a 15x15");
    user::println("net_demo: request every 100 ms for 600 ms, across the NICs, in two models:");
    user::println("matrix_client: model responses   mean-us     sd-us   responses by priority 0/1/2/3");
    run_model("matrix_server kcuc 7100 64", "matrix_client 64 15 100 600 4 7100 nics row=KCUC");
    run_model("matrix_server ktut 7200 64", "matrix_client 64 15 100 600 4 7200 nics threads row=KTUT");
    user::println("net_demo: (the wall clock of this QEMU run, so the figures vary from run to run; `make bench");
    user::println("net_demo: CH=6` counts instructions under -icount, and docs/results.md compares the two)");
}

sched::Task<void> serve_http(unsigned requests) {
    const long l = user::socket();
    expect(l >= 0 && user::bind(static_cast<int>(l), 0, 80) == 0 && user::listen(static_cast<int>(l), 8) == 0,
           "the HTTP server listens");
    user::println("net_demo: serving HTTP on port 80 for {} requests (try curl from the host)", requests);
    for (unsigned i = 0; i < requests; ++i) {
        const long c = co_await async_sys::accept(static_cast<int>(l));
        if (c < 0) {
            break;
        }
        char request[1024];
        const long r = co_await async_sys::recv(static_cast<int>(c), request, sizeof request);
        static constexpr char kReply[] =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 27\r\nConnection: close\r\n\r\n"
            "hello from the COPS kernel\n";
        if (r > 0) {
            (void)co_await async_sys::send(static_cast<int>(c), kReply, sizeof kReply - 1);
        }
        user::println("net_demo:   HTTP request {} answered", i + 1);
        user::close(static_cast<int>(c));
    }
    user::close(static_cast<int>(l));
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    const long nics = user::net_info(abi::NetInfo::Nics);
    user::println("net_demo: the kernel's stack has {} NIC(s) and the loopback interface", nics);
    user::spawn(ticker(), sched::Priority{40});
    const bool loop_ok = co_await echo_round("loopback 127.0.0.1", 0, abi::kLoopback);
    expect(loop_ok, "the loopback echo");
    if (nics >= 2) {
        const bool wire_ok =
            co_await echo_round("NIC 0 -> NIC 1 over the wire", abi::nic_address(0), abi::nic_address(1));
        expect(wire_ok, "the echo across the NICs");
        user::println("net_demo: frames: {} sent, {} received, {} dropped", user::net_info(abi::NetInfo::FramesOut),
                      user::net_info(abi::NetInfo::FramesIn), user::net_info(abi::NetInfo::FramesDropped));
    } else if (nics == 1 && argc > 1 && std::strcmp(argv[1], "http") == 0) {
        co_await serve_http(argc > 2 ? static_cast<unsigned>(argv[2][0] - '0') : 3);
    }
    if (nics >= 2) {
        compare_models();
    }
    g_done = true;
    user::println("net_demo: {}", g_failures == 0 ? "all as expected" : "something went wrong");
    co_return g_failures == 0 ? 0 : 1;
}
