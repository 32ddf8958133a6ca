/// @file async_demo.cpp
/// @brief `make run CH=4`: system calls that block only a coroutine.
///
/// 1. The paper's Algorithm 2: a coroutine reads an empty pipe with
///    `co_await async_sys::read(...)`; it blocks, and its siblings keep running (one
///    sleeps and counts, one writes the pipe at last). The read then returns the bytes.
/// 2. The paper's Algorithm 1 over a pipe: a producer and a consumer coroutine of one
///    process, each blocking only itself.
/// 3. The disk (`make run` attaches build/ch4/disk.img): a coroutine writes a sector and
///    reads it back with the async forms while the others run.
/// Exits 0 when everything came out as expected.
#include <cstring>

#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/print.hpp"

using namespace cops;
namespace async_sys = cops::user::async_sys;

namespace {
int g_pipe[2];
int g_sibling_steps = 0;
bool g_reader_done = false;
int g_failures = 0;
int g_left = 0;

void expect(bool ok, const char* what) {
    if (!ok) {
        user::println("async_demo: FAILED: {}", what);
        ++g_failures;
    }
}

void one_done() {
    if (--g_left == 0) {
        const auto s = user::async_stats();
        user::println("async_demo: {} async calls: {} finished at once, {} through the completion ring", s.issued,
                      s.at_once, s.completed);
        user::println("async_demo: {}", g_failures == 0 ? "all as expected" : "something went wrong");
        user::exit(g_failures == 0 ? 0 : 1);
    }
}

sched::Task<void> reader() {
    char buf[64] = {};
    user::println("async_demo: reader: waiting on an empty pipe");
    const long n = co_await async_sys::read(g_pipe[0], buf, sizeof buf - 1);
    g_reader_done = true;
    user::println("async_demo: reader: got '{}' ({} bytes) after its siblings ran {} steps", buf, n, g_sibling_steps);
    expect(n == 13 && std::strcmp(buf, "through pipes") == 0, "the reader gets the 13 bytes written");
    expect(g_sibling_steps == 3, "the siblings ran while the reader waited");
    one_done();
}

sched::Task<void> sibling() {
    for (int i = 1; i <= 3; ++i) {
        const long r = co_await async_sys::sleep(2);
        expect(r == 0, "an async sleep returns 0");
        expect(!g_reader_done, "the reader is still waiting");
        g_sibling_steps = i;
        user::println("async_demo: sibling: step {} while the reader waits", i);
    }
    const long w = co_await async_sys::write(g_pipe[1], "through pipes", 13);
    expect(w == 13, "the write returns its 13 bytes");
    one_done();
}

// Algorithm 1: a producer and a consumer joined by a pipe.
int g_items[2];
constexpr int kItems = 5;

sched::Task<void> producer() {
    for (int i = 1; i <= kItems; ++i) {
        const int item = i * 11;
        expect(co_await async_sys::write(g_items[1], &item, sizeof item) == sizeof item, "the producer's write");
    }
    user::close(g_items[1]);  // the consumer sees the end
    one_done();
}

sched::Task<void> consumer() {
    int item = 0;
    int sum = 0;
    int count = 0;
    while (co_await async_sys::read(g_items[0], &item, sizeof item) == sizeof item) {
        sum += item;
        ++count;
    }
    user::println("async_demo: consumer: {} items, sum {}, then end of file", count, sum);
    expect(count == kItems && sum == 11 * 15, "the consumer gets every item");
    one_done();
}
// The disk: one sector written and read back.
char g_sector[512];
char g_back[512];

sched::Task<void> disk_user() {
    while (!g_reader_done) {
        (void)co_await async_sys::sleep(1);  // after the pipe part, so the output reads in order
    }
    const long fd = user::open_disk();
    if (fd < 0) {
        user::println("async_demo: disk: none attached ({}); skipped", fd);
        one_done();
        co_return;
    }
    for (int i = 0; i < 512; ++i) {
        g_sector[i] = static_cast<char>(i * 7);
    }
    const int d = static_cast<int>(fd);
    const long w = co_await async_sys::write(d, g_sector, sizeof g_sector);
    const long f = co_await async_sys::fsync(d);
    (void)user::seek(d, 0);
    const long r = co_await async_sys::read(d, g_back, sizeof g_back);
    const bool same = w == 512 && f == 0 && r == 512 && std::memcmp(g_sector, g_back, 512) == 0;
    user::println("async_demo: disk: {} sectors; wrote sector 0, flushed, read it back: {}", user::io_info(3),
                  same ? "the same bytes" : "DIFFERENT");
    expect(same, "the disk gives back what was written");
    user::close(d);
    one_done();
}
}  // namespace

sched::Task<int> co_main(int, char**) {
    if (user::pipe(g_pipe) != 0 || user::pipe(g_items) != 0) {
        user::println("async_demo: pipe() failed");
        co_return 1;
    }
    g_left = 5;
    user::spawn(reader(), sched::Priority{33});
    user::spawn(sibling(), sched::Priority{34});
    user::spawn(consumer(), sched::Priority{35});
    user::spawn(producer(), sched::Priority{36});
    user::spawn(disk_user(), sched::Priority{37});
    co_await sched::block();  // the last one to finish exits
    co_return 1;
}
