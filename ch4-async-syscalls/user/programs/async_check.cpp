/// @file async_check.cpp
/// @brief `async_check CASE [N]`: the checks of chapter 4's kernel tests, run inside a
/// process. Each case prints what went wrong and exits with the number of failed
/// checks (0: all good), so a kernel test only compares the status with 0.
///
///     siblings      a coroutine blocked on an empty pipe does not stop its siblings
///     forms         sync and async forms give the same result for every call and error
///     backpressure  a writer blocked on a full pipe resumes when a reader drains it
///     ring N        N completions arrive while nothing drains (N > ring size: held)
///     heldexit N    as ring N, then exits without taking the completions
///     many N        N coroutines read one byte each from one pipe, concurrently
///     early N       a user thread on another hart writes while coroutines issue reads
///     inflight      blocks in 10 calls (8 async reads, a sync read, an async sleep), then exits
///     cap N         N reads that nobody feeds: those past the pool's share get EAGAIN
///     console       an async read of fd 0 gets the line the test runner types
///     disk          the virtio-blk disk: read-after-write, flush, errors, a marker at sector 100
///     diskerr       with read errors injected (blkdebug): EIO in both forms
///     waiter        blocks every coroutine on a pipe nobody writes (for the no-polling test)
#include <cstdint>
#include <cstring>
#include <string_view>

#include "cops/lib/parse.hpp"
#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/print.hpp"
#include "cops/user/thread.hpp"

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
        user::println("async_check {}: FAIL {} (got {})", g_case, what, got);
    }
}

constexpr long err(Errno e) { return abi::error_return(e); }

/// Counts coroutines still running; the last to finish ends the process with the verdict.
int g_left = 0;
void one_done() {
    if (--g_left == 0) {
        user::exit(g_failed);
    }
}

// --- siblings -------------------------------------------------------------------
int g_p[2];
int g_sibling_runs = 0;
bool g_read_returned = false;

sched::Task<void> blocked_reader() {
    char c = 0;
    const long n = co_await async_sys::read(g_p[0], &c, 1);
    g_read_returned = true;
    expect(n == 1 && c == 'x', "the blocked read returns the byte written later", n);
    expect(g_sibling_runs == 50, "the sibling ran 50 times while the read waited", g_sibling_runs);
    one_done();
}

sched::Task<void> busy_sibling() {
    for (int i = 0; i < 50; ++i) {
        expect(!g_read_returned, "the read is still blocked while the sibling runs");
        ++g_sibling_runs;
        co_await sched::yield();
    }
    expect(co_await async_sys::write(g_p[1], "x", 1) == 1, "the sibling's write");
    one_done();
}

// --- forms -----------------------------------------------------------------------
/// Runs one call in both forms and compares.
sched::Task<void> both(const char* what, int fd, std::uint64_t buf, std::size_t len, bool reading, long want) {
    const long s = reading ? sys::read(fd, reinterpret_cast<void*>(buf), len)
                           : sys::write(fd, reinterpret_cast<const void*>(buf), len);
    const long a = reading ? co_await async_sys::read(fd, reinterpret_cast<void*>(buf), len)
                           : co_await async_sys::write(fd, reinterpret_cast<const void*>(buf), len);
    if (s != want || a != want) {
        ++g_failed;
        user::println("async_check forms: FAIL {}: sync {} async {} want {}", what, s, a, want);
    }
}

sched::Task<void> forms() {
    int p[2];
    expect(user::pipe(p) == 0, "pipe()");
    char good[8] = "abcdefg";
    char back[8] = {};
    const auto g = reinterpret_cast<std::uint64_t>(good);
    const auto b = reinterpret_cast<std::uint64_t>(back);
    const std::uint64_t kernel = 0x8020'0000;
    const std::uint64_t unmapped = 0x20'0000'0000;
    const std::uint64_t text = reinterpret_cast<std::uint64_t>(&expect);
    co_await both("write 3 bytes (twice: 6 buffered)", p[1], g, 3, false, 3);
    co_await both("read 3 bytes (twice: all 6)", p[0], b, 3, true, 3);
    co_await both("write 0 bytes", p[1], g, 0, false, 0);
    co_await both("read 0 bytes", p[0], b, 0, true, 0);
    co_await both("write to the console", 1, reinterpret_cast<std::uint64_t>("."), 1, false, 1);
    co_await both("read a bad fd", 9, b, 1, true, err(Errno::BadFd));
    co_await both("write a bad fd", 15, g, 1, false, err(Errno::BadFd));
    co_await both("read a huge fd", 1 << 30, b, 1, true, err(Errno::BadFd));
    co_await both("read a negative fd", -1, b, 1, true, err(Errno::BadFd));
    co_await both("read the write end", p[1], b, 1, true, err(Errno::BadFd));
    co_await both("write the read end", p[0], g, 1, false, err(Errno::BadFd));
    co_await both("write the console input", 0, g, 1, false, err(Errno::BadFd));
    co_await both("read into the kernel", p[0], kernel, 4, true, err(Errno::Fault));
    co_await both("read into unmapped memory", p[0], unmapped, 4, true, err(Errno::Fault));
    co_await both("read into the program's text", p[0], text, 4, true, err(Errno::Fault));
    co_await both("write from the kernel", p[1], kernel, 4, false, err(Errno::Fault));
    co_await both("write from unmapped memory", 1, unmapped, 4, false, err(Errno::Fault));
    co_await both("read past the end of user space", p[0], ~std::uint64_t{0} - 1, 4, true, err(Errno::Fault));
    // Sleep: 0 ticks finishes at once; 2 ticks waits.
    expect(sys::sleep(0) == 0 && co_await async_sys::sleep(0) == 0, "sleep(0)");
    expect(sys::sleep(2) == 0 && co_await async_sys::sleep(2) == 0, "sleep(2)");
    // End of file once every write end is closed; EPIPE once every read end is.
    const int extra = static_cast<int>(user::dup(p[1]));
    expect(extra > p[1], "dup gives a new fd", extra);
    expect(user::close(p[1]) == 0, "close the write end");
    co_await both("write through the dup", extra, g, 2, false, 2);
    co_await both("read what the dup wrote (twice: 4 bytes)", p[0], b, 2, true, 2);
    expect(user::close(extra) == 0, "close the dup");
    co_await both("read at end of file", p[0], b, 4, true, 0);
    int q[2];
    expect(user::pipe(q) == 0, "a second pipe()");
    expect(user::close(q[0]) == 0, "close its read end");
    co_await both("write with no reader", q[1], g, 4, false, err(abi::kErrBrokenPipe));
    expect(user::close(q[0]) == err(Errno::BadFd), "close a closed fd");
    expect(user::close(99) == err(Errno::BadFd), "close a bad fd");
    expect(user::dup(99) == err(Errno::BadFd), "dup a bad fd");
    expect(user::pipe(*reinterpret_cast<int(*)[2]>(kernel)) == err(Errno::Fault), "pipe() into the kernel");
    // The table is bounded: fill it, then one more is EMFILE.
    long last = 0;
    int opened = 0;
    while ((last = user::dup(1)) >= 0) {
        ++opened;
    }
    expect(last == abi::error_return(abi::kErrTooManyFiles), "dup past the table is EMFILE", last);
    expect(user::io_info(2) == static_cast<long>(abi::kMaxFds), "the table is full", user::io_info(2));
    const auto s = user::async_stats();
    expect(s.issued > 0 && s.at_once == s.issued - 1, "only the async sleep of 2 ticks went through the ring",
           static_cast<long>(s.issued - s.at_once));
    user::exit(g_failed);
}

// --- backpressure ----------------------------------------------------------------
constexpr std::size_t kStream = 5000;  // ten times the pipe's buffer
char g_out[kStream];
char g_in[kStream];

sched::Task<void> big_writer() {
    for (std::size_t i = 0; i < kStream; ++i) {
        g_out[i] = static_cast<char>('a' + i % 23);
    }
    const long n = co_await async_sys::write(g_p[1], g_out, kStream);
    expect(n == static_cast<long>(kStream), "the whole stream is written", n);
    user::close(g_p[1]);
    one_done();
}

sched::Task<void> slow_reader() {
    std::size_t got = 0;
    int reads = 0;
    for (;;) {
        co_await async_sys::sleep(1);  // let the writer fill the pipe and block
        const long n = co_await async_sys::read(g_p[0], g_in + got, 700);
        if (n <= 0) {
            expect(n == 0, "the stream ends with end of file", n);
            break;
        }
        got += static_cast<std::size_t>(n);
        ++reads;
    }
    expect(got == kStream && std::memcmp(g_in, g_out, kStream) == 0, "every byte arrives, in order",
           static_cast<long>(got));
    expect(reads >= 10, "the writer had to wait for the reader many times", reads);
    one_done();
}

// --- ring / many / early ---------------------------------------------------------
int g_completions = 0;
int g_bytes = 0;

sched::Task<void> one_byte_reader(int fd) {
    char c = 0;
    const long n = co_await async_sys::read(fd, &c, 1);
    expect(n == 1, "each read gets one byte", n);
    g_bytes += n > 0 ? static_cast<int>(n) : 0;
    ++g_completions;
    one_done();
}

long early_writer(void* arg) {
    // Another user thread (another hart, often): each byte it writes may finish a read
    // whose coroutine has not blocked yet.
    const auto n = reinterpret_cast<std::uintptr_t>(arg);
    const char c = 'e';
    for (std::uintptr_t i = 0; i < n; ++i) {
        if (user::write(g_p[1], &c, 1) != 1) {
            return 1;
        }
    }
    return 0;
}

long sync_reader(void*) {
    char c;
    (void)user::read(g_p[0], &c, 1);  // the sync form: this thread blocks in the kernel
    return 0;
}

// --- cap ------------------------------------------------------------------------
int g_refused = 0;

sched::Task<void> capped_reader(int fd) {
    char c;
    const long r = co_await async_sys::read(fd, &c, 1);
    if (r != err(Errno::Again)) {
        user::println("async_check cap: a read returned {}, not EAGAIN", r);
        user::exit(99);
    }
    ++g_refused;
}

// --- disk -----------------------------------------------------------------------
/// The marker the host looks for in the image after `async_check disk` (sector 100).
constexpr char kDiskMarker[] = "COPS-DISK-SECTOR-100";
char g_sector[4096];
char g_back[4096];

sched::Task<void> disk_checks() {
    const int fd = static_cast<int>(user::open_disk());
    expect(fd >= 0, "open_disk", fd);
    const long sectors = user::io_info(3);
    expect(sectors >= 200, "the disk has room for the checks", sectors);
    for (int i = 0; i < 1024; ++i) {
        g_sector[i] = static_cast<char>('A' + i % 26);
    }
    // Write two sectors (sync), then one at 4096 (async), flush both ways, read back both ways.
    expect(sys::write(fd, g_sector, 1024) == 1024, "sync write of 2 sectors");
    expect(user::seek(fd, 4096) == 4096, "seek to sector 8");
    expect(co_await async_sys::write(fd, g_sector + 512, 512) == 512, "async write of 1 sector");
    expect(sys::fsync(fd) == 0 && co_await async_sys::fsync(fd) == 0, "fsync in both forms");
    expect(user::seek(fd, 0) == 0, "seek to 0");
    expect(co_await async_sys::read(fd, g_back, 1024) == 1024 && std::memcmp(g_back, g_sector, 1024) == 0,
           "async read-after-write of 2 sectors");
    expect(user::seek(fd, 4096) == 4096, "seek to sector 8 again");
    expect(sys::read(fd, g_back, 512) == 512 && std::memcmp(g_back, g_sector + 512, 512) == 0,
           "sync read-after-write of sector 8");
    // The position moved with each transfer: sector 9 now.
    expect(sys::read(fd, g_back, 512) == 512, "the next sector reads");
    // Errors, the same in both forms.
    expect(sys::write(fd, g_sector, 100) == err(Errno::Invalid) &&
               co_await async_sys::write(fd, g_sector, 100) == err(Errno::Invalid),
           "a partial sector is EINVAL");
    expect(sys::read(fd, g_back, 8192) == err(Errno::Invalid), "more than 4096 bytes is EINVAL");
    expect(user::seek(fd, 3) == err(Errno::Invalid), "an unaligned seek is EINVAL");
    expect(user::seek(fd, (static_cast<std::uint64_t>(sectors) + 1) * 512) == err(Errno::Invalid),
           "a seek past the end is EINVAL");
    expect(sys::read(fd, reinterpret_cast<void*>(0x8020'0000), 512) == err(Errno::Fault), "a kernel buffer is EFAULT");
    expect(sys::fsync(1) == err(Errno::Invalid), "fsync of the console is EINVAL");
    expect(sys::fsync(60) == err(Errno::BadFd), "fsync of a bad fd is EBADF");
    // A read past the disk's end: the device refuses it.
    expect(user::seek(fd, static_cast<std::uint64_t>(sectors) * 512) == sectors * 512, "seek to the end");
    expect(sys::read(fd, g_back, 512) == abi::error_return(abi::kErrIo) &&
               co_await async_sys::read(fd, g_back, 512) == abi::error_return(abi::kErrIo),
           "a read past the end is EIO");
    // The marker for the host.
    std::memset(g_sector, 0, 512);
    std::memcpy(g_sector, kDiskMarker, sizeof kDiskMarker);
    expect(user::seek(fd, 100 * 512) == 100 * 512, "seek to sector 100");
    expect(co_await async_sys::write(fd, g_sector, 512) == 512 && sys::fsync(fd) == 0, "the marker is written");
    expect(user::close(fd) == 0, "close the disk");
    user::exit(g_failed);
}

/// With the image behind blkdebug (reads fail with EIO, see harness/tests/test_disk.py),
/// the error reaches the program, in both forms, and the process and kernel carry on.
sched::Task<void> disk_error_checks() {
    const int fd = static_cast<int>(user::open_disk());
    expect(fd >= 0, "open_disk", fd);
    expect(user::seek(fd, 8 * 512) == 8 * 512, "seek to sector 8");
    expect(sys::read(fd, g_back, 512) == abi::error_return(abi::kErrIo), "the injected error, sync form");
    expect(user::seek(fd, 8 * 512) == 8 * 512, "seek to sector 8 again");
    expect(co_await async_sys::read(fd, g_back, 512) == abi::error_return(abi::kErrIo),
           "the injected error, async form");
    expect(user::close(fd) == 0, "close the disk after the errors");
    user::exit(g_failed);
}

// --- console ------------------------------------------------------------------
/// Reads the line the test runner types (ch2's tests/kernel/serial_input.txt) with the
/// async form, while a sibling keeps running.
int g_console_sibling_runs = 0;
bool g_console_done = false;

sched::Task<void> console_reader() {
    char line[64] = {};
    const long n = co_await async_sys::read(0, line, sizeof line - 1);
    g_console_done = true;
    expect(n > 0 && std::string_view(line, static_cast<std::size_t>(n)).starts_with("cops: typed by the test runner"),
           "the typed line arrives through the async read", n);
    expect(g_console_sibling_runs > 0, "the sibling ran while the console read waited", g_console_sibling_runs);
    user::exit(g_failed);
}

sched::Task<void> console_sibling() {
    while (!g_console_done) {
        ++g_console_sibling_runs;
        (void)co_await async_sys::sleep(1);
    }
}

// --- inflight / waiter -----------------------------------------------------------
sched::Task<void> forever_reader(int fd) {
    char c;
    (void)co_await async_sys::read(fd, &c, 1);
    user::println("async_check: a read that nobody feeds returned");
    user::exit(99);
}

sched::Task<void> forever_sleeper() {
    (void)co_await async_sys::sleep(1'000'000);
    user::exit(98);
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    const std::string_view what = argc > 1 ? argv[1] : "";
    const std::uint64_t n = argc > 2 ? lib::parse_u64(argv[2], 0) : 0;
    g_case = argc > 1 ? argv[1] : "?";
    if (user::pipe(g_p) != 0) {
        user::println("async_check: pipe() failed");
        co_return 100;
    }
    // More urgent than main (32), so that they start, and block, before main goes on.
    const sched::Priority level{20};
    if (what == "siblings") {
        g_left = 2;
        user::spawn(blocked_reader(), level);
        user::spawn(busy_sibling(), level);
    } else if (what == "forms") {
        user::spawn(forms(), level);
    } else if (what == "backpressure") {
        g_left = 2;
        user::spawn(big_writer(), level);
        user::spawn(slow_reader(), level);
    } else if (what == "ring" || what == "many" || what == "heldexit") {
        g_left = static_cast<int>(n);
        for (std::uint64_t i = 0; i < n; ++i) {
            if (user::spawn(one_byte_reader(g_p[0]), level) < 0) {
                user::println("async_check: cannot spawn reader {}", i);
                co_return 100;
            }
        }
        char bytes[256];
        std::memset(bytes, 'r', sizeof bytes);
        if (what == "ring" || what == "heldexit") {
            // Let every reader issue its read first, then write all bytes and sleep
            // (sync: this thread drains nothing) while the completions pile up.
            while (user::io_info(0) < static_cast<long>(n)) {
                co_await sched::yield();
            }
            expect(sys::write(g_p[1], bytes, n) == static_cast<long>(n), "the write");
            while (user::io_info(0) > 0) {
                (void)sys::sleep(1);
            }
            const long held = user::io_info(1);
            const long over = static_cast<long>(n) - static_cast<long>(abi::kRingEntries);
            expect(held == (over > 0 ? over : 0), "the kernel holds what does not fit the ring", held);
            if (what == "heldexit") {
                user::exit(g_failed);  // with the ring full and completions held: the kernel drops them
            }
        } else {
            for (std::uint64_t i = 0; i < n; ++i) {
                expect(co_await async_sys::write(g_p[1], bytes, 1) == 1, "a one-byte write");
            }
        }
    } else if (what == "early") {
        g_left = static_cast<int>(n);
        if (user::thread_create(early_writer, reinterpret_cast<void*>(static_cast<std::uintptr_t>(n))) < 0) {
            co_return 100;
        }
        for (std::uint64_t i = 0; i < n; ++i) {
            if (user::spawn(one_byte_reader(g_p[0]), level) < 0) {
                user::println("async_check: cannot spawn reader {}", i);
                co_return 100;
            }
            co_await sched::yield();
        }
    } else if (what == "cap") {
        for (std::uint64_t i = 0; i < n; ++i) {
            if (user::spawn(capped_reader(g_p[0]), level) < 0) {
                user::println("async_check: cannot spawn reader {}", i);
                co_return 100;
            }
        }
        while (user::io_info(0) + g_refused < static_cast<long>(n)) {
            co_await sched::yield();
        }
        user::println("async_check cap: {} calls in flight, {} refused with EAGAIN", user::io_info(0), g_refused);
        co_await sched::block();  // stays, with its calls in flight, until it is killed
    } else if (what == "sleeps") {
        if (n != 0) {
            (void)user::syscall(abi::Sys::LowerCeiling, 63);
        }
        (void)user::syscall(abi::Sys::Sleep, 1, 0, 0, 0, 6, 12345);  // async, for a cid nobody has
        (void)sys::sleep(2);
        (void)sys::sleep(2);
        co_return 0;
    } else if (what == "console") {
        user::spawn(console_reader(), level);
        user::spawn(console_sibling(), level);
    } else if (what == "disk") {
        user::spawn(disk_checks(), level);
    } else if (what == "diskerr") {
        user::spawn(disk_error_checks(), level);
    } else if (what == "inflight") {
        for (int i = 0; i < 8; ++i) {
            user::spawn(forever_reader(g_p[0]), level);
        }
        user::spawn(forever_sleeper(), level);
        if (user::thread_create(sync_reader, nullptr) < 0) {
            co_return 100;
        }
        while (user::io_info(0) < 10) {
            co_await sched::yield();
        }
        user::exit(0);  // with 10 calls in flight
    } else if (what == "waiter") {
        for (int i = 0; i < 4; ++i) {
            user::spawn(forever_reader(g_p[0]), level);
        }
        char c;
        (void)co_await async_sys::read(g_p[0], &c, 1);  // main blocks too: nothing is ready
        co_return 97;
    } else {
        user::println(
            "usage: async_check siblings|forms|backpressure|ring N|heldexit N|many N|early N|cap "
            "N|disk|diskerr|inflight|waiter");
        co_return 100;
    }
    co_await sched::block();  // the last coroutine ends the process
    co_return 101;
}
