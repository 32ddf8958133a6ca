/// @file matrix_server.cpp
/// @brief `matrix_server MODEL PORT CONNECTIONS [work=K] [memory=LABEL]`: the COPS paper's server (§5) in
/// its four models and a fifth baseline, picked at start:
///
///     model        user side                      kernel side of a call that waits
///     kcuc         coroutines, async calls        a kernel coroutine (ch4)
///     ktuc         coroutines, async calls        one polling kernel thread's sweeps
///     kcut         a thread per connection, sync  a kernel coroutine (ch4)
///     ktut         a thread per connection, sync  the thread retries, yielding between tries
///     ktut-sleep   a thread per connection, sync  the thread sleeps on the socket itself
///
/// The kernel side is set with set_io_model() (cops/net/io_models.hpp says how each works).
/// In every model a connection whose first line is an HTTP request is served
/// as HTTP/1.1 instead (matrix_http.hpp: `GET /square?n=N&seed=S`, keep-alive), so
/// curl and wrk reach the same server from the host.
/// `work=K` computes each answer K times: a server CPU K times slower, which is how
/// the priority experiment goes from well- to under-provisioned (under -icount, more
/// harts add no capacity). `memory=LABEL` prints, once every connection is up, the
/// memory the process holds for them (user heap and stacks, the kernel's records of
/// its waiting calls and threads) as bench lines `LABEL-PORT ...`.
///
/// **KCUC** (kernel coroutines, user coroutines): kernel coroutines carry the calls
/// that wait (ch4); user coroutines serve the connections. KTUC is the same program
/// over the polling kernel thread.
///
/// Per connection three coroutines at the connection's priority (from its handshake),
/// joined by two user-space channels (ch2's sync::Channel, built into the user
/// library: no system call per queue operation, unlike the original's kernel mutex):
///
///     receiver: co_await recv -> lines -> matrices ─▶ requests ─▶ worker: A × A
///     sender:   co_await send <─ lines <─ responses <─────────────┘
///
/// **KCUT** (kernel coroutines, user threads): one user thread per connection makes
/// sync calls (the thread blocks; the kernel side is the same coroutine) and does
/// receive → multiply → send in turn. Threads have no per-connection priority.
///
/// The thread models (kcut, ktut, ktut-sleep) serve at most 31 connections per process
/// (a process has 32 threads): for more, the first process spawns one more per 31 on
/// the next ports (matrix::ports_for_threads), and the client spreads its connections.
///
/// It accepts CONNECTIONS connections, serves each until its client closes, prints
/// what it served per priority, and exits with the number of malformed requests.
#include <cstdint>
#include <new>
#include <string_view>

#include "cops/lib/format.hpp"
#include "cops/lib/parse.hpp"
#include "cops/sync/channel.hpp"
#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/heap.hpp"
#include "cops/user/matrix_http.hpp"
#include "cops/user/matrix_protocol.hpp"
#include "cops/user/net.hpp"
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"
#include "cops/user/thread.hpp"

using namespace cops;

// Up to 160 connections of about 8 KiB each: a heap of 2 MiB instead of the default 128 KiB.
COPS_USER_HEAP_BYTES(2 << 20);
// Three coroutines per connection, and one more while a connection says hello.
constexpr std::uint32_t kCoroutines = 640;
COPS_USER_COROUTINES(kCoroutines);
namespace async_sys = cops::user::async_sys;
namespace matrix = cops::user::matrix;
namespace http = cops::user::matrix::http;

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

unsigned g_work = 1;              // work=K: each answer is computed K times (a K times slower CPU)
std::string_view g_memory_label;  // memory=LABEL: report the memory held once every connection is up
std::size_t g_heap_before = 0;    // user heap bytes in use before the first connection
/// Ticks after the last accept at which the memory is measured (every connection is idle then).
constexpr std::uint64_t kMemoryDelay = 200;
unsigned g_open = 0;              // connections not finished yet
std::uint64_t g_http_served = 0;  // HTTP requests answered with a square
unsigned g_accepted = 0;          // connections accepted so far
std::uint64_t g_served[matrix::kLevels] = {};
unsigned g_malformed = 0;  // requests that could not be served (malformed, or no memory)

/// The memory this process holds now for @p connections connections, as bench lines
/// labelled `LABEL-PORT` (the experiment's memory table sums a model's processes).
void report_memory(std::uint16_t port, unsigned connections) {
    const auto heap = user::heap().stats().bytes_in_use - g_heap_before;
    const auto line = [&](std::string_view metric, long value, std::string_view unit) {
        user::println("# bench {}-{} {} {} {}", g_memory_label, port, metric, value, unit);
    };
    // The coroutines themselves: every live one's frame and control block (the frames
    // are in the heap too; the control blocks were made with the executor).
    std::uint64_t frames = 0;
    unsigned live = 0;
    user::executor().for_each_live([&](const sched::Ccb& ccb) {
        frames += ccb.frame_bytes();
        ++live;
    });
    line("connections", connections, "count");
    line("user_coroutines", static_cast<long>(frames + live * sizeof(sched::Ccb)), "bytes");
    line("user_coroutine_count", live, "count");
    line("user_heap", static_cast<long>(heap), "bytes");
    line("user_stacks", user::model_memory(abi::ModelMemory::StackBytes), "bytes");
    line("kernel_calls", user::model_memory(abi::ModelMemory::CallBytes), "bytes");
    line("kernel_threads", user::model_memory(abi::ModelMemory::ThreadBytes), "bytes");
    line("kernel_waits", user::model_memory(abi::ModelMemory::WaitBytes), "bytes");
}

/// No coroutine left for a connection: a connection half served would hang, so the
/// server says why and ends (its connections close, its clients see it).
[[noreturn]] void out_of_coroutines() {
    user::println("matrix_server: no coroutine left for another connection (COPS_USER_COROUTINES gives {});",
                  kCoroutines);
    user::println("matrix_server: ending, with every connection closed");
    user::exit(3);
}

void coroutine_done(Connection& c) {
    if (--c.running == 0) {
        user::close(c.fd);
        delete &c;
        --g_open;
    }
}

sched::Task<void> receiver(Connection& c, matrix::LineReader* reader) {
    // LAB(ch6): the receiver: bytes -> lines -> matrices -> the requests queue
    // Loop: take the next whole line from the reader (next_line); parse it into a new
    // Matrix (new (std::nothrow), matrix::parse) and co_await c.requests.send() it. A
    // malformed line, no memory, or a line too long: count it in g_malformed and stop.
    // No whole line yet: co_await async_sys::recv() into reader->space() (room()
    // bytes) and tell the reader how many came (took); 0 or an error ends the loop.
    // One read may hold part of a line or several lines: never take a read as a message.
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
    // LAB-STUB: (void)reader;
    // END-LAB
    delete reader;
    co_await c.requests.send(nullptr);  // the end, for the worker
    coroutine_done(c);
}

sched::Task<void> worker(Connection& c) {
    // LAB(ch6): the worker: requests -> A × A -> the responses queue
    // Loop: co_await c.requests.receive(); nullptr is the end. Otherwise compute the
    // square into a new Matrix g_work times (matrix::square; keep the asm barrier that
    // stops the compiler from folding the repeats), co_await c.responses.send() it and
    // delete the request. No memory for the answer: count it in g_malformed, drop it.
    for (;;) {
        matrix::Matrix* a = co_await c.requests.receive();
        if (a == nullptr) {
            break;
        }
        auto* product = new (std::nothrow) matrix::Matrix;
        if (product != nullptr) {
            for (unsigned k = 0; k < g_work; ++k) {
                matrix::square(*a, *product);
                asm volatile("" ::: "memory");  // each time for real (no folding of the repeats)
            }
            co_await c.responses.send(product);
        } else {
            ++g_malformed;  // no memory for the answer: the request is dropped (and counted)
        }
        delete a;
    }
    // LAB-STUB: (void)g_work;
    // END-LAB
    co_await c.responses.send(nullptr);
    coroutine_done(c);
}

sched::Task<void> sender(Connection& c) {
    // LAB(ch6): the sender: the responses queue -> lines -> the socket
    // Loop: co_await c.responses.receive(); nullptr is the end. Format the answer into
    // c.out (matrix::format), delete it, and co_await async_sys::send() the line. A
    // short or failed send means the client is gone: from then on only drain the
    // queue (delete what comes), so the worker never waits on a full queue. Count
    // each answer sent in full in g_served[c.priority].
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
    // LAB-STUB: (void)g_served;
    // LAB-STUB: co_await sched::yield();  // (a coroutine needs a co_await)
    // END-LAB
    coroutine_done(c);
}

/// The next whole line into @p line (false: the connection ended, or a line too long).
sched::Task<bool> next_line(int fd, matrix::LineReader& reader, std::string_view* line) {
    for (;;) {
        bool too_long = false;
        if (reader.next_line(line, &too_long)) {
            co_return true;
        }
        if (too_long) {
            co_return false;
        }
        const long n = co_await async_sys::recv(fd, reader.space(), reader.room());
        if (n <= 0) {
            co_return false;
        }
        reader.took(static_cast<std::size_t>(n));
    }
}

/// The answer to one HTTP request @p r, into @p out (http::kMaxResponse bytes): the
/// square of the matrix it asks for, computed g_work times, or its error. Sets
/// @p squared when it is a square. Returns the response's length. Both the
/// coroutine and the thread models answer through it.
std::size_t answer_http(const http::Request& r, matrix::Matrix& request, matrix::Matrix& answer, char* out,
                        bool* squared) {
    *squared = r.status == http::Status::Ok;
    if (*squared) {
        http::request_matrix(r, request);
        for (unsigned k = 0; k < g_work; ++k) {
            matrix::square(request, answer);
            asm volatile("" ::: "memory");  // each time for real (no folding of the repeats)
        }
    }
    return http::format_response(r, &answer, out);
}

/// One HTTP connection (matrix_http.hpp): requests in turn, each answered when its
/// headers are read, until the client closes or asks to. @p first is the request
/// line the handshake read.
sched::Task<void> http_connection(int fd, matrix::LineReader* reader, std::string_view first) {
    struct State {
        matrix::Matrix request;
        matrix::Matrix answer;
        char out[http::kMaxResponse];
    };
    auto* st = new (std::nothrow) State;
    http::Request r = http::parse_request_line(http::without_cr(first));  // before `first` goes stale
    bool open = st != nullptr;
    while (open) {
        std::string_view line;
        bool more = true;
        while (more) {  // the headers, up to the empty line
            more = co_await next_line(fd, *reader, &line);
            if (more && http::without_cr(line).empty()) {
                break;
            }
            if (more) {
                http::apply_header(http::without_cr(line), r);
            }
        }
        if (!more) {
            break;  // the client went away mid-request
        }
        bool squared = false;
        const std::size_t n = answer_http(r, st->request, st->answer, st->out, &squared);
        if (squared) {
            ++g_http_served;
        } else {
            ++g_malformed;
        }
        const long w = co_await async_sys::send(fd, st->out, n);
        open = w == static_cast<long>(n) && r.keep_alive;
        if (open) {
            open = co_await next_line(fd, *reader, &line);
            r = http::parse_request_line(http::without_cr(line));
        }
    }
    delete st;
    delete reader;
    user::close(fd);
    --g_open;
}

/// The handshake, then the connection's three coroutines at its priority (or, for a
/// first line that is an HTTP request, http_connection()).
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
    if (greeted && http::is_request_line(line)) {
        (void)user::set_no_delay(fd, true);
        co_await http_connection(fd, reader, line);
        co_return;
    }
    if (reader != nullptr && !greeted && !too_long) {  // closed before its first line: nothing to serve
        delete reader;
        user::close(fd);
        --g_open;
        co_return;
    }
    // LAB(ch6): the connection's priority, from its handshake
    // The first line (in `line`, if `greeted`) is "HELLO p" (matrix_protocol.hpp).
    // Parse p with lib::parse_u64. Anything else is no priority: matrix::kLevels,
    // which refuses the connection (so does a p of kLevels or more).
    const bool hello = greeted && line.size() > 6 && line.substr(0, 6) == "HELLO ";
    const unsigned priority = hello ? static_cast<unsigned>(lib::parse_u64(line.substr(6), 0)) : matrix::kLevels;
    // LAB-STUB: (void)greeted;
    // LAB-STUB: const unsigned priority = matrix::kLevels;
    // END-LAB
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
    // LAB(ch6): the connection's three coroutines, at its priority
    // Priority p runs at level kBaseLevel + p (0 most urgent, as the shared scheduler's
    // levels are). Spawn the receiver (it takes over the reader), the worker and the
    // sender at that level with user::spawn(): the executor then serves the more
    // urgent connections first whenever the server is short of CPU. A spawn that
    // fails (no coroutine left) ends the server with out_of_coroutines().
    const sched::Priority level{static_cast<std::uint8_t>(kBaseLevel + priority)};
    if (user::spawn(receiver(*c, reader), level) < 0 || user::spawn(worker(*c), level) < 0 ||
        user::spawn(sender(*c), level) < 0) {
        out_of_coroutines();
    }
    // LAB-STUB: (void)reader;
    // LAB-STUB: (void)&receiver;
    // LAB-STUB: (void)&worker;
    // LAB-STUB: (void)&sender;
    // END-LAB
}

sched::Task<int> serve(std::uint16_t port, unsigned connections, std::string_view model) {
    const long l = user::socket();
    if (l < 0 || user::bind(static_cast<int>(l), 0, port) != 0 ||
        user::listen(static_cast<int>(l), abi::kMaxBacklog) != 0) {
        user::println("matrix_server: cannot listen on port {}", port);
        co_return 1;
    }
    user::println("matrix_server: {} on port {}, waiting for {} connections", model, port, connections);
    g_heap_before = user::heap().stats().bytes_in_use;
    g_open = connections;
    for (; g_accepted < connections; ++g_accepted) {
        const long c = co_await async_sys::accept(static_cast<int>(l));
        if (c < 0) {
            user::println("matrix_server: accept failed: {}", c);
            co_return 1;
        }
        if (user::spawn(open_connection(static_cast<int>(c)), sched::Priority{kBaseLevel}) < 0) {
            out_of_coroutines();
        }
    }
    user::close(static_cast<int>(l));
    if (!g_memory_label.empty()) {
        (void)co_await async_sys::sleep(kMemoryDelay);
        report_memory(port, connections);
    }
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
    if (g_http_served > 0) {
        user::println("matrix_server:   HTTP: {} squares", g_http_served);
    }
    user::println("matrix_server: {} responses to {} connections; {} malformed requests", total, connections,
                  g_malformed);
    co_return static_cast<int>(g_malformed);
}
// --- KCUT: a user thread per connection, sync calls (each carried by a kernel coroutine) ---

/// One connection of the KCUT model: handshake, then request → square → answer, in
/// turn, with the calling thread blocked in each call.
struct ThreadConnection {
    int fd = -1;
    matrix::LineReader reader;
    matrix::Matrix request;
    matrix::Matrix answer;
    char out[http::kMaxResponse] = {};  // an answer line, or a whole HTTP response
    std::uint64_t served = 0;           // squares sent (in either protocol)
    std::uint64_t http_served = 0;      // of them, over HTTP
    unsigned priority = 0;
    bool malformed = false;
};

/// The next whole line (sync calls); false at the end of the connection.
bool read_line_sync(ThreadConnection& c, std::string_view* line) {
    for (;;) {
        bool too_long = false;
        if (c.reader.next_line(line, &too_long)) {
            return true;
        }
        if (too_long) {
            c.malformed = true;
            return false;
        }
        const long n = user::sys::recv(c.fd, c.reader.space(), c.reader.room());
        if (n <= 0) {
            return false;
        }
        c.reader.took(static_cast<std::size_t>(n));
    }
}

/// One HTTP connection in a thread model: http_connection() with sync calls.
/// @p first is the request line the thread read first.
void http_thread(ThreadConnection& c, std::string_view first) {
    http::Request r = http::parse_request_line(http::without_cr(first));  // before `first` goes stale
    for (;;) {
        std::string_view line;
        bool more = read_line_sync(c, &line);
        while (more && !http::without_cr(line).empty()) {  // the headers, up to the empty line
            http::apply_header(http::without_cr(line), r);
            more = read_line_sync(c, &line);
        }
        if (!more) {
            return;  // the client went away mid-request
        }
        bool squared = false;
        const std::size_t n = answer_http(r, c.request, c.answer, c.out, &squared);
        c.malformed = c.malformed || !squared;
        if (user::sys::send(c.fd, c.out, n) != static_cast<long>(n)) {
            return;
        }
        c.served += squared ? 1 : 0;
        c.http_served += squared ? 1 : 0;
        if (!r.keep_alive || !read_line_sync(c, &line)) {
            return;
        }
        r = http::parse_request_line(http::without_cr(line));
    }
}

long serve_thread(void* arg) {
    auto& c = *static_cast<ThreadConnection*>(arg);
    std::string_view line;
    const bool greeted = read_line_sync(c, &line);
    if (greeted && http::is_request_line(line)) {
        (void)user::set_no_delay(c.fd, true);
        http_thread(c, line);
        return 0;
    }
    if (!greeted) {
        return 0;  // closed before its first line (or a line too long: malformed is set)
    }
    const bool hello = greeted && line.size() > 6 && line.substr(0, 6) == "HELLO ";
    c.priority = hello ? static_cast<unsigned>(lib::parse_u64(line.substr(6), 0)) : matrix::kLevels;
    if (c.priority >= matrix::kLevels) {
        c.malformed = true;
        return 0;
    }
    (void)user::set_no_delay(c.fd, true);
    (void)user::sys::send(c.fd, "OK\n", 3);
    while (read_line_sync(c, &line)) {
        if (!matrix::parse(line, c.request)) {
            c.malformed = true;
            break;
        }
        for (unsigned k = 0; k < g_work; ++k) {
            matrix::square(c.request, c.answer);
            asm volatile("" ::: "memory");  // each time for real (no folding of the repeats)
        }
        const std::size_t n = matrix::format(c.answer, c.out);
        if (user::sys::send(c.fd, c.out, n) != static_cast<long>(n)) {
            break;
        }
        ++c.served;
    }
    return 0;
}

int serve_threads(std::uint16_t port, unsigned connections, std::string_view model) {
    constexpr unsigned kMaxThreads = matrix::kConnectionsPerThreadProcess;
    const long l = user::socket();
    if (connections > kMaxThreads || l < 0 || user::bind(static_cast<int>(l), 0, port) != 0 ||
        user::listen(static_cast<int>(l), abi::kMaxBacklog) != 0) {
        user::println("matrix_server: cannot listen on port {} for {} connections", port, connections);
        return 1;
    }
    user::println("matrix_server: {} on port {}, waiting for {} connections", model, port, connections);
    g_heap_before = user::heap().stats().bytes_in_use;
    ThreadConnection* conns[kMaxThreads] = {};
    long tids[kMaxThreads] = {};
    unsigned started = 0;
    for (; started < connections; ++started) {
        const long fd = user::sys::accept(static_cast<int>(l));
        conns[started] = fd >= 0 ? new (std::nothrow) ThreadConnection : nullptr;
        if (conns[started] == nullptr) {
            user::println("matrix_server: accept failed ({}) or no memory", fd);
            break;
        }
        conns[started]->fd = static_cast<int>(fd);
        tids[started] = user::thread_create(serve_thread, conns[started]);
        if (tids[started] < 0) {
            user::println("matrix_server: no thread for connection {}: {}", started, tids[started]);
            user::close(static_cast<int>(fd));
            delete conns[started];
            break;
        }
    }
    user::close(static_cast<int>(l));
    if (!g_memory_label.empty()) {
        (void)user::sleep(kMemoryDelay);
        report_memory(port, started);
    }
    int malformed = 0;
    for (unsigned i = 0; i < started; ++i) {
        (void)user::thread_join(tids[i]);
        g_served[conns[i]->priority < matrix::kLevels ? conns[i]->priority : 0] += conns[i]->served;
        g_http_served += conns[i]->http_served;
        malformed += conns[i]->malformed ? 1 : 0;
        user::close(conns[i]->fd);
        delete conns[i];
    }
    std::uint64_t total = 0;
    for (unsigned p = 0; p < matrix::kLevels; ++p) {
        total += g_served[p];
    }
    if (g_http_served > 0) {
        user::println("matrix_server:   HTTP: {} squares", g_http_served);
    }
    user::println("matrix_server: {} responses to {} connections; {} malformed", total, started, malformed);
    return started == connections ? malformed : 1;
}

/// A thread model's server for @p connections: this process serves the first port's
/// share; for more than one process' worth it spawns one more per port and waits for
/// them. The exit status sums theirs.
int serve_threads_spread(std::uint16_t port, unsigned connections, std::string_view model) {
    const unsigned ports = matrix::ports_for_threads(connections);
    long children[16] = {};
    if (ports > sizeof children / sizeof children[0]) {
        user::println("matrix_server: at most {} connections in a thread model",
                      matrix::kConnectionsPerThreadProcess * (sizeof children / sizeof children[0]));
        return 2;
    }
    for (unsigned k = 1; k < ports; ++k) {
        char line[96];
        const auto command = lib::format_buffer(line, sizeof line - 1, "matrix_server {} {} {} work={}{}{}", model,
                                                port + k, matrix::connections_of_port(connections, ports, k), g_work,
                                                g_memory_label.empty() ? "" : " memory=", g_memory_label);
        line[command.size()] = '\0';
        children[k] = user::spawn(static_cast<const char*>(line));
        if (children[k] < 0) {
            user::println("matrix_server: cannot start the server for port {}: {}", port + k, children[k]);
            return 1;
        }
    }
    int status = serve_threads(port, matrix::connections_of_port(connections, ports, 0), model);
    for (unsigned k = 1; k < ports; ++k) {
        long child = 0;
        status += user::wait(children[k], &child) == children[k] ? static_cast<int>(child) : 1;
    }
    return status;
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    const std::string_view model = argc > 1 ? argv[1] : "";
    const auto port = static_cast<std::uint16_t>(lib::parse_u64(argc > 2 ? argv[2] : "", 8000));
    const auto connections = static_cast<unsigned>(lib::parse_u64(argc > 3 ? argv[3] : "", 1));
    bool options_ok = true;
    for (int i = 4; i < argc; ++i) {
        const std::string_view option = argv[i];
        if (option.substr(0, 5) == "work=") {
            g_work = static_cast<unsigned>(lib::parse_u64(option.substr(5), 0));
        } else if (option.substr(0, 7) == "memory=" && option.size() > 7) {
            g_memory_label = option.substr(7);
        } else {
            options_ok = false;
        }
    }
    struct Model {
        std::string_view name;
        abi::IoModel kernel;
        bool threads;
    };
    constexpr Model kModels[] = {
        {"kcuc", abi::IoModel::Coroutines, false},
        {"ktuc", abi::IoModel::Polled, false},
        {"kcut", abi::IoModel::Coroutines, true},
        {"ktut", abi::IoModel::RetryingThreads, true},
        {"ktut-sleep", abi::IoModel::SleepingThreads, true},
    };
    const Model* picked = nullptr;
    for (const Model& m : kModels) {
        picked = m.name == model ? &m : picked;
    }
    if (picked == nullptr || connections == 0 || g_work == 0 || g_work > 1000 || !options_ok) {
        user::println(
            "matrix_server: unknown model '{}', no connections or a bad option (usage: matrix_server "
            "kcuc|ktuc|kcut|ktut|ktut-sleep PORT CONNECTIONS [work=1..1000] [memory=LABEL])",
            model);
        co_return 2;
    }
    if (const long r = user::set_io_model(picked->kernel); r != 0) {
        user::println("matrix_server: the kernel refused model {}: {}", model, r);
        co_return 1;
    }
    if (picked->threads) {
        co_return serve_threads_spread(port, connections, model);
    }
    co_return co_await serve(port, connections, model);
}
