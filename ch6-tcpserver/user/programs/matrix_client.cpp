/// @file matrix_client.cpp
/// @brief `matrix_client CONNECTIONS N PERIOD DURATION LEVELS PORT [options]`: the load
/// client of the COPS paper's experiment — one source, built in two places:
///
/// - as a **guest** program (cops/user/load_platform.hpp): one user coroutine per
///   connection, async calls, the guest's clock; under -icount shift=0 its figures
///   repeat on any machine;
/// - as a **host** program (`make host-client`, ch6-tcpserver/host/host_load_platform.hpp):
///   one thread per connection, POSIX sockets, the host's clock, against a guest
///   server through QEMU's forwarded port (`make run CH=6 NET=user HOST_PORT=P`).
///
/// Each connection says its priority (its index mod LEVELS) in the handshake, then
/// until DURATION ticks (ms) have passed: sends an N×N matrix of values 0..99, waits
/// for the whole answer, checks it (A × A, computed here too), records the latency,
/// waits PERIOD ticks. Options:
/// - `nics` (guest only): connect from NIC 0's address to NIC 1's, so the traffic
///   crosses the driver; otherwise over 127.0.0.1;
/// - `address=A.B.C.D`: the server's address (the host build's default is 127.0.0.1);
/// - `threads`: the server is a thread model's, one process per 31 connections on
///   consecutive ports (matrix::ports_for_threads): connection i goes to PORT + i % that;
/// - `label=NAME`: also print the figures as bench lines (`# bench NAME ...`);
/// - `check-priorities`: fail unless priority 0 got more responses than the last level
///   (for a test of an overloaded server);
/// - `row=NAME`: print one line instead of the table, a row of `make run`'s comparison;
/// - `per-connection`: also print each connection's responses, mean and deviation;
/// - `seed=S` (default 1): which run of a repeated experiment this is. Seed 1 sends the
///   matrices it always sent and starts every connection on the same tick; another seed
///   sends other matrices and starts connection i 0 to kMaxStartShift ticks late, so
///   repeated runs of one point differ the way two runs on real hardware would
///   (`make bench CH=6 RUNS=K` reports their median and range).
///
/// It prints, per priority: responses, mean latency and its standard deviation
/// (the original printed the variance as "sigma"), and a latency histogram, in
/// microseconds (virtual ones in the guest: under -icount shift=0 one instruction is
/// one virtual ns, and all harts share that one clock). It exits with the number of
/// wrong answers and failed connections.
#include <atomic>
#include <cstdint>
#include <new>
#include <string_view>

#include "cops/lib/format.hpp"
#include "cops/lib/parse.hpp"
#include "cops/user/matrix_protocol.hpp"

#if COPS_HOST_BUILD
#include "host_load_platform.hpp"
#else
#include "cops/user/heap.hpp"
#include "cops/user/load_platform.hpp"
// Up to 256 connections of about 9 KiB each: a heap of 3 MiB instead of the default 128 KiB.
COPS_USER_HEAP_BYTES(3 << 20);
// One coroutine per connection.
COPS_USER_COROUTINES(300);
#endif

using namespace cops;
namespace load = cops::user::load;
namespace matrix = cops::user::matrix;

namespace {
/// Upper bounds of the histogram's buckets, in µs (the last is open).
constexpr std::uint64_t kBuckets[] = {500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, ~0ULL};
constexpr unsigned kBucketCount = sizeof kBuckets / sizeof kBuckets[0];
/// Most connections one client opens.
constexpr unsigned kMaxConnections = 256;
/// With a seed other than 1, the most ticks a connection's first request is shifted.
constexpr std::uint64_t kMaxStartShift = 4;

/// One connection's or one priority's figures.
struct Stats {
    std::uint64_t responses = 0;
    std::uint64_t sum_us = 0;
    std::uint64_t sum_sq_us = 0;
    std::uint64_t histogram[kBucketCount] = {};

    void record(std::uint64_t latency_us) {
        ++responses;
        sum_us += latency_us;
        sum_sq_us += latency_us * latency_us;
        unsigned b = 0;
        while (latency_us > kBuckets[b]) {
            ++b;
        }
        ++histogram[b];
    }
    void add(const Stats& other) {
        responses += other.responses;
        sum_us += other.sum_us;
        sum_sq_us += other.sum_sq_us;
        for (unsigned b = 0; b < kBucketCount; ++b) {
            histogram[b] += other.histogram[b];
        }
    }
    std::uint64_t mean() const { return responses > 0 ? sum_us / responses : 0; }
    std::uint64_t sd() const;  // the standard deviation, not the variance the original printed
};

struct Settings {
    unsigned connections = 4;
    unsigned n = 15;
    std::uint64_t period = 100;
    std::uint64_t end_tick = 0;
    std::uint64_t duration = 0;  // ticks of the measured run
    unsigned levels = 8;
    std::uint16_t port = 8000;
    unsigned ports = 1;  // connection i goes to port + i % ports (a thread model's processes)
    bool nics = false;
    std::uint32_t server = load::kDefaultServer;  // host order
    std::string_view label;                       // label=NAME: also print the figures as `# bench NAME ...` lines
    std::string_view row;                         // row=NAME: print only one summary line, a row of a comparison table
    bool per_connection = false;
    bool check_priorities = false;
    std::uint64_t seed = 1;  // seed=S: the run of a repeated experiment (1: the matrices and start it always had)
};

/// What one connection keeps: its buffers and its own figures (no connection
/// writes another's, so the host build's threads share nothing but the counters).
struct ClientState {
    matrix::LineReader reader;
    matrix::Matrix request;
    matrix::Matrix expected;
    matrix::Matrix answer;
    char out[matrix::kMaxLine] = {};
    Stats stats;
    bool failed = false;
};

Settings g_settings;
ClientState* g_states[kMaxConnections] = {};
std::atomic<unsigned> g_running{0};
std::atomic<unsigned> g_connected{0};  // connections through their handshake (or failed)
std::atomic<bool> g_go{false};         // every connection is up: the measured run starts

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

std::uint64_t Stats::sd() const {
    const std::uint64_t m = mean();
    return responses > 0 ? isqrt(sum_sq_us / responses - m * m) : 0;
}

/// "A.B.C.D" as an IPv4 address in host order; false if @p text is not one.
bool parse_ipv4(std::string_view text, std::uint32_t* out) {
    std::uint32_t address = 0;
    unsigned parts = 0;
    std::size_t at = 0;
    while (parts < 4) {
        std::size_t end = at;
        while (end < text.size() && text[end] >= '0' && text[end] <= '9' && end - at < 3) {
            ++end;
        }
        const std::uint64_t part = lib::parse_u64(text.substr(at, end - at), 256);
        if (end == at || part > 255) {
            return false;
        }
        address = address << 8 | static_cast<std::uint32_t>(part);
        ++parts;
        if (parts < 4 && (end >= text.size() || text[end] != '.')) {
            return false;
        }
        at = end + 1;
    }
    *out = address;
    return at == text.size() + 1;
}

/// Reads one whole line into @p line (false: the connection ended or misbehaved).
load::Task<bool> read_line(int fd, matrix::LineReader& reader, std::string_view* line) {
    for (;;) {
        bool too_long = false;
        if (reader.next_line(line, &too_long)) {
            co_return true;
        }
        if (too_long) {
            co_return false;
        }
        const long n = co_await load::recv(fd, reader.space(), reader.room());
        if (n <= 0) {
            co_return false;
        }
        reader.took(static_cast<std::size_t>(n));
    }
}

/// Opens connection @p index (a refused one is tried again on a new socket: a thread
/// model's later processes may not listen yet), says hello; the fd, or -1.
load::Task<long> open_connection(unsigned index, ClientState& st) {
    const Settings& s = g_settings;
    const auto port = static_cast<std::uint16_t>(s.port + index % s.ports);
    constexpr unsigned kConnectTries = 500;  // ticks
    long fd = -1;
    long c = -1;
    for (unsigned tries = 0; tries < kConnectTries; ++tries) {
        if (fd >= 0) {
            load::close(static_cast<int>(fd));
            (void)co_await load::sleep_ticks(1);
        }
        fd = load::open_socket(s.nics ? load::kNicClient : 0);
        if (fd < 0) {
            load::println("matrix_client: connection {}: no socket ({})", index, fd);
            co_return -1;
        }
        c = co_await load::connect(static_cast<int>(fd), s.server, port);
        if (!load::refused(c)) {
            break;
        }
    }
    const int f = static_cast<int>(fd);
    char hello[16];
    const auto greeting = lib::format_buffer(hello, sizeof hello, "HELLO {}\n", index % s.levels);
    long w = -1;
    if (c == 0) {
        w = co_await load::send(f, greeting.data(), greeting.size());
    }
    std::string_view line;
    bool ok = false;
    if (w == static_cast<long>(greeting.size())) {
        ok = co_await read_line(f, st.reader, &line);
    }
    if (!ok || line != "OK") {
        load::println("matrix_client: connection {} to port {}: no handshake (connect {}, hello sent {})", index, port,
                      c, w);
        load::close(f);
        co_return -1;
    }
    co_return fd;
}

/// Connection @p index: its whole life.
load::Task<void> connection(unsigned index) {
    const Settings& s = g_settings;
    ClientState& st = *g_states[index];
    const long fd = co_await open_connection(index, st);
    ++g_connected;
    while (!g_go) {
        (void)co_await load::sleep_ticks(1);  // the run starts when every connection is up
    }
    bool ok = fd >= 0;
    const int f = static_cast<int>(fd);
    // The matrices' values: a linear congruential stream per connection, seeded from
    // its index (and, for seeds other than 1, from the seed, which also shifts its start).
    std::uint64_t seed = 0x9e3779b97f4a7c15ULL * (index + 1) + (s.seed - 1) * 0xbf58476d1ce4e5b9ULL;
    if (s.seed != 1) {
        const std::uint64_t shift = (seed >> 29) % (kMaxStartShift + 1);
        if (shift > 0) {
            (void)co_await load::sleep_ticks(shift);
        }
    }
    std::string_view line;
    while (ok && load::now_ticks() < s.end_tick) {
        st.request.n = s.n;
        for (unsigned i = 0; i < s.n * s.n; ++i) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            st.request.v[i] = static_cast<std::int32_t>((seed >> 33) % 100);
        }
        matrix::square(st.request, st.expected);
        const std::size_t n = matrix::format(st.request, st.out);
        const std::uint64_t start = load::now_us();
        const long sent = co_await load::send(f, st.out, n);
        bool got = false;
        if (sent == static_cast<long>(n)) {
            got = co_await read_line(f, st.reader, &line);
        }
        const std::uint64_t latency = load::now_us() - start;
        ok = got && matrix::parse(line, st.answer) && st.answer.n == s.n;
        for (unsigned i = 0; ok && i < s.n * s.n; ++i) {
            ok = st.answer.v[i] == st.expected.v[i];
        }
        if (!ok) {
            load::println("matrix_client: connection {}: a wrong or missing answer", index);
            break;
        }
        st.stats.record(latency);
        (void)co_await load::sleep_ticks(s.period);
    }
    st.failed = !ok;
    if (fd >= 0) {
        load::close(f);
    }
    --g_running;
}

/// The per-priority sums, and the failed connections.
struct Totals {
    Stats per_priority[matrix::kLevels];
    Stats all;
    unsigned failures = 0;
};

Totals totals() {
    Totals t;
    for (unsigned i = 0; i < g_settings.connections; ++i) {
        const ClientState* st = g_states[i];
        if (st == nullptr || st->failed) {
            ++t.failures;
        }
        if (st != nullptr) {
            t.per_priority[i % g_settings.levels].add(st->stats);
            t.all.add(st->stats);
        }
    }
    return t;
}

/// The figures as bench lines (`# bench LABEL METRIC VALUE UNIT`, what the bench
/// harness collects): in all, then per priority, with the histogram's counts.
void report_bench_lines(const Totals& t) {
    const std::string_view label = g_settings.label;
    load::println("# bench {} connections {} count", label, g_settings.connections);
    load::println("# bench {} failures {} count", label, t.failures);
    load::println("# bench {} duration {} ms", label, g_settings.duration);
    load::println("# bench {} period {} ms", label, g_settings.period);
    load::println("# bench {} levels {} count", label, g_settings.levels);
    load::println("# bench {} responses {} count", label, t.all.responses);
    load::println("# bench {} mean {} us", label, t.all.mean());
    load::println("# bench {} sd {} us", label, t.all.sd());
    for (unsigned p = 0; p < g_settings.levels; ++p) {
        const Stats& s = t.per_priority[p];
        load::println("# bench {} p{}_responses {} count", label, p, s.responses);
        load::println("# bench {} p{}_mean {} us", label, p, s.mean());
        load::println("# bench {} p{}_sd {} us", label, p, s.sd());
        for (unsigned b = 0; b < kBucketCount; ++b) {
            load::println("# bench {} p{}_hist{} {} count", label, p, b, s.histogram[b]);
        }
    }
}

/// One line for a comparison table (row=NAME): responses, mean and standard deviation
/// of the latency, the responses per priority.
void report_row(const Totals& t) {
    char per[64];
    std::size_t at = 0;
    for (unsigned p = 0; p < g_settings.levels; ++p) {
        at += lib::format_buffer(per + at, sizeof per - at, "{}{}", p == 0 ? "" : "/", t.per_priority[p].responses)
                  .size();
    }
    load::println("matrix_client: {:<5} {:>9} {:>9} {:>9}   {}{}", g_settings.row, t.all.responses, t.all.mean(),
                  t.all.sd(), std::string_view(per, at), t.failures > 0 ? "  (FAILURES)" : "");
}

void report(const Totals& t) {
    const Settings& s = g_settings;
    load::println("matrix_client: {} connections, {}x{} matrices, period {} ticks, from the {}{} to port {}",
                  s.connections, s.n, s.n, s.period, load::kPlace, s.nics ? " across the NICs" : "", s.port);
    load::println(
        "matrix_client: priority  responses  mean-us  sd-us  histogram (us: <=500 1k 2k 5k 10k 20k 50k "
        "100k 200k more)");
    for (unsigned p = 0; p < s.levels; ++p) {
        const Stats& st = t.per_priority[p];
        char hist[160];
        std::size_t at = 0;
        for (unsigned b = 0; b < kBucketCount; ++b) {
            at += lib::format_buffer(hist + at, sizeof hist - at, " {}", st.histogram[b]).size();
        }
        load::println("matrix_client: {:>8}  {:>9}  {:>7}  {:>5} {}", p, st.responses, st.mean(), st.sd(),
                      std::string_view(hist, at));
    }
    if (s.per_connection) {
        load::println("matrix_client: connection  priority  responses  mean-us  sd-us");
        for (unsigned i = 0; i < s.connections; ++i) {
            const ClientState* st = g_states[i];
            if (st != nullptr) {
                load::println("matrix_client: {:>10}  {:>8}  {:>9}  {:>7}  {:>5}{}", i, i % s.levels,
                              st->stats.responses, st->stats.mean(), st->stats.sd(), st->failed ? "  (FAILED)" : "");
            }
        }
    }
    load::println("matrix_client: {} responses in all, {} failures", t.all.responses, t.failures);
    if (!s.label.empty()) {
        report_bench_lines(t);
    }
}

constexpr std::string_view kUsage =
    "matrix_client: usage: matrix_client CONNECTIONS(1-256) N(1-16) PERIOD DURATION LEVELS(1-8) PORT "
    "[nics] [address=A.B.C.D] [threads] [check-priorities] [label=NAME] [row=NAME] [per-connection] [seed=S]";

/// Reads the command line into g_settings; false (after saying why) if it is wrong.
bool parse_arguments(int argc, char** argv) {
    const auto arg = [&](int i, std::uint64_t fallback) {
        return argc > i ? lib::parse_u64(argv[i], ~0ULL) : fallback;
    };
    Settings& s = g_settings;
    const std::uint64_t connections = arg(1, 4);
    const std::uint64_t n = arg(2, 15);
    const std::uint64_t levels = arg(5, 8);
    const std::uint64_t port = arg(6, 8000);
    s.period = arg(3, 100);
    s.duration = arg(4, 1000);
    if (connections == 0 || connections > kMaxConnections || n == 0 || n > matrix::kMaxN || levels == 0 ||
        levels > matrix::kLevels || port == 0 || port > 65535 || s.period == ~0ULL || s.duration == ~0ULL) {
        load::println("{}", kUsage);
        return false;
    }
    s.connections = static_cast<unsigned>(connections);
    s.n = static_cast<unsigned>(n);
    s.levels = static_cast<unsigned>(levels);
    s.port = static_cast<std::uint16_t>(port);
    bool threads = false;
    bool addressed = false;
    for (int i = 7; i < argc; ++i) {
        const std::string_view option = argv[i];
        const auto value_of = [&](std::string_view key) {
            return option.size() > key.size() && option.substr(0, key.size()) == key ? option.substr(key.size())
                                                                                     : std::string_view{};
        };
        if (option == "nics" && load::kHasNics) {
            s.nics = true;
        } else if (option == "threads") {
            threads = true;
        } else if (option == "check-priorities") {
            s.check_priorities = true;
        } else if (option == "per-connection") {
            s.per_connection = true;
        } else if (!value_of("label=").empty()) {
            s.label = value_of("label=");
        } else if (!value_of("seed=").empty()) {
            s.seed = lib::parse_u64(value_of("seed="), ~0ULL);
            if (s.seed == 0 || s.seed == ~0ULL) {
                load::println("matrix_client: '{}' is not a seed (seed=S, S from 1)", value_of("seed="));
                return false;
            }
        } else if (!value_of("row=").empty()) {
            s.row = value_of("row=");
        } else if (!value_of("address=").empty()) {
            if (!parse_ipv4(value_of("address="), &s.server)) {
                load::println("matrix_client: '{}' is not an IPv4 address (address=A.B.C.D)", value_of("address="));
                return false;
            }
            addressed = true;
        } else {
            load::println("matrix_client: unknown option '{}' in the {} build{}", option, load::kPlace,
                          option == "nics" ? " (the NICs are the guest's: use address= from the host)" : "");
            load::println("{}", kUsage);
            return false;
        }
    }
    if (s.nics && !addressed) {
        s.server = load::kNicServer;
    }
    s.ports = threads ? matrix::ports_for_threads(s.connections) : 1;
    return true;
}

/// The whole client: parse, connect everything, run, report. Its exit status.
load::Task<int> client_main(int argc, char** argv) {
    if (!parse_arguments(argc, argv)) {
        co_return 2;
    }
    load::join_connections_level();  // never below the connections it waits for
    Settings& s = g_settings;
    // Connect everything first (as the paper's client did), the first connection alone
    // (it resolves the server's address), then start the clock for all of them.
    g_running = s.connections;
    for (unsigned i = 0; i < s.connections; ++i) {
        g_states[i] = new (std::nothrow) ClientState;
        if (g_states[i] == nullptr || !load::spawn(connection(i))) {
            load::println("matrix_client: no memory for connection {}", i);
            ++g_connected;
            --g_running;
            continue;
        }
        while (i == 0 && g_connected == 0) {
            (void)co_await load::sleep_ticks(1);
        }
    }
    while (g_connected < s.connections) {
        (void)co_await load::sleep_ticks(1);
    }
    s.end_tick = load::now_ticks() + s.duration;
    g_go = true;
    while (g_running > 0) {
        (void)co_await load::sleep_ticks(10);
    }
    load::join_spawned();
    Totals t = totals();
    if (s.row.empty()) {
        report(t);
    } else {
        report_row(t);
    }
    if (s.check_priorities && s.levels > 1 && t.per_priority[0].responses <= t.per_priority[s.levels - 1].responses) {
        load::println("matrix_client: priority 0 got {} responses, not more than priority {}'s {}",
                      t.per_priority[0].responses, s.levels - 1, t.per_priority[s.levels - 1].responses);
        ++t.failures;
    }
    for (unsigned i = 0; i < s.connections; ++i) {
        delete g_states[i];
        g_states[i] = nullptr;
    }
    co_return static_cast<int>(t.failures);
}
}  // namespace

#if COPS_HOST_BUILD
int main(int argc, char** argv) { return client_main(argc, argv).run(); }
#else
sched::Task<int> co_main(int argc, char** argv) { co_return co_await client_main(argc, argv); }
#endif
