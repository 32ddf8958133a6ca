/// @file net_bench.cpp
/// @brief `net_bench CASE WHERE N`: chapter 6's costs in guest instructions (rdinstret),
/// printed as bench lines. The bench kernel runs it with only hart 0 taking work
/// (sched::Hart0Only), so hart 0's count holds everything: both ends, the kernel,
/// lwIP, the network coroutine and (across the NICs) both sides of the driver.
///
///     rtt async|sync loop|nics N   N round trips of a 64-byte message to an echo
///                                  server in this process (coroutines, or threads)
///     bulk N                       N bytes one way from NIC 0 to NIC 1: per KiB
///     connect N                    N connections opened, one byte each way, closed
#include <cstdint>
#include <string_view>

#include "cops/lib/parse.hpp"
#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/net.hpp"
#include "cops/user/print.hpp"
#include "cops/user/thread.hpp"

using namespace cops;
namespace async_sys = cops::user::async_sys;
namespace sys = cops::user::sys;

namespace {
constexpr std::uint16_t kPort = 7900;
constexpr std::size_t kMessage = 64;

void print_per(std::string_view metric, std::uint64_t total, std::uint64_t events) {
    const std::uint64_t n = events > 0 ? events : 1;
    user::println("# bench net/costs {} {}.{:02} insn", metric, total / n, total * 100 / n % 100);
}

long listener(std::uint32_t address) {
    const long l = user::socket();
    if (l < 0 || user::bind(static_cast<int>(l), address, kPort) != 0 || user::listen(static_cast<int>(l), 8) != 0) {
        return -1;
    }
    return l;
}

sched::Task<void> echo_coroutine(int l) {
    const long c = co_await async_sys::accept(l);
    char buf[256];
    for (;;) {
        const long n = co_await async_sys::recv(static_cast<int>(c), buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        (void)co_await async_sys::send(static_cast<int>(c), buf, static_cast<std::size_t>(n));
    }
    user::close(static_cast<int>(c));
}

long echo_thread(void* arg) {
    const long c = sys::accept(static_cast<int>(reinterpret_cast<std::intptr_t>(arg)));
    char buf[256];
    for (;;) {
        const long n = sys::recv(static_cast<int>(c), buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        (void)sys::send(static_cast<int>(c), buf, static_cast<std::size_t>(n));
    }
    user::close(static_cast<int>(c));
    return 0;
}

/// Reads exactly @p n bytes (async).
sched::Task<bool> recv_all(int fd, char* into, std::size_t n) {
    for (std::size_t got = 0; got < n;) {
        const long r = co_await async_sys::recv(fd, into + got, n - got);
        if (r <= 0) {
            co_return false;
        }
        got += static_cast<std::size_t>(r);
    }
    co_return true;
}

bool recv_all_sync(int fd, char* into, std::size_t n) {
    for (std::size_t got = 0; got < n;) {
        const long r = sys::recv(fd, into + got, n - got);
        if (r <= 0) {
            return false;
        }
        got += static_cast<std::size_t>(r);
    }
    return true;
}

sched::Task<int> case_rtt(bool async, bool nics, std::uint64_t rounds) {
    const std::uint32_t to = nics ? abi::nic_address(1) : abi::kLoopback;
    const long l = listener(to);
    if (l < 0) {
        co_return 1;
    }
    if (async) {
        user::spawn(echo_coroutine(static_cast<int>(l)), sched::Priority{20});
    } else if (user::thread_create(echo_thread, reinterpret_cast<void*>(static_cast<std::intptr_t>(l))) < 0) {
        co_return 1;
    }
    const long fd = user::socket();
    if (nics) {
        (void)user::bind(static_cast<int>(fd), abi::nic_address(0), 0);
    }
    long c;
    if (async) {
        c = co_await async_sys::connect(static_cast<int>(fd), to, kPort);
    } else {
        c = sys::connect(static_cast<int>(fd), to, kPort);
    }
    (void)user::set_no_delay(static_cast<int>(fd), true);
    char out[kMessage] = {};
    char in[kMessage];
    bool ok = c == 0;
    // One round first (ARP, windows), then the measured ones.
    const std::uint64_t start_at = 1;
    std::uint64_t start = 0;
    for (std::uint64_t i = 0; ok && i < rounds + start_at; ++i) {
        if (i == start_at) {
            start = user::instructions();
        }
        if (async) {
            // (No co_await inside a condition, && or ?: — GCC 12 miscompiles them: statements only.)
            const long w = co_await async_sys::send(static_cast<int>(fd), out, kMessage);
            const bool back = co_await recv_all(static_cast<int>(fd), in, kMessage);
            ok = w == static_cast<long>(kMessage) && back;
        } else {
            ok = sys::send(static_cast<int>(fd), out, kMessage) == static_cast<long>(kMessage) &&
                 recv_all_sync(static_cast<int>(fd), in, kMessage);
        }
    }
    const std::uint64_t spent = user::instructions() - start;
    user::close(static_cast<int>(fd));
    if (!ok) {
        user::println("net_bench: the round trips failed");
        co_return 1;
    }
    char metric[48];
    print_per(lib::format_buffer(metric, sizeof metric, "rtt-{}-{}", nics ? "nics" : "loop", async ? "async" : "sync"),
              spent, rounds);
    for (int i = 0; i < 100 && user::net_info(abi::NetInfo::Sockets) > 1; ++i) {
        (void)co_await async_sys::sleep(1);
    }
    user::close(static_cast<int>(l));
    co_return 0;
}

sched::Task<void> bulk_reader(int l, std::uint64_t n, bool* done) {
    const long c = co_await async_sys::accept(l);
    static char buf[8192];
    std::uint64_t got = 0;
    while (got < n) {
        const long r = co_await async_sys::recv(static_cast<int>(c), buf, sizeof buf);
        if (r <= 0) {
            break;
        }
        got += static_cast<std::uint64_t>(r);
    }
    user::close(static_cast<int>(c));
    *done = got == n;
}

sched::Task<int> case_bulk(std::uint64_t n) {
    const long l = listener(abi::nic_address(1));
    bool done = false;
    user::spawn(bulk_reader(static_cast<int>(l), n, &done), sched::Priority{20});
    const long fd = user::socket();
    (void)user::bind(static_cast<int>(fd), abi::nic_address(0), 0);
    const long c = co_await async_sys::connect(static_cast<int>(fd), abi::nic_address(1), kPort);
    static char data[16384];
    const std::uint64_t start = user::instructions();
    for (std::uint64_t sent = 0; c == 0 && sent < n;) {
        const std::uint64_t k = n - sent < sizeof data ? n - sent : sizeof data;
        const long w = co_await async_sys::send(static_cast<int>(fd), data, k);
        if (w != static_cast<long>(k)) {
            break;
        }
        sent += k;
    }
    user::close(static_cast<int>(fd));
    for (int i = 0; i < 1000 && !done; ++i) {
        (void)co_await async_sys::sleep(1);
    }
    const std::uint64_t spent = user::instructions() - start;
    if (!done) {
        user::println("net_bench: the bulk transfer failed");
        co_return 1;
    }
    print_per("bulk-nics-per-KiB", spent, n / 1024);
    user::close(static_cast<int>(l));
    co_return 0;
}

sched::Task<void> connect_server(int l, std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) {
        const long c = co_await async_sys::accept(l);
        char b;
        (void)co_await async_sys::recv(static_cast<int>(c), &b, 1);
        (void)co_await async_sys::send(static_cast<int>(c), &b, 1);
        user::close(static_cast<int>(c));
    }
}

sched::Task<int> case_connect(std::uint64_t n) {
    const long l = listener(0);
    user::spawn(connect_server(static_cast<int>(l), n), sched::Priority{20});
    const std::uint64_t start = user::instructions();
    for (std::uint64_t i = 0; i < n; ++i) {
        const long fd = user::socket();
        char b = 1;
        const long c = co_await async_sys::connect(static_cast<int>(fd), abi::kLoopback, kPort);
        if (c != 0) {
            user::println("net_bench: connect failed: {}", c);
            co_return 1;
        }
        (void)co_await async_sys::send(static_cast<int>(fd), &b, 1);
        (void)co_await async_sys::recv(static_cast<int>(fd), &b, 1);
        user::close(static_cast<int>(fd));
    }
    print_per("connect-send-close-loop", user::instructions() - start, n);
    user::close(static_cast<int>(l));
    co_return 0;
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    const std::string_view what = argc > 1 ? argv[1] : "";
    const std::string_view a2 = argc > 2 ? argv[2] : "";
    const std::string_view a3 = argc > 3 ? argv[3] : "";
    if (what == "rtt")
        co_return co_await case_rtt(a2 == "async", a3 == "nics", lib::parse_u64(argc > 4 ? argv[4] : "", 200));
    if (what == "bulk")
        co_return co_await case_bulk(lib::parse_u64(a2, 1 << 20));
    if (what == "connect")
        co_return co_await case_connect(lib::parse_u64(a2, 200));
    user::println("net_bench: unknown case '{}'", what);
    co_return 100;
}
