/// @file matrix_client.cpp
/// @brief `matrix_client CONNECTIONS N PERIOD DURATION LEVELS PORT [options]`: the load
/// client of the COPS paper's experiment, as a guest program (one coroutine per
/// connection, async calls).
///
/// Each connection says its priority (its index mod LEVELS) in the handshake, then
/// until DURATION ticks have passed: sends an N×N matrix of values 0..99, waits for
/// the whole answer, checks it (A × A, computed here too), records the latency,
/// waits PERIOD ticks. With `nics` it connects from NIC 0's address to NIC 1's, so
/// the traffic crosses the driver; otherwise over 127.0.0.1. With `threads` the
/// server is a thread model's, one process per 31 connections on consecutive ports
/// (matrix::ports_for_threads): connection i goes to PORT + i % that many. With
/// `label=NAME` it also prints its figures as bench lines (`# bench NAME ...`). With
/// `check-priorities` it fails unless priority 0 got more responses than the last
/// level (for a test of an overloaded server). With `row=NAME` it prints one line
/// instead of the table: a row of `make run`'s comparison.
///
/// It prints, per priority: responses, mean latency and its standard deviation
/// (the original printed the variance as "sigma"), and a latency histogram, all in
/// virtual microseconds (under -icount shift=0 one instruction is one virtual ns;
/// all harts share that one clock). It exits with the number of wrong answers and
/// failed connections.
#include <cstdint>
#include <new>
#include <string_view>

#include "cops/lib/parse.hpp"
#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/heap.hpp"
#include "cops/user/matrix_protocol.hpp"
#include "cops/user/net.hpp"
#include "cops/user/print.hpp"

using namespace cops;

// Up to 256 connections of about 9 KiB each: a heap of 3 MiB instead of the default 128 KiB.
COPS_USER_HEAP_BYTES(3 << 20);
// One coroutine per connection.
COPS_USER_COROUTINES(300);
namespace async_sys = cops::user::async_sys;
namespace matrix = cops::user::matrix;

namespace {
/// Upper bounds of the histogram's buckets, in virtual µs (the last is open).
constexpr std::uint64_t kBuckets[] = {500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, ~0ULL};
constexpr unsigned kBucketCount = sizeof kBuckets / sizeof kBuckets[0];

struct Stats {
    std::uint64_t responses = 0;
    std::uint64_t sum_us = 0;
    std::uint64_t sum_sq_us = 0;
    std::uint64_t histogram[kBucketCount] = {};
};

struct Settings {
    unsigned n = 15;
    std::uint64_t period = 100;
    std::uint64_t end_tick = 0;
    std::uint64_t duration = 0;  // ticks of the measured run
    unsigned levels = 8;
    std::uint16_t port = 8000;
    unsigned ports = 1;  // connection i goes to port + i % ports (a thread model's processes)
    bool nics = false;
    std::string_view label;  // label=NAME: also print the figures as `# bench NAME ...` lines
    std::string_view row;    // row=NAME: print only one summary line, a row of a comparison table
};

Settings g_settings;
Stats g_stats[matrix::kLevels];
unsigned g_running = 0;
unsigned g_failures = 0;
unsigned g_connected = 0;  // connections through their handshake (or failed)
bool g_go = false;         // every connection is up: the measured run starts

std::uint64_t now_us() {
    std::uint64_t t;
    asm volatile("rdtime %0" : "=r"(t));
    return t / 10;  // the 10 MHz timebase
}

std::uint64_t now_ticks() { return now_us() / 1000; }  // the kernel's 1 ms tick

std::uint64_t isqrt(std::uint64_t v) {
    std::uint64_t r = 0;
    for (std::uint64_t bit = 1ULL << 62; bit != 0; bit >>= 2) {
        if (v >= r + bit) {
            v -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
    }
    return r;
}

/// Reads one whole line into @p line (false: the connection ended or misbehaved).
sched::Task<bool> read_line(int fd, matrix::LineReader& reader, std::string_view* line) {
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

struct ClientState {
    matrix::LineReader reader;
    matrix::Matrix request;
    matrix::Matrix expected;
    matrix::Matrix answer;
    char out[matrix::kMaxLine] = {};
};

sched::Task<void> connection(unsigned index) {
    const Settings& s = g_settings;
    const unsigned priority = index % s.levels;
    auto* st = new (std::nothrow) ClientState;
    const auto port = static_cast<std::uint16_t>(s.port + index % s.ports);
    // A thread model's later processes may not listen yet: a refused connection is
    // tried again, on a new socket, for up to kConnectTries ticks.
    constexpr unsigned kConnectTries = 500;
    long fd = -1;
    long c = abi::error_return(abi::kErrConnRefused);
    for (unsigned tries = 0; st != nullptr && c == abi::error_return(abi::kErrConnRefused) && tries < kConnectTries;
         ++tries) {
        if (fd >= 0) {
            user::close(static_cast<int>(fd));
            (void)co_await async_sys::sleep(1);
        }
        fd = user::socket();
        if (fd < 0) {
            break;
        }
        if (s.nics) {
            (void)user::bind(static_cast<int>(fd), abi::nic_address(0), 0);
        }
        c = co_await async_sys::connect(static_cast<int>(fd), s.nics ? abi::nic_address(1) : abi::kLoopback, port);
    }
    if (st == nullptr || fd < 0) {
        ++g_failures;
        ++g_connected;
        --g_running;
        delete st;
        co_return;
    }
    const int f = static_cast<int>(fd);
    (void)user::set_no_delay(f, true);
    char hello[16];
    const auto greeting = lib::format_buffer(hello, sizeof hello, "HELLO {}\n", priority);
    long w = -1;
    if (c == 0) {
        w = co_await async_sys::send(f, greeting.data(), greeting.size());
    }
    std::string_view line;
    bool ok = false;
    if (w == static_cast<long>(greeting.size())) {
        ok = co_await read_line(f, st->reader, &line);
    }
    ok = ok && line == "OK";
    if (!ok) {
        user::println("matrix_client: connection {} to port {}: no handshake (connect {}, hello sent {})", index, port,
                      c, w);
    }
    ++g_connected;
    while (!g_go) {
        (void)co_await async_sys::sleep(1);  // the run starts when every connection is up
    }
    std::uint64_t seed = 0x9e3779b97f4a7c15ULL * (index + 1);
    while (ok && now_ticks() < s.end_tick) {
        st->request.n = s.n;
        for (unsigned i = 0; i < s.n * s.n; ++i) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            st->request.v[i] = static_cast<std::int32_t>((seed >> 33) % 100);
        }
        matrix::square(st->request, st->expected);
        const std::size_t n = matrix::format(st->request, st->out);
        const std::uint64_t start = now_us();
        const long sent = co_await async_sys::send(f, st->out, n);
        bool got = false;
        if (sent == static_cast<long>(n)) {
            got = co_await read_line(f, st->reader, &line);
        }
        const std::uint64_t latency = now_us() - start;
        ok = got && matrix::parse(line, st->answer) && st->answer.n == s.n;
        for (unsigned i = 0; ok && i < s.n * s.n; ++i) {
            ok = st->answer.v[i] == st->expected.v[i];
        }
        if (!ok) {
            user::println("matrix_client: connection {}: a wrong or missing answer", index);
            break;
        }
        Stats& stats = g_stats[priority];
        ++stats.responses;
        stats.sum_us += latency;
        stats.sum_sq_us += latency * latency;
        unsigned b = 0;
        while (latency > kBuckets[b]) {
            ++b;
        }
        ++stats.histogram[b];
        (void)co_await async_sys::sleep(s.period);
    }
    g_failures += ok ? 0 : 1;
    user::close(f);
    delete st;
    --g_running;
}

/// The figures as bench lines (`# bench LABEL METRIC VALUE UNIT`, what the bench
/// harness collects): in all, then per priority, with the histogram's counts.
void report_bench_lines(unsigned connections) {
    const std::string_view label = g_settings.label;
    Stats all;
    for (unsigned p = 0; p < g_settings.levels; ++p) {
        all.responses += g_stats[p].responses;
        all.sum_us += g_stats[p].sum_us;
        all.sum_sq_us += g_stats[p].sum_sq_us;
    }
    const auto mean_of = [](const Stats& s) { return s.responses > 0 ? s.sum_us / s.responses : 0; };
    const auto sd_of = [&](const Stats& s) {
        const std::uint64_t m = mean_of(s);
        return s.responses > 0 ? isqrt(s.sum_sq_us / s.responses - m * m) : 0;
    };
    user::println("# bench {} connections {} count", label, connections);
    user::println("# bench {} failures {} count", label, g_failures);
    user::println("# bench {} duration {} ms", label, g_settings.duration);
    user::println("# bench {} period {} ms", label, g_settings.period);
    user::println("# bench {} levels {} count", label, g_settings.levels);
    user::println("# bench {} responses {} count", label, all.responses);
    user::println("# bench {} mean {} us", label, mean_of(all));
    user::println("# bench {} sd {} us", label, sd_of(all));
    for (unsigned p = 0; p < g_settings.levels; ++p) {
        const Stats& s = g_stats[p];
        user::println("# bench {} p{}_responses {} count", label, p, s.responses);
        user::println("# bench {} p{}_mean {} us", label, p, mean_of(s));
        user::println("# bench {} p{}_sd {} us", label, p, sd_of(s));
        for (unsigned b = 0; b < kBucketCount; ++b) {
            user::println("# bench {} p{}_hist{} {} count", label, p, b, s.histogram[b]);
        }
    }
}

/// One line for a comparison table (row=NAME): responses, mean and standard deviation
/// of the latency, the responses per priority.
void report_row() {
    Stats all;
    char per[64];
    std::size_t at = 0;
    for (unsigned p = 0; p < g_settings.levels; ++p) {
        all.responses += g_stats[p].responses;
        all.sum_us += g_stats[p].sum_us;
        all.sum_sq_us += g_stats[p].sum_sq_us;
        at += lib::format_buffer(per + at, sizeof per - at, "{}{}", p == 0 ? "" : "/", g_stats[p].responses).size();
    }
    const std::uint64_t mean = all.responses > 0 ? all.sum_us / all.responses : 0;
    const std::uint64_t sd = all.responses > 0 ? isqrt(all.sum_sq_us / all.responses - mean * mean) : 0;
    user::println("matrix_client: {:<5} {:>9} {:>9} {:>9}   {}{}", g_settings.row, all.responses, mean, sd,
                  std::string_view(per, at), g_failures > 0 ? "  (FAILURES)" : "");
}

void report(unsigned connections) {
    user::println("matrix_client: {} connections, {}x{} matrices, period {} ticks, over {}", connections, g_settings.n,
                  g_settings.n, g_settings.period, g_settings.nics ? "the NICs" : "127.0.0.1");
    user::println(
        "matrix_client: priority  responses  mean-us  sd-us  histogram (us: <=500 1k 2k 5k 10k 20k 50k "
        "100k 200k more)");
    std::uint64_t total = 0;
    for (unsigned p = 0; p < g_settings.levels; ++p) {
        const Stats& s = g_stats[p];
        const std::uint64_t mean = s.responses > 0 ? s.sum_us / s.responses : 0;
        const std::uint64_t var = s.responses > 0 ? s.sum_sq_us / s.responses - mean * mean : 0;
        char hist[160];
        std::size_t at = 0;
        for (unsigned b = 0; b < kBucketCount; ++b) {
            at += lib::format_buffer(hist + at, sizeof hist - at, " {}", s.histogram[b]).size();
        }
        user::println("matrix_client: {:>8}  {:>9}  {:>7}  {:>5} {}", p, s.responses, mean, isqrt(var),
                      std::string_view(hist, at));
        total += s.responses;
    }
    user::println("matrix_client: {} responses in all, {} failures", total, g_failures);
    if (!g_settings.label.empty()) {
        report_bench_lines(connections);
    }
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    const auto arg = [&](int i, std::uint64_t fallback) {
        return argc > i ? lib::parse_u64(argv[i], fallback) : fallback;
    };
    const auto connections = static_cast<unsigned>(arg(1, 4));
    Settings& s = g_settings;
    s.n = static_cast<unsigned>(arg(2, 15));
    s.period = arg(3, 100);
    const std::uint64_t duration = arg(4, 1000);
    s.duration = duration;
    s.levels = static_cast<unsigned>(arg(5, 8));
    s.port = static_cast<std::uint16_t>(arg(6, 8000));
    bool threads = false;
    bool check_priorities = false;
    for (int i = 7; i < argc; ++i) {
        const std::string_view option = argv[i];
        s.nics = s.nics || option == "nics";
        threads = threads || option == "threads";
        check_priorities = check_priorities || option == "check-priorities";
        const bool labelled = option.size() > 6 && option.substr(0, 6) == "label=";
        s.label = labelled ? option.substr(6) : s.label;
        const bool row = option.size() > 4 && option.substr(0, 4) == "row=";
        s.row = row ? option.substr(4) : s.row;
        if (option != "nics" && option != "threads" && option != "check-priorities" && !labelled && !row) {
            user::println(
                "matrix_client: unknown option '{}' (options: nics, threads, check-priorities, label=NAME, row=NAME)",
                option);
            co_return 2;
        }
    }
    s.ports = threads ? matrix::ports_for_threads(connections) : 1;
    if (connections == 0 || connections > 256 || s.n == 0 || s.n > matrix::kMaxN || s.levels == 0 ||
        s.levels > matrix::kLevels) {
        user::println(
            "matrix_client: usage: matrix_client CONNECTIONS(1-256) N(1-{}) PERIOD DURATION LEVELS(1-{}) "
            "PORT [nics] [threads] [check-priorities] [label=NAME]",
            matrix::kMaxN, matrix::kLevels);
        co_return 2;
    }
    // Connect everything first (as the paper's client did), the first connection alone
    // (it resolves the server's address), then start the clock for all of them.
    g_running = connections;
    for (unsigned i = 0; i < connections; ++i) {
        // All at one level: the client must not favour any priority itself (the
        // paper's client ran on another machine); only the server may.
        if (user::spawn(connection(i), sched::Priority{16}) < 0) {
            user::println("matrix_client: no memory for connection {}'s coroutine", i);
            ++g_failures;
            ++g_connected;
            --g_running;
            continue;
        }
        while (i == 0 && g_connected == 0) {
            (void)co_await async_sys::sleep(1);
        }
    }
    while (g_connected < connections) {
        (void)co_await async_sys::sleep(1);
    }
    s.end_tick = now_ticks() + duration;
    g_go = true;
    while (g_running > 0) {
        (void)co_await async_sys::sleep(10);
    }
    if (s.row.empty()) {
        report(connections);
    } else {
        report_row();
    }
    if (check_priorities && s.levels > 1 && g_stats[0].responses <= g_stats[s.levels - 1].responses) {
        user::println("matrix_client: priority 0 got {} responses, not more than priority {}'s {}",
                      g_stats[0].responses, s.levels - 1, g_stats[s.levels - 1].responses);
        ++g_failures;
    }
    co_return static_cast<int>(g_failures);
}
