/// @file server_experiments.cpp
/// @brief The COPS paper's three server experiments (§5, figures 5–7), run in the
/// guest under -icount shift=0: the matrix server in each model against the guest's
/// load client (over 127.0.0.1 unless server.nics=1), every figure in one boot.
///
///     1. models vs connections: 15×15, period 100 ms, 8 levels, 1..128 connections
///     2. priorities: 64 connections in 8 levels, period 50 ms, the server's CPU
///        from well- to under-provisioned (work=K: each answer computed K times)
///     3. latency distribution: 64 connections in 4 levels, period 50 ms, overloaded
///     4. the memory table: what each model holds for 64 connections (the server
///        measures its own, labelled `mem-MODEL-PORT`)
///
/// The client prints its figures as bench lines labelled `exp1-MODEL-CONNS`,
/// `exp2-workK` and `exp3-workK`; harness/figures.py turns them into CSV files and
/// gnuplot figures. Boot argument `server.mode`: 1 is the short run that `make test`
/// checks, 2 (the default) the full one of `make bench CH=6`, 3 the hart-scaling
/// point that `make bench CH=6 SCALING=1` boots without -icount. Boot argument
/// `server.seed` (default 1) is the client's `seed=S`: `make bench CH=6 RUNS=K` boots
/// this K times, seeds 1 to K, and reports each point's median and range.
///
/// All four harts take work, and all share one virtual clock: under -icount a hart
/// adds no capacity (see docs/results.md), so what is compared is the cost of each
/// model's way of waiting, measured in the same boot.
#include <cstdint>
#include <span>
#include <string_view>

#include "cops/boot/boot_info.hpp"
#include "cops/lib/console.hpp"
#include "cops/lib/format.hpp"
#include "cops/net/stack.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/test/bench.hpp"

using namespace cops;

namespace {
/// A fresh port for every run (no run waits for another's TIME_WAIT).
unsigned g_next_port = 9000;
/// Over 127.0.0.1 (server.nics=0, the default) or across the two NICs (server.nics=1).
/// Loopback is the default: a frame between the NICs crosses QEMU's hub in its main
/// loop, outside the virtual clock, so when every hart idles the clock jumps to the
/// next tick before the frame lands: runs across the NICs repeat only roughly, and
/// their latencies carry that artefact (docs/results.md).
bool g_nics = false;
/// The client's seed=S (boot argument server.seed): which run of a repeated experiment.
std::uint64_t g_seed = 1;

/// One run: the server `matrix_server MODEL PORT CONNS work=K`, then the client with
/// the run's label; waits for the server to end.
/// With @p memory set, the server reports its memory (memory=...) and the client no figures.
void run_point(const char* model, unsigned connections, unsigned levels, unsigned period, unsigned duration,
               unsigned work, std::string_view label, bool memory = false) {
    const std::string_view m = model;
    const bool threads = m == "kcut" || m == "ktut" || m == "ktut-sleep";
    const unsigned port = g_next_port;
    g_next_port += 8;
    char server[128];
    char client[160];
    const auto s = lib::format_buffer(server, sizeof server - 1, "matrix_server {} {} {} work={}{}{}", model, port,
                                      connections, work, memory ? " memory=" : "", memory ? label : "");
    server[s.size()] = '\0';
    const auto c = lib::format_buffer(client, sizeof client - 1, "matrix_client {} 15 {} {} {} {} seed={}{}{}{}{}",
                                      connections, period, duration, levels, port, g_seed, g_nics ? " nics" : "",
                                      threads ? " threads" : "", memory ? "" : " label=", memory ? "" : label);
    client[c.size()] = '\0';
    const auto sockets = net::counters().sockets;
    const auto pid = proc::spawn(server);
    if (!pid.ok()) {
        console::println("server experiments: cannot start '{}'", server);
        return;
    }
    sched::run_until([&] { return net::counters().sockets > sockets || proc::has_ended(pid.value()); });
    const int status = proc::run_program(client).value_or(-100);
    sched::run_until([&] { return proc::has_ended(pid.value()); });
    const int server_status = proc::reap(pid.value()).value_or(-100);
    if (status != 0 || server_status != 0) {
        console::println("server experiments: {}: client status {}, server status {}", label, status, server_status);
    }
}
}  // namespace

BENCH("server/experiments") {
    const std::uint64_t mode = boot::bootarg_u64("server.mode", 2);
    if (mode == 3) {
        // 5. Hart scaling, on plain QEMU by the wall clock (harness/figures.py boots
        //    this with 1, 2 and 4 harts, several times each): a CPU-bound load.
        run_point("kcuc", 64, 8, 20, 2000, 16, "scale-kcuc");
        run_point("ktut", 64, 8, 20, 2000, 16, "scale-ktut");
        return;
    }
    const bool full = mode >= 2;
    g_nics = boot::bootarg_u64("server.nics", 0) != 0;
    g_seed = boot::bootarg_u64("server.seed", 1);
    if (g_seed == 0) {
        console::println("server experiments: server.seed=0 is not a seed (seeds count from 1); using 1");
        g_seed = 1;
    }
    const unsigned duration = full ? 5000 : 600;  // ticks (ms) of each run; the paper's runs took 5 s
    char label[48];
    const auto name = [&](std::string_view fmt, const auto&... args) {
        const auto v = lib::format_buffer(label, sizeof label, fmt, args...);
        return v;
    };
    // 1. The models against the number of connections.
    constexpr const char* kModels[] = {"kcuc", "ktuc", "kcut", "ktut", "ktut-sleep"};
    constexpr unsigned kFullConnections[] = {1, 2, 4, 8, 16, 32, 64, 96, 128};
    constexpr unsigned kShortConnections[] = {1, 64};
    for (const char* model : kModels) {
        for (unsigned n :
             full ? std::span<const unsigned>(kFullConnections) : std::span<const unsigned>(kShortConnections)) {
            run_point(model, n, 8, 100, duration, 1, name("exp1-{}-{}", model, n));
        }
    }
    // 2. Priorities: a slower and slower server CPU under the same load.
    constexpr unsigned kFullWork[] = {1, 4, 8, 16, 32};
    constexpr unsigned kShortWork[] = {1, 32};
    for (unsigned k : full ? std::span<const unsigned>(kFullWork) : std::span<const unsigned>(kShortWork)) {
        run_point("kcuc", 64, 8, 50, duration, k, name("exp2-work{}", k));
    }
    // 3. The latency distribution of four levels under overload.
    run_point("kcuc", 64, 4, 50, duration, 16, name("exp3-work{}", 16));
    // 4. The memory each model holds for 64 connections, measured by the server once
    //    every connection is up and idle (one request a second).
    for (const char* model : kModels) {
        run_point(model, 64, 8, 1000, 1500, 1, name("mem-{}", model), true);
    }
    const net::LwipSizes sizes = net::lwip_sizes();
    test::report("lwip_tcp_pcb", sizes.tcp_pcb, "bytes");
    test::report("lwip_tcp_pcb_listen", sizes.tcp_pcb_listen, "bytes");
    test::report("kernel_socket", sizes.socket, "bytes");
}
