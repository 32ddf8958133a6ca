/// @file net_check.cpp
/// @brief `net_check CASE [ARGS]`: the checks of chapter 6's kernel tests, run inside
/// a process. Each case prints what went wrong and exits with the number of failed
/// checks (0: all good), so a kernel test compares the status with 0.
///
///     echo WHERE FORM N  a child process serves an echo port; this one connects and
///                        sends N bytes in messages of varied sizes, reading every
///                        echo back. WHERE: loop (127.0.0.1) or nics (from NIC 0's
///                        address to NIC 1's: over the wire). FORM: sync or async.
///     many N             N connections opened, used for one byte and closed, by two
///                        coroutines of this process
///     reset              the server closes with data unread: lwIP resets; the
///                        client's next calls fail with ECONNRESET (or EPIPE)
///     refused            connects to ports nobody listens on: ECONNREFUSED, both forms
///     backpressure N     a server that does not read yet: the client's async write of N
///                        bytes blocks only its coroutine, then finishes once it reads
///     errors             bad fds, calls in the wrong state, bad arguments: clean errors
///     http PORT N        answers N HTTP/1.1 requests on PORT (the host's test client)
///     bulk N             N bytes one way from NIC 0 to NIC 1 in large writes: full-size
///                        frames, far more of them than the receive queue has buffers
///     eof N              N bytes in small writes (Nagle off: one segment each), then
///                        shutdown; the reader gets them in order, then end of file
///     accept-order N     N connections wait in the backlog; accept() takes them first
///                        come, first served
///     accept-waits       an async accept blocks only its coroutine until a client comes
///     accept-full        accept() with the fd table full: EMFILE, the connection freed
///     (server PORT FORM: the other half of echo)
#include <cstdint>
#include <cstring>
#include <string_view>

#include "cops/lib/parse.hpp"
#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/net.hpp"
#include "cops/user/print.hpp"

using namespace cops;
namespace async_sys = cops::user::async_sys;
namespace sys = cops::user::sys;
using abi::Errno;

namespace {
int g_failed = 0;
const char* g_case = "?";

void expect(bool ok, std::string_view what, long got = 0) {
    if (!ok) {
        ++g_failed;
        user::println("net_check {}: FAIL {} (got {})", g_case, what, got);
    }
}

constexpr long err(Errno e) { return abi::error_return(e); }

/// The byte at offset @p i of a test stream.
char pattern(std::uint64_t i) { return static_cast<char>('a' + (i * 7 + i / 251) % 26); }

/// A listening socket on @p port of every interface, or a negative errno.
long listen_on(std::uint16_t port, unsigned backlog = 8) {
    const long fd = user::socket();
    if (fd < 0) {
        return fd;
    }
    long r = user::bind(static_cast<int>(fd), 0, port);
    if (r == 0) {
        r = user::listen(static_cast<int>(fd), backlog);
    }
    if (r != 0) {
        user::close(static_cast<int>(fd));
        return r;
    }
    return fd;
}

/// Connects a new socket (bound to @p from, if not 0) to @p to:@p port, retrying while
/// nobody listens yet (a server process that is still starting). Sync form.
long connect_retrying(std::uint32_t from, std::uint32_t to, std::uint16_t port) {
    for (int attempt = 0; attempt < 500; ++attempt) {
        const long fd = user::socket();
        if (fd < 0) {
            return fd;
        }
        if (from != 0 && user::bind(static_cast<int>(fd), from, 0) != 0) {
            user::close(static_cast<int>(fd));
            return err(Errno::Invalid);
        }
        const long r = sys::connect(static_cast<int>(fd), to, port);
        if (r == 0) {
            return fd;
        }
        user::close(static_cast<int>(fd));
        if (r != err(abi::kErrConnRefused)) {
            return r;
        }
        (void)user::sleep(2);
    }
    return err(abi::kErrTimedOut);
}

// --- echo ---------------------------------------------------------------------------

/// Echoes everything until end of file (sync form), then closes. Returns bytes echoed.
long echo_sync(int fd) {
    char buf[1500];
    long total = 0;
    for (;;) {
        const long n = sys::recv(fd, buf, sizeof buf);
        if (n <= 0) {
            user::close(fd);
            return n == 0 ? total : n;
        }
        if (sys::send(fd, buf, static_cast<std::size_t>(n)) != n) {
            user::close(fd);
            return err(Errno::Invalid);
        }
        total += n;
    }
}

sched::Task<long> echo_async(int fd) {
    char buf[1500];
    long total = 0;
    for (;;) {
        const long n = co_await async_sys::recv(fd, buf, sizeof buf);
        if (n <= 0) {
            user::close(fd);
            co_return n == 0 ? total : n;
        }
        const long w = co_await async_sys::send(fd, buf, static_cast<std::size_t>(n));
        if (w != n) {
            user::close(fd);
            co_return err(Errno::Invalid);
        }
        total += n;
    }
}

/// The server half of echo: one connection on @p port, echoed until end of file.
sched::Task<int> case_server(std::uint16_t port, bool async) {
    const long l = listen_on(port);
    expect(l >= 0, "listen", l);
    if (l < 0) {
        co_return g_failed;
    }
    long c;
    if (async) {
        c = co_await async_sys::accept(static_cast<int>(l));
    } else {
        c = sys::accept(static_cast<int>(l));
    }
    expect(c >= 0, "accept", c);
    if (c >= 0) {
        long echoed;
        if (async) {
            echoed = co_await echo_async(static_cast<int>(c));
        } else {
            echoed = echo_sync(static_cast<int>(c));
        }
        expect(echoed > 0, "echoed bytes", echoed);
    }
    user::close(static_cast<int>(l));
    co_return g_failed;
}

/// Sends @p total bytes in messages of 1..1400 bytes and checks each echo (sync form).
long client_stream_sync(int fd, std::uint64_t total) {
    char out[1400];
    char in[1400];
    std::uint64_t sent = 0;
    for (unsigned k = 0; sent < total; ++k) {
        std::uint64_t n = 1 + (k * 389) % sizeof out;
        n = n < total - sent ? n : total - sent;
        for (std::uint64_t i = 0; i < n; ++i) {
            out[i] = pattern(sent + i);
        }
        if (sys::send(fd, out, n) != static_cast<long>(n)) {
            return err(Errno::Invalid);
        }
        for (std::uint64_t got = 0; got < n;) {
            const long r = sys::recv(fd, in + got, n - got);
            if (r <= 0) {
                return r == 0 ? err(abi::kErrConnReset) : r;
            }
            got += static_cast<std::uint64_t>(r);
        }
        if (std::memcmp(in, out, n) != 0) {
            return err(Errno::Invalid);
        }
        sent += n;
    }
    return static_cast<long>(sent);
}

sched::Task<long> client_stream_async(int fd, std::uint64_t total) {
    char out[1400];
    char in[1400];
    std::uint64_t sent = 0;
    for (unsigned k = 0; sent < total; ++k) {
        std::uint64_t n = 1 + (k * 389) % sizeof out;
        n = n < total - sent ? n : total - sent;
        for (std::uint64_t i = 0; i < n; ++i) {
            out[i] = pattern(sent + i);
        }
        const long w = co_await async_sys::send(fd, out, n);
        if (w != static_cast<long>(n)) {
            co_return err(Errno::Invalid);
        }
        for (std::uint64_t got = 0; got < n;) {
            const long r = co_await async_sys::recv(fd, in + got, n - got);
            if (r <= 0) {
                co_return r == 0 ? err(abi::kErrConnReset) : r;
            }
            got += static_cast<std::uint64_t>(r);
        }
        if (std::memcmp(in, out, n) != 0) {
            co_return err(Errno::Invalid);
        }
        sent += n;
    }
    co_return static_cast<long>(sent);
}

sched::Task<int> case_echo(std::string_view where, std::string_view form, std::uint64_t total) {
    const bool async = form == "async";
    const bool nics = where == "nics";
    if (nics && user::net_info(abi::NetInfo::Nics) < 2) {
        expect(false, "two NICs (boot with TEST_NICS=2)", user::net_info(abi::NetInfo::Nics));
        co_return g_failed;
    }
    constexpr std::uint16_t kPort = 7007;
    char command[64];
    const auto line = lib::format_buffer(command, sizeof command, "net_check server {} {}", kPort, form);
    const long child = user::spawn(line.data());
    expect(child > 0, "spawn the server", child);
    if (child <= 0) {
        co_return g_failed;
    }
    const std::uint32_t from = nics ? abi::nic_address(0) : 0;
    const std::uint32_t to = nics ? abi::nic_address(1) : abi::kLoopback;
    const long fd = connect_retrying(from, to, kPort);
    expect(fd >= 0, "connect", fd);
    if (fd >= 0) {
        if (nics) {
            expect(user::peer_address(static_cast<int>(fd)) == static_cast<long>(to), "the peer is NIC 1",
                   user::peer_address(static_cast<int>(fd)));
        }
        const long frames_before = user::net_info(abi::NetInfo::FramesOut);
        long sent;
        if (async) {
            sent = co_await client_stream_async(static_cast<int>(fd), total);
        } else {
            sent = client_stream_sync(static_cast<int>(fd), total);
        }
        expect(sent == static_cast<long>(total), "every byte echoed intact", sent);
        if (nics) {
            expect(user::net_info(abi::NetInfo::FramesOut) > frames_before, "frames crossed the NICs",
                   user::net_info(abi::NetInfo::FramesOut) - frames_before);
        }
        user::close(static_cast<int>(fd));
    }
    long status = -1;
    expect(user::wait(child, &status) == child && status == 0, "the server's verdict", status);
    co_return g_failed;
}

// --- many connections ---------------------------------------------------------------

int g_listener = -1;
unsigned g_served = 0;
bool g_server_done = false;

sched::Task<void> many_server(unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
        const long c = co_await async_sys::accept(g_listener);
        if (c < 0) {
            expect(false, "accept", c);
            break;
        }
        char b = 0;
        const long r = co_await async_sys::recv(static_cast<int>(c), &b, 1);
        const long w = co_await async_sys::send(static_cast<int>(c), &b, 1);
        expect(r == 1 && w == 1, "one byte each way", r);
        user::close(static_cast<int>(c));
        ++g_served;
    }
    g_server_done = true;
}

sched::Task<int> case_many(unsigned n) {
    constexpr std::uint16_t kPort = 7100;
    const long sockets_before = user::net_info(abi::NetInfo::Sockets);
    const long fds_before = user::io_info(2);
    const long l = listen_on(kPort, 16);
    expect(l >= 0, "listen", l);
    if (l < 0) {
        co_return g_failed;
    }
    g_listener = static_cast<int>(l);
    user::spawn(many_server(n), sched::Priority{20});
    for (unsigned i = 0; i < n; ++i) {
        const long fd = user::socket();
        if (fd < 0) {
            expect(false, "socket", fd);
            break;
        }
        const long c = co_await async_sys::connect(static_cast<int>(fd), abi::kLoopback, kPort);
        char b = static_cast<char>(i);
        char back = 0;
        // (No co_await inside ?: — GCC 12 miscompiles it in a coroutine: statements only.)
        long w = c;
        long r = c;
        if (c == 0) {
            w = co_await async_sys::send(static_cast<int>(fd), &b, 1);
        }
        if (w == 1) {
            r = co_await async_sys::recv(static_cast<int>(fd), &back, 1);
        }
        if (c != 0 || w != 1 || r != 1 || back != b) {
            expect(false, "connect, send, receive", c != 0 ? c : (w != 1 ? w : r));
            user::close(static_cast<int>(fd));
            break;
        }
        user::close(static_cast<int>(fd));
    }
    for (int i = 0; i < 2000 && !g_server_done; ++i) {
        (void)co_await async_sys::sleep(1);
    }
    expect(g_served == n, "connections served", g_served);
    user::close(g_listener);
    expect(user::net_info(abi::NetInfo::Sockets) == sockets_before, "sockets back at the start",
           user::net_info(abi::NetInfo::Sockets));
    expect(user::io_info(2) == fds_before, "open fds back at the start", user::io_info(2));
    user::println("net_check many: {} connections; {} TCP pcbs in use, {} in TIME_WAIT", g_served,
                  user::net_info(abi::NetInfo::TcpPcbs), user::net_info(abi::NetInfo::TimeWait));
    co_return g_failed;
}

// --- errors -------------------------------------------------------------------------

sched::Task<int> case_reset() {
    constexpr std::uint16_t kPort = 7200;
    const long l = listen_on(kPort);
    const long fd = user::socket();
    expect(l >= 0 && fd >= 0, "sockets", fd);
    const long c = co_await async_sys::connect(static_cast<int>(fd), abi::kLoopback, kPort);
    expect(c == 0, "connect", c);
    const long s = co_await async_sys::accept(static_cast<int>(l));
    expect(s >= 0, "accept", s);
    char block[4096];
    for (std::size_t i = 0; i < sizeof block; ++i) {
        block[i] = pattern(i);
    }
    expect(co_await async_sys::send(static_cast<int>(fd), block, sizeof block) == sizeof block, "the first send");
    char few[10];
    expect(co_await async_sys::recv(static_cast<int>(s), few, sizeof few) == sizeof few, "the server reads 10 bytes");
    user::close(static_cast<int>(s));  // data unread: lwIP resets the connection
    long r = 0;
    for (int i = 0; i < 50 && r >= 0; ++i) {
        r = co_await async_sys::recv(static_cast<int>(fd), few, sizeof few);
        if (r == 0) {
            break;  // (a graceful end would be wrong; reported below)
        }
    }
    expect(r == err(abi::kErrConnReset), "recv after the peer reset: ECONNRESET", r);
    const long w = co_await async_sys::send(static_cast<int>(fd), block, 16);
    expect(w == err(abi::kErrConnReset) || w == err(abi::kErrBrokenPipe), "send after the reset fails", w);
    user::close(static_cast<int>(fd));
    user::close(static_cast<int>(l));
    co_return g_failed;
}

sched::Task<int> case_refused() {
    long fd = user::socket();
    const long r1 = sys::connect(static_cast<int>(fd), abi::kLoopback, 9);
    expect(r1 == err(abi::kErrConnRefused), "sync connect to a closed port: ECONNREFUSED", r1);
    user::close(static_cast<int>(fd));
    fd = user::socket();
    const long r2 = co_await async_sys::connect(static_cast<int>(fd), abi::kLoopback, 9);
    expect(r2 == err(abi::kErrConnRefused), "async connect to a closed port: ECONNREFUSED", r2);
    const long r3 = co_await async_sys::connect(static_cast<int>(fd), abi::kLoopback, 9);
    expect(r3 == err(abi::kErrConnRefused), "a failed socket stays failed", r3);
    user::close(static_cast<int>(fd));
    if (user::net_info(abi::NetInfo::Nics) >= 2) {
        fd = user::socket();
        (void)user::bind(static_cast<int>(fd), abi::nic_address(0), 0);
        const long r4 = co_await async_sys::connect(static_cast<int>(fd), abi::nic_address(1), 9);
        expect(r4 == err(abi::kErrConnRefused), "over the wire: ECONNREFUSED", r4);
        user::close(static_cast<int>(fd));
    }
    co_return g_failed;
}

bool g_write_done = false;
long g_write_result = 0;

sched::Task<void> big_writer(int fd, std::uint64_t n) {
    static char data[256 * 1024];
    for (std::uint64_t i = 0; i < n && i < sizeof data; ++i) {
        data[i] = pattern(i);
    }
    g_write_result = co_await async_sys::send(fd, data, n < sizeof data ? n : sizeof data);
    g_write_done = true;
}

sched::Task<int> case_backpressure(std::uint64_t n) {
    constexpr std::uint16_t kPort = 7300;
    n = n < 256 * 1024 ? n : 256 * 1024;
    const long l = listen_on(kPort);
    const long fd = user::socket();
    const long c = co_await async_sys::connect(static_cast<int>(fd), abi::kLoopback, kPort);
    const long s = co_await async_sys::accept(static_cast<int>(l));
    expect(l >= 0 && c == 0 && s >= 0, "a connection", s);
    user::spawn(big_writer(static_cast<int>(fd), n), sched::Priority{30});
    // The writer blocks on the full window and send buffer; this coroutine runs on.
    int steps = 0;
    for (; steps < 20; ++steps) {
        (void)co_await async_sys::sleep(1);
    }
    expect(!g_write_done, "the write waits while nobody reads", g_write_result);
    static char in[4096];
    std::uint64_t got = 0;
    bool intact = true;
    while (got < n) {
        const long r = co_await async_sys::recv(static_cast<int>(s), in, sizeof in);
        if (r <= 0) {
            expect(false, "recv", r);
            break;
        }
        for (long i = 0; i < r; ++i) {
            intact = intact && in[i] == pattern(got + static_cast<std::uint64_t>(i));
        }
        got += static_cast<std::uint64_t>(r);
    }
    for (int i = 0; i < 200 && !g_write_done; ++i) {
        (void)co_await async_sys::sleep(1);
    }
    expect(g_write_done && g_write_result == static_cast<long>(n), "then the write finishes", g_write_result);
    expect(got == n && intact, "every byte arrives in order", static_cast<long>(got));
    user::close(static_cast<int>(fd));
    user::close(static_cast<int>(s));
    user::close(static_cast<int>(l));
    co_return g_failed;
}

sched::Task<int> case_errors() {
    char b[8] = {};
    expect(sys::accept(99) == err(Errno::BadFd), "accept on no fd: EBADF", sys::accept(99));
    expect(co_await async_sys::accept(99) == err(Errno::BadFd), "async accept on no fd: EBADF");
    int p[2];
    expect(user::pipe(p) == 0, "pipe");
    expect(user::bind(p[0], 0, 1) == err(abi::kErrNotSocket), "bind on a pipe: ENOTSOCK", user::bind(p[0], 0, 1));
    expect(sys::accept(p[0]) == err(Errno::BadFd), "accept on a pipe: EBADF", sys::accept(p[0]));
    user::close(p[0]);
    user::close(p[1]);
    const long fd = user::socket();
    expect(fd >= 0, "socket", fd);
    const int f = static_cast<int>(fd);
    expect(sys::recv(f, b, sizeof b) == err(abi::kErrNotConnected), "recv unconnected: ENOTCONN",
           sys::recv(f, b, sizeof b));
    expect(sys::send(f, b, sizeof b) == err(abi::kErrNotConnected), "send unconnected: ENOTCONN");
    expect(sys::accept(f) == err(Errno::Invalid), "accept without listen: EINVAL", sys::accept(f));
    expect(user::shutdown(f) == err(abi::kErrNotConnected), "shutdown unconnected: ENOTCONN");
    expect(user::peer_address(f) == err(abi::kErrNotConnected), "no peer yet: ENOTCONN");
    expect(sys::connect(f, abi::kLoopback, 0) == err(Errno::Invalid), "connect to port 0: EINVAL");
    expect(user::listen(f, 0) == err(Errno::Invalid), "listen with backlog 0: EINVAL");
    expect(user::listen(f, 1000) == err(Errno::Invalid), "listen with backlog 1000: EINVAL");
    expect(user::syscall(abi::kSysBind, static_cast<std::uint64_t>(f), 0, 70000) == err(Errno::Invalid),
           "bind to port 70000: EINVAL");
    expect(user::bind(f, 0, 7400) == 0, "bind", user::bind(f, 0, 7400));
    // A second bind of the same socket (lwIP would link its pcb into the bound list
    // twice: a cycle that every later bind walked for ever, which the fuzzer found).
    expect(user::bind(f, 0, 7401) == err(Errno::Invalid), "bind twice: EINVAL", user::bind(f, 0, 7401));
    expect(user::bind(f, 0, 7400) == err(Errno::Invalid), "bind twice to one port: EINVAL");
    const long third = user::socket();
    expect(user::bind(static_cast<int>(third), 0, 7402) == 0, "another socket binds after it",
           user::bind(static_cast<int>(third), 0, 7402));
    user::close(static_cast<int>(third));
    expect(user::listen(f, 4) == 0, "listen");
    expect(user::listen(f, 4) == err(Errno::Invalid), "listen twice: EINVAL");
    expect(sys::connect(f, abi::kLoopback, 7400) == err(abi::kErrIsConnected), "connect a listener: EISCONN");
    const long other = user::socket();
    const long clash = user::bind(static_cast<int>(other), 0, 7400);
    expect(clash == err(abi::kErrAddressInUse), "bind to a listening port: EADDRINUSE", clash);
    user::close(static_cast<int>(other));
    // Bad user memory: the call fails, nothing else happens.
    const long c = user::socket();
    expect(sys::connect(static_cast<int>(c), abi::kLoopback, 7400) == 0, "connect");
    const long s = sys::accept(f);
    expect(s >= 0, "accept", s);
    expect(sys::send(static_cast<int>(c), reinterpret_cast<const void*>(16), 8) == err(Errno::Fault),
           "send from a bad address: EFAULT");
    expect(sys::send(static_cast<int>(c), "ok", 2) == 2, "a good send after it");
    expect(sys::recv(static_cast<int>(s), reinterpret_cast<void*>(16), 8) == err(Errno::Fault),
           "recv into a bad address: EFAULT");
    expect(sys::recv(static_cast<int>(s), b, sizeof b) == 2 && b[0] == 'o', "the bytes are still there");
    expect(user::shutdown(static_cast<int>(c)) == 0, "shutdown");
    expect(sys::send(static_cast<int>(c), "x", 1) == err(abi::kErrBrokenPipe), "send after shutdown: EPIPE");
    expect(sys::recv(static_cast<int>(s), b, sizeof b) == 0, "the peer reads end of file");
    user::close(static_cast<int>(c));
    user::close(static_cast<int>(s));
    user::close(f);
    expect(sys::recv(f, b, sizeof b) == err(Errno::BadFd), "recv on a closed fd: EBADF");
    co_return g_failed;
}

// --- HTTP ---------------------------------------------------------------------------

/// Answers @p n HTTP/1.1 requests on @p port (one per connection, each closed only
/// after the client has closed its side), then exits.
sched::Task<int> case_http(std::uint16_t port, unsigned n) {
    const long l = listen_on(port);
    expect(l >= 0, "listen", l);
    if (l < 0) {
        co_return g_failed;
    }
    user::println("net_check http: listening on port {}", port);
    for (unsigned i = 0; i < n; ++i) {
        const long c = co_await async_sys::accept(static_cast<int>(l));
        if (c < 0) {
            expect(false, "accept", c);
            break;
        }
        (void)user::set_no_delay(static_cast<int>(c), true);
        char request[2048];
        std::size_t got = 0;
        bool whole = false;
        while (!whole && got < sizeof request) {
            const long r = co_await async_sys::recv(static_cast<int>(c), request + got, sizeof request - got);
            if (r <= 0) {
                break;
            }
            got += static_cast<std::size_t>(r);
            whole = std::string_view(request, got).find("\r\n\r\n") != std::string_view::npos;
        }
        static constexpr std::string_view kBody = "hello from the COPS kernel\n";
        char response[256];
        const auto head = lib::format_buffer(response, sizeof response,
                                             "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n"
                                             "Connection: close\r\n\r\n{}",
                                             kBody.size(), kBody);
        const long w = co_await async_sys::send(static_cast<int>(c), head.data(), head.size());
        expect(whole && w == static_cast<long>(head.size()), "a request answered", w);
        // Our FIN, then the client's: a client that has read to its end of file has the
        // whole answer. Closing at once and powering off after the last one could end
        // QEMU before its user networking passed the answer on to the host's socket.
        if (whole && user::shutdown(static_cast<int>(c)) == 0) {
            while (co_await async_sys::recv(static_cast<int>(c), request, sizeof request) > 0) {}
        }
        user::close(static_cast<int>(c));
    }
    user::close(static_cast<int>(l));
    co_return g_failed;
}
// --- the lab regions' own cases -----------------------------------------------------

sched::Task<void> bulk_sender(std::uint16_t port, std::uint64_t n) {
    const long fd = user::socket();
    (void)user::bind(static_cast<int>(fd), abi::nic_address(0), 0);
    const long c = co_await async_sys::connect(static_cast<int>(fd), abi::nic_address(1), port);
    expect(c == 0, "connect across the NICs", c);
    static char data[16384];
    for (std::uint64_t sent = 0; c == 0 && sent < n;) {
        const std::uint64_t k = n - sent < sizeof data ? n - sent : sizeof data;
        for (std::uint64_t i = 0; i < k; ++i) {
            data[i] = pattern(sent + i);
        }
        const long w = co_await async_sys::send(static_cast<int>(fd), data, k);
        if (w != static_cast<long>(k)) {
            expect(false, "send", w);
            break;
        }
        sent += k;
    }
    user::close(static_cast<int>(fd));
}

sched::Task<int> case_bulk(std::uint64_t n) {
    constexpr std::uint16_t kPort = 7600;
    const long in_before = user::net_info(abi::NetInfo::FramesIn);
    const long dropped_before = user::net_info(abi::NetInfo::FramesDropped);
    const long l = listen_on(kPort);
    expect(l >= 0, "listen", l);
    user::spawn(bulk_sender(kPort, n), sched::Priority{30});
    const long s = co_await async_sys::accept(static_cast<int>(l));
    expect(s >= 0, "accept", s);
    static char in[8192];
    std::uint64_t got = 0;
    bool intact = true;
    for (;;) {
        const long r = co_await async_sys::recv(static_cast<int>(s), in, sizeof in);
        if (r <= 0) {
            expect(r == 0, "recv", r);
            break;
        }
        for (long i = 0; i < r; ++i) {
            intact = intact && in[i] == pattern(got + static_cast<std::uint64_t>(i));
        }
        got += static_cast<std::uint64_t>(r);
    }
    expect(got == n && intact, "every byte, in order", static_cast<long>(got));
    const long frames = user::net_info(abi::NetInfo::FramesIn) - in_before;
    expect(frames > static_cast<long>(n / 1460), "at least one frame per full segment came in", frames);
    expect(user::net_info(abi::NetInfo::FramesDropped) == dropped_before, "no frame dropped",
           user::net_info(abi::NetInfo::FramesDropped) - dropped_before);
    user::close(static_cast<int>(s));
    user::close(static_cast<int>(l));
    co_return g_failed;
}

sched::Task<void> eof_writer(std::uint16_t port, std::uint64_t n) {
    const long fd = user::socket();
    const long c = co_await async_sys::connect(static_cast<int>(fd), abi::kLoopback, port);
    expect(c == 0, "connect", c);
    (void)user::set_no_delay(static_cast<int>(fd), true);
    for (std::uint64_t sent = 0; c == 0 && sent < n;) {
        char piece[7];
        const std::uint64_t k = n - sent < sizeof piece ? n - sent : 1 + sent % sizeof piece;
        for (std::uint64_t i = 0; i < k; ++i) {
            piece[i] = pattern(sent + i);
        }
        const long w = co_await async_sys::send(static_cast<int>(fd), piece, k);
        if (w != static_cast<long>(k)) {
            expect(false, "send", w);
            break;
        }
        sent += k;
    }
    expect(user::shutdown(static_cast<int>(fd)) == 0, "shutdown");
    char b;
    const long end = co_await async_sys::recv(static_cast<int>(fd), &b, 1);  // the reader closes too
    expect(end == 0, "the reader's end of file", end);
    user::close(static_cast<int>(fd));
}

sched::Task<int> case_eof(std::uint64_t n) {
    constexpr std::uint16_t kPort = 7650;
    const long l = listen_on(kPort);
    user::spawn(eof_writer(kPort, n), sched::Priority{30});
    const long s = co_await async_sys::accept(static_cast<int>(l));
    expect(s >= 0, "accept", s);
    std::uint64_t got = 0;
    bool intact = true;
    long last = 0;
    for (;;) {
        char in[512];
        last = co_await async_sys::recv(static_cast<int>(s), in, sizeof in);
        if (last <= 0) {
            break;
        }
        for (long i = 0; i < last; ++i) {
            intact = intact && in[i] == pattern(got + static_cast<std::uint64_t>(i));
        }
        got += static_cast<std::uint64_t>(last);
    }
    expect(last == 0, "end of file after the peer's shutdown", last);
    expect(got == n && intact, "every small segment, in order", static_cast<long>(got));
    user::close(static_cast<int>(s));
    user::close(static_cast<int>(l));
    for (int i = 0; i < 100 && user::net_info(abi::NetInfo::Sockets) > 0; ++i) {
        (void)co_await async_sys::sleep(1);
    }
    co_return g_failed;
}

sched::Task<int> case_accept_order(unsigned n) {
    constexpr std::uint16_t kPort = 7700;
    n = n < 8 ? n : 8;
    const long l = listen_on(kPort, 8);
    long clients[8] = {};
    long ports[8] = {};
    for (unsigned i = 0; i < n; ++i) {
        clients[i] = user::socket();
        const long c = co_await async_sys::connect(static_cast<int>(clients[i]), abi::kLoopback, kPort);
        expect(c == 0, "connect", c);
        ports[i] = user::local_port(static_cast<int>(clients[i]));
    }
    for (unsigned i = 0; i < n; ++i) {
        const long s = co_await async_sys::accept(static_cast<int>(l));
        expect(s >= 0, "accept", s);
        const long peer_port = user::syscall(abi::kSysSocketAddress, static_cast<std::uint64_t>(s), 3);
        expect(peer_port == ports[i], "the oldest waiting connection first", peer_port);
        user::close(static_cast<int>(s));
    }
    for (unsigned i = 0; i < n; ++i) {
        user::close(static_cast<int>(clients[i]));
    }
    user::close(static_cast<int>(l));
    co_return g_failed;
}

bool g_accepted = false;
int g_steps_before_accept = 0;
int g_steps = 0;

sched::Task<void> waiting_acceptor(int l) {
    const long s = co_await async_sys::accept(l);
    g_steps_before_accept = g_steps;
    g_accepted = s >= 0;
    if (s >= 0) {
        user::close(static_cast<int>(s));
    }
}

sched::Task<int> case_accept_waits() {
    constexpr std::uint16_t kPort = 7750;
    const long l = listen_on(kPort);
    user::spawn(waiting_acceptor(static_cast<int>(l)), sched::Priority{20});
    for (; g_steps < 10; ++g_steps) {
        (void)co_await async_sys::sleep(1);  // the acceptor waits; this coroutine runs on
    }
    expect(!g_accepted, "no connection yet: the accept still waits");
    const long fd = user::socket();
    const long c = co_await async_sys::connect(static_cast<int>(fd), abi::kLoopback, kPort);
    expect(c == 0, "connect", c);
    for (int i = 0; i < 100 && !g_accepted; ++i) {
        (void)co_await async_sys::sleep(1);
    }
    expect(g_accepted && g_steps_before_accept == 10, "the accept finished once the client came",
           g_steps_before_accept);
    user::close(static_cast<int>(fd));
    user::close(static_cast<int>(l));
    co_return g_failed;
}

sched::Task<int> case_accept_full() {
    constexpr std::uint16_t kPort = 7800;
    const long l = listen_on(kPort);
    const long fd = user::socket();
    const long c = co_await async_sys::connect(static_cast<int>(fd), abi::kLoopback, kPort);
    expect(c == 0, "connect", c);
    const long sockets_with_it = user::net_info(abi::NetInfo::Sockets);
    long filler[abi::kMaxFds];
    unsigned taken = 0;
    for (; taken < abi::kMaxFds; ++taken) {
        filler[taken] = user::dup(1);
        if (filler[taken] < 0) {
            break;
        }
    }
    const long s = sys::accept(static_cast<int>(l));
    expect(s == err(abi::kErrTooManyFiles), "accept with every fd taken: EMFILE", s);
    expect(user::net_info(abi::NetInfo::Sockets) == sockets_with_it - 1, "the connection it took is freed",
           user::net_info(abi::NetInfo::Sockets));
    for (unsigned i = 0; i < taken; ++i) {
        user::close(static_cast<int>(filler[i]));
    }
    char b;
    const long r = co_await async_sys::recv(static_cast<int>(fd), &b, 1);
    expect(r == 0 || r == err(abi::kErrConnReset), "the client sees its connection end", r);
    user::close(static_cast<int>(fd));
    user::close(static_cast<int>(l));
    co_return g_failed;
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    const std::string_view what = argc > 1 ? argv[1] : "";
    g_case = argc > 1 ? argv[1] : "?";
    const auto arg = [&](int i, std::uint64_t fallback) {
        return argc > i ? lib::parse_u64(argv[i], fallback) : fallback;
    };
    const std::string_view word2 = argc > 2 ? argv[2] : "";
    const std::string_view word3 = argc > 3 ? argv[3] : "";
    if (what == "echo")
        co_return co_await case_echo(word2, word3, arg(4, 65536));
    if (what == "server")
        co_return co_await case_server(static_cast<std::uint16_t>(arg(2, 7007)), word3 == "async");
    if (what == "many")
        co_return co_await case_many(static_cast<unsigned>(arg(2, 100)));
    if (what == "reset")
        co_return co_await case_reset();
    if (what == "refused")
        co_return co_await case_refused();
    if (what == "backpressure")
        co_return co_await case_backpressure(arg(2, 128 * 1024));
    if (what == "errors")
        co_return co_await case_errors();
    if (what == "http")
        co_return co_await case_http(static_cast<std::uint16_t>(arg(2, 80)), static_cast<unsigned>(arg(3, 1)));
    if (what == "bulk")
        co_return co_await case_bulk(arg(2, 262144));
    if (what == "eof")
        co_return co_await case_eof(arg(2, 4096));
    if (what == "accept-order")
        co_return co_await case_accept_order(static_cast<unsigned>(arg(2, 5)));
    if (what == "accept-waits")
        co_return co_await case_accept_waits();
    if (what == "accept-full")
        co_return co_await case_accept_full();
    user::println("net_check: unknown case '{}'", what);
    co_return 100;
}
