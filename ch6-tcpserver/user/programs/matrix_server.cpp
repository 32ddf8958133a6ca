/// @file matrix_server.cpp
/// @brief `matrix_server kcuc PORT CONNECTIONS`: the COPS paper's server (§5), in the
/// KCUC model: kernel coroutines carry the calls that wait (ch4), user coroutines
/// serve the connections.
///
/// Per connection three coroutines at the connection's priority (from its handshake),
/// joined by two user-space channels (ch2's sync::Channel, built into the user
/// library: no system call per queue operation, unlike the original's kernel mutex):
///
///     receiver: co_await recv -> lines -> matrices ─▶ requests ─▶ worker: A × A
///     sender:   co_await send <─ lines <─ responses <─────────────┘
///
/// It accepts CONNECTIONS connections, serves each until its client closes, prints
/// what it served per priority, and exits with the number of malformed requests.
/// (The other models of the paper — KCUT, KTUT, KTUC — come with chapter 6's second
/// part.)
#include <cstdint>
#include <new>
#include <string_view>

#include "cops/lib/parse.hpp"
#include "cops/sync/channel.hpp"
#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/matrix_protocol.hpp"
#include "cops/user/net.hpp"
#include "cops/user/print.hpp"

using namespace cops;
namespace async_sys = cops::user::async_sys;
namespace matrix = cops::user::matrix;

namespace {
/// Coroutine levels: connection priority p runs at kBaseLevel + p.
constexpr unsigned kBaseLevel = 16;
/// Matrices in flight per direction of one connection.
constexpr std::size_t kQueueDepth = 4;

/// One connection: its socket, its priority and its two queues.
struct Connection {
    int fd = -1;
    unsigned priority = 0;
    sync::Channel<matrix::Matrix*, kQueueDepth> requests;
    sync::Channel<matrix::Matrix*, kQueueDepth> responses;
    unsigned running = 3;             // coroutines of it still running
    char out[matrix::kMaxLine] = {};  // the sender's line (the kernel may read it after send() suspends)
};

unsigned g_open = 0;      // connections not finished yet
unsigned g_accepted = 0;  // connections accepted so far
std::uint64_t g_served[matrix::kLevels] = {};
unsigned g_malformed = 0;  // requests that could not be served (malformed, or no memory)

void coroutine_done(Connection& c) {
    if (--c.running == 0) {
        user::close(c.fd);
        delete &c;
        --g_open;
    }
}

sched::Task<void> receiver(Connection& c, matrix::LineReader* reader) {
    for (;;) {
        std::string_view line;
        bool too_long = false;
        if (reader->next_line(&line, &too_long)) {
            auto* m = new (std::nothrow) matrix::Matrix;
            if (m == nullptr || !matrix::parse(line, *m)) {
                ++g_malformed;
                delete m;
                break;
            }
            co_await c.requests.send(m);
            continue;
        }
        if (too_long) {
            ++g_malformed;
            break;
        }
        const long n = co_await async_sys::recv(c.fd, reader->space(), reader->room());
        if (n <= 0) {
            break;  // the client closed (or the connection failed)
        }
        reader->took(static_cast<std::size_t>(n));
    }
    delete reader;
    co_await c.requests.send(nullptr);  // the end, for the worker
    coroutine_done(c);
}

sched::Task<void> worker(Connection& c) {
    for (;;) {
        matrix::Matrix* a = co_await c.requests.receive();
        if (a == nullptr) {
            break;
        }
        auto* product = new (std::nothrow) matrix::Matrix;
        if (product != nullptr) {
            matrix::square(*a, *product);
            co_await c.responses.send(product);
        } else {
            ++g_malformed;  // no memory for the answer: the request is dropped (and counted)
        }
        delete a;
    }
    co_await c.responses.send(nullptr);
    coroutine_done(c);
}

sched::Task<void> sender(Connection& c) {
    bool failed = false;
    for (;;) {
        matrix::Matrix* m = co_await c.responses.receive();
        if (m == nullptr) {
            break;
        }
        if (failed) {
            delete m;  // the client is gone: drain, so the worker never waits on a full queue
            continue;
        }
        const std::size_t n = matrix::format(*m, c.out);
        delete m;
        const long w = co_await async_sys::send(c.fd, c.out, n);
        failed = w != static_cast<long>(n);
        g_served[c.priority] += failed ? 0 : 1;
    }
    coroutine_done(c);
}

/// The handshake, then the connection's three coroutines at its priority.
sched::Task<void> open_connection(int fd) {
    auto* reader = new (std::nothrow) matrix::LineReader;
    std::string_view line;
    bool too_long = false;
    bool greeted = false;
    while (reader != nullptr && !greeted && !too_long) {
        greeted = reader->next_line(&line, &too_long);
        if (greeted || too_long) {
            break;
        }
        const long n = co_await async_sys::recv(fd, reader->space(), reader->room());
        if (n <= 0) {
            break;
        }
        reader->took(static_cast<std::size_t>(n));
    }
    const bool hello = greeted && line.size() > 6 && line.substr(0, 6) == "HELLO ";
    const unsigned priority = hello ? static_cast<unsigned>(lib::parse_u64(line.substr(6), 0)) : matrix::kLevels;
    auto* c = priority < matrix::kLevels ? new (std::nothrow) Connection : nullptr;
    if (c == nullptr) {
        ++g_malformed;
        delete reader;
        user::close(fd);
        --g_open;
        co_return;
    }
    c->fd = fd;
    c->priority = priority;
    (void)user::set_no_delay(fd, true);
    (void)co_await async_sys::send(fd, "OK\n", 3);
    const sched::Priority level{static_cast<std::uint8_t>(kBaseLevel + priority)};
    user::spawn(receiver(*c, reader), level);
    user::spawn(worker(*c), level);
    user::spawn(sender(*c), level);
}

sched::Task<int> serve(std::uint16_t port, unsigned connections) {
    const long l = user::socket();
    if (l < 0 || user::bind(static_cast<int>(l), 0, port) != 0 || user::listen(static_cast<int>(l), 64) != 0) {
        user::println("matrix_server: cannot listen on port {}", port);
        co_return 1;
    }
    user::println("matrix_server: KCUC on port {}, waiting for {} connections", port, connections);
    g_open = connections;
    for (; g_accepted < connections; ++g_accepted) {
        const long c = co_await async_sys::accept(static_cast<int>(l));
        if (c < 0) {
            user::println("matrix_server: accept failed: {}", c);
            co_return 1;
        }
        user::spawn(open_connection(static_cast<int>(c)), sched::Priority{kBaseLevel});
    }
    user::close(static_cast<int>(l));
    while (g_open > 0) {
        (void)co_await async_sys::sleep(5);
    }
    std::uint64_t total = 0;
    for (unsigned p = 0; p < matrix::kLevels; ++p) {
        total += g_served[p];
        if (g_served[p] > 0) {
            user::println("matrix_server:   priority {}: {} responses", p, g_served[p]);
        }
    }
    user::println("matrix_server: {} responses to {} connections; {} malformed requests", total, connections,
                  g_malformed);
    co_return static_cast<int>(g_malformed);
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    const std::string_view model = argc > 1 ? argv[1] : "";
    const auto port = static_cast<std::uint16_t>(lib::parse_u64(argc > 2 ? argv[2] : "", 8000));
    const auto connections = static_cast<unsigned>(lib::parse_u64(argc > 3 ? argv[3] : "", 1));
    if (model != "kcuc") {
        user::println(
            "matrix_server: model '{}': this part of the kit has kcuc only (usage: matrix_server kcuc "
            "PORT CONNECTIONS)",
            model);
        co_return 2;
    }
    co_return co_await serve(port, connections);
}
