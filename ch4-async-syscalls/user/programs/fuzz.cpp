/// @file fuzz.cpp
/// @brief A seeded system-call fuzzer for the kit's ABI (chapters 3 and 4), and a
/// bystander that must come through it untouched.
///
///     fuzz run SEED CALLS     CALLS random calls: numbers from the ABI's table (and
///                             now and then any number), arguments from a pool of bad
///                             and good values (kernel, unmapped and read-only
///                             addresses, huge lengths, bad fds, pids and levels)
///     fuzz bystander TICKS    sleeps a tick at a time, checking its own memory; exits 0
///                             if nothing changed it
///
/// What it leaves out, because it would only hurt the fuzzer itself: exit, thread
/// exit, kill of itself, park, thread_create (a random entry point faults the whole
/// process) and thread_join, sync reads (an empty pipe of its own would block it for
/// ever), and addresses of its own executor and ring pages as buffers the kernel writes.
/// Calls that may wait are made in the async form: they block nothing, and their
/// completions come back with made-up cids that name no coroutine.
///
/// Later chapters add their own calls (ch5's user interrupts, ch6's sockets) with
/// COPS_FUZZ_CALL (cops/user/fuzz_calls.hpp); when any are linked in, one call in
/// five comes from that table.
#include <cstdint>
#include <string_view>

#include "cops/abi/io_abi.hpp"
#include "cops/lib/parse.hpp"
#include "cops/mm/user_layout.hpp"
#include "cops/sched/suspend.hpp"
#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/fuzz_calls.hpp"
#include "cops/user/print.hpp"

using namespace cops;
using abi::Sys;

namespace {
std::uint64_t g_state = 1;

/// xorshift64*: the same seed gives the same calls.
std::uint64_t next() {
    g_state ^= g_state >> 12;
    g_state ^= g_state << 25;
    g_state ^= g_state >> 27;
    return g_state * 2685821657736338717ULL;
}

// A real buffer, so some calls succeed and move data. The kernel writes at most 4096
// bytes per call (a disk transfer; a pipe holds 512), and no good pointer below lies
// within 4096 bytes of its end: the fuzzer never overwrites its own runtime.
char g_buffer[16384];

/// A pointer argument: mostly bad ones.
std::uint64_t pointer() {
    const auto good = reinterpret_cast<std::uint64_t>(g_buffer);
    const std::uint64_t pool[] = {
        0,
        1,
        0x8020'0000,                             // the kernel image
        0x8000'0000,                             // the firmware
        0x1000'0000,                             // a device's registers
        0x1'0000'0000 - 8,                       // the last bytes below user space (4 GiB)
        0x20'0000'0000,                          // user space, never mapped
        ~std::uint64_t{0} - 15,                  // wraps around
        std::uint64_t{1} << 63,                  // not canonical
        mm::kGlobalViewAddress,                  // mapped read-only
        mm::kVdsoBase,                           // code: read and execute only
        reinterpret_cast<std::uint64_t>(&next),  // the program's own text
        good,
        good + 4096,
        good + 8192 - 7,  // unaligned
    };
    return pool[next() % (sizeof pool / sizeof pool[0])];
}

/// A length argument.
std::uint64_t length() {
    const std::uint64_t pool[] = {0, 1, 7, 512, 513, 4096, 8192, 1ULL << 20, 1ULL << 40, ~std::uint64_t{0}};
    return pool[next() % (sizeof pool / sizeof pool[0])];
}

/// A file descriptor: real ones, closed ones and impossible ones.
std::uint64_t fd() {
    const std::uint64_t pool[] = {0, 1, 2, 3, 4, 5, 6, 7, 15, 16, 63, 64, 65, 1000, ~std::uint64_t{0}, 1ULL << 32};
    return pool[next() % (sizeof pool / sizeof pool[0])];
}

/// A pid: never this process's own.
std::uint64_t pid() {
    std::uint64_t p;
    do {
        const std::uint64_t pool[] = {0, 1, 2, 3, 4, 5, 100, 255, 256, 99999, ~std::uint64_t{0}, next()};
        p = pool[next() % (sizeof pool / sizeof pool[0])];
    } while (p == static_cast<std::uint64_t>(user::getpid()));
    return p;
}

/// Any word: small, huge, random.
std::uint64_t word() {
    switch (next() % 4) {
        case 0: return next() % 8;
        case 1: return next() % 70;
        case 2: return ~std::uint64_t{0} - next() % 4;
        default: return next();
    }
}

/// The async-form extra arguments: a made-up cid (never 0) and a garbage level.
std::uint64_t fake_cid() { return next() | 1; }

struct Counts {
    std::uint64_t calls = 0;
    std::uint64_t failed = 0;       // negative results
    std::uint64_t layer_calls = 0;  // from the later chapters' table
};

/// The calls later chapters added (fuzz_calls.hpp), gathered at the start; none in chapter 4.
const user::fuzz::Call* g_layer_calls[64];
std::uint64_t g_layer_call_count = 0;
/// Numbers later chapters said never to make at random (COPS_FUZZ_AVOID).
long g_avoid[16];
unsigned g_avoid_count = 0;

void gather_layer_calls() {
    for (const user::fuzz::Call* c = __cops_fuzz_calls_start; c != __cops_fuzz_calls_end; ++c) {
        if (c->make != nullptr && g_layer_call_count < sizeof g_layer_calls / sizeof g_layer_calls[0]) {
            g_layer_calls[g_layer_call_count++] = c;
        } else if (c->make == nullptr && g_avoid_count < sizeof g_avoid / sizeof g_avoid[0]) {
            g_avoid[g_avoid_count++] = c->avoid;
        }
    }
}

std::uint64_t layer_call_count() { return g_layer_call_count; }

bool avoided(std::uint64_t number) {
    for (unsigned i = 0; i < g_avoid_count; ++i) {
        if (static_cast<std::uint64_t>(g_avoid[i]) == number) {
            return true;
        }
    }
    return false;
}

/// One random call.
void one_call(Counts& n) {
    long r = 0;
    // A seed gives the same calls as before in a kernel with no layer calls: the
    // draw for the table is made only when it has entries.
    if (layer_call_count() > 0 && next() % 5 == 0) {
        static constexpr user::fuzz::Pools kPools{next, pointer, length, fd, pid, word, fake_cid};
        r = g_layer_calls[next() % layer_call_count()]->make(kPools);
        ++n.calls;
        ++n.layer_calls;
        n.failed += r < 0 ? 1 : 0;
        return;
    }
    switch (next() % 20) {
        case 0: r = user::syscall(Sys::Write, fd(), pointer(), length(), 0, word(), fake_cid()); break;
        case 1: r = user::syscall(Sys::Read, fd(), pointer(), length(), 0, word(), fake_cid()); break;
        case 2: r = user::syscall(Sys::Write, 1, pointer(), next() % 2, 0, 0, 0); break;  // sync, to the console
        case 3: r = user::syscall(Sys::Yield); break;
        case 4:
            r = user::syscall(Sys::Spawn,
                              next() % 2 ? pointer() : reinterpret_cast<std::uint64_t>("no-such-program x"));
            break;
        case 5: r = user::syscall(Sys::Wait, pid(), pointer()); break;
        case 6: r = user::syscall(Sys::Sleep, next() % 3, 0, 0, 0, word(), next() % 2 ? fake_cid() : 0); break;
        case 7: r = user::syscall(Sys::Kill, pid()); break;
        case 8: r = user::syscall(Sys::LowerCeiling, word()); break;
        case 9: r = user::syscall(Sys::SchedInfo, word()); break;
        case 10: r = user::syscall(abi::kSysPipe, pointer()); break;
        case 11: r = user::syscall(abi::kSysClose, fd()); break;
        case 12: r = user::syscall(abi::kSysDup, fd()); break;
        case 13: r = user::syscall(abi::kSysTakeHeld); break;
        case 14: r = user::syscall(abi::kSysIoInfo, word()); break;
        case 15: r = user::syscall(abi::kSysOpenDisk); break;
        case 16: r = user::syscall(abi::kSysSeek, fd(), next() % 3 ? (next() % 4096) * 512 : word()); break;
        case 17: r = user::syscall(abi::kSysFsync, fd(), 0, 0, 0, word(), fake_cid()); break;
        case 18: r = user::syscall(Sys::ThreadJoin, 40 + next() % 1000); break;  // no such thread
        default: {
            // Any number at all, but the ones that would end or stop the fuzzer.
            const std::uint64_t number = next() % 200;
            const bool harmful =
                number == static_cast<std::uint64_t>(Sys::Exit) ||
                number == static_cast<std::uint64_t>(Sys::ThreadExit) ||
                number == static_cast<std::uint64_t>(Sys::Park) ||
                number == static_cast<std::uint64_t>(Sys::ThreadCreate) ||
                number == static_cast<std::uint64_t>(Sys::ThreadJoin) ||
                number == static_cast<std::uint64_t>(Sys::Kill) || number == static_cast<std::uint64_t>(Sys::Read) ||
                number == static_cast<std::uint64_t>(Sys::Sleep) || number == static_cast<std::uint64_t>(Sys::Wait) ||
                number == static_cast<std::uint64_t>(abi::kSysFsync) || avoided(number);
            if (!harmful) {
                r = user::syscall(static_cast<Sys>(number), word(), word(), word(), word(), word(), word());
            }
            break;
        }
    }
    ++n.calls;
    n.failed += r < 0 ? 1 : 0;
}

sched::Task<int> fuzz(std::uint64_t seed, std::uint64_t calls) {
    g_state = seed != 0 ? seed : 1;
    gather_layer_calls();
    Counts n;
    for (std::uint64_t i = 0; i < calls; ++i) {
        one_call(n);
        if (i % 32 == 31) {
            co_await sched::yield();  // the runtime takes completions between turns
        }
    }
    const auto s = user::async_stats();
    user::println(
        "fuzz: seed {}: {} calls ({} of them from the {} calls later chapters added), {} failed as they should; "
        "{} completions taken ({} naming no coroutine)",
        seed, n.calls, n.layer_calls, layer_call_count(), n.failed, s.completed + s.stray, s.stray);
    co_return 0;
}

int bystander(std::uint64_t ticks) {
    for (std::size_t i = 0; i < sizeof g_buffer; ++i) {
        g_buffer[i] = static_cast<char>(i * 31 + 7);
    }
    const long me = user::getpid();
    for (std::uint64_t t = 0; t < ticks; ++t) {
        user::sleep(1);
        for (std::size_t i = 0; i < sizeof g_buffer; ++i) {
            if (g_buffer[i] != static_cast<char>(i * 31 + 7) || user::getpid() != me) {
                user::println("fuzz bystander: my memory changed at byte {}", i);
                return 1;
            }
        }
    }
    return 0;
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    const std::string_view what = argc > 1 ? argv[1] : "";
    if (what == "run" && argc == 4) {
        co_return co_await fuzz(lib::parse_u64(argv[2], 1), lib::parse_u64(argv[3], 0));
    }
    if (what == "bystander" && argc == 3) {
        co_return bystander(lib::parse_u64(argv[2], 0));
    }
    user::println("usage: fuzz run SEED CALLS | fuzz bystander TICKS");
    co_return 2;
}
