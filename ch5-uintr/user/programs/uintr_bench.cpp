/// @file uintr_bench.cpp
/// @brief Workloads for `make bench CH=5`; each prints its figures as bench lines
/// (# bench ...), timed from inside with rdinstret (hart 0 only: the kernel runs
/// them with sched::Hart0Only) or, for `xhart`, with the virtual clock:
///   uintr_bench csr N          N emulated `csrr uscratch` (each traps: illegal instruction)
///   uintr_bench self MODE N    N interrupts a thread sends itself, send to back after uret:
///                              MODE vdso (vDSO send, trampoline, ecall-uret) or raw
///                              (uipi_send, a raw handler, uret: every step emulated)
///   uintr_bench split MODE N   N async reads that wait; from the write that completes one
///                              until its coroutine runs again. MODE ring (ch4: the process
///                              is made runnable, its loop drains the ring), vdso or raw
///                              (a completion receiver thread's handler drains it)
///   uintr_bench blocking N     the same wait as a sync read blocking a user thread
///   uintr_bench xhart N        a send to a receiver spinning on another hart: the send's
///                              instructions (QEMU runs one hart at a time under -icount, and
///                              rdinstret follows the one shared count, so only a span that no
///                              other hart interrupts is one hart's cost), and the latency
///                              until the handler runs on the virtual clock
#include <atomic>
#include <string_view>

#include "cops/lib/parse.hpp"
#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/print.hpp"
#include "cops/user/thread.hpp"
#include "cops/user/uintr.hpp"

using namespace cops;
namespace async_sys = cops::user::async_sys;
namespace sys = cops::user::sys;
namespace uintr = cops::user::uintr;
namespace u = cops::abi::uintr;

namespace {
long g_rounds = 0;
std::string_view g_mode;

void print_per(std::string_view metric, std::uint64_t total, long events, std::string_view unit = "insn") {
    const auto n = static_cast<std::uint64_t>(events > 0 ? events : 1);
    user::println("# bench uintr/costs {} {}.{:02} {}", metric, total / n, total * 100 / n % 100, unit);
}

std::uint64_t now_virtual_ns() {
    std::uint64_t t;
    asm volatile("rdtime %0" : "=r"(t));
    return t * 100;  // 10 MHz timebase; under -icount shift=0 one instruction is 1 ns
}

// --- csr ------------------------------------------------------------------------
void bench_csr() {
    std::uint64_t v = 0;
    const std::uint64_t t0 = user::instructions();
    for (long i = 0; i < g_rounds; ++i) {
        asm volatile("csrr %0, 0x040" : "=r"(v)::"memory");
    }
    const std::uint64_t raw = user::instructions() - t0;
    u::Slot* s = uintr::my_slot();
    const std::uint64_t t1 = user::instructions();
    for (long i = 0; i < g_rounds; ++i) {
        v += uintr::disable(s) ? 1 : 0;  // the vDSO's memory-backed form of a CSR access
    }
    const std::uint64_t vdso = user::instructions() - t1;
    print_per("csr-access-trap-and-emulate", raw, g_rounds);
    print_per("csr-access-vdso", vdso, g_rounds);
    (void)v;
}

// --- self -----------------------------------------------------------------------
std::atomic<std::uint64_t> g_runs{0};
void on_self(u::Slot* s) {
    (void)uintr::take_pending(s);
    g_runs.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

extern "C" {
std::atomic<std::uint64_t> g_bench_raw_runs{0};
void raw_completion_body();
void raw_self_handler();
void raw_completion_entry();
}

// A handler using only raw instructions: acknowledge, read the bits, count, uret.
asm(R"(
    .text
    .balign 4
    .globl raw_self_handler
raw_self_handler:
    addi sp, sp, -16
    sd t0, 0(sp)
    sd t1, 8(sp)
    csrci 0x044, 1
    .insn i 0x7b, 2, t0, x0, 32
    la t1, g_bench_raw_runs
    li t0, 1
    amoadd.d zero, t0, (t1)
    ld t0, 0(sp)
    ld t1, 8(sp)
    addi sp, sp, 16
    .word 0x00200073

    .balign 4
    .globl raw_completion_entry
raw_completion_entry:
    addi sp, sp, -256
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, \n*8(sp)
    .endr
    call raw_completion_body
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, \n*8(sp)
    .endr
    addi sp, sp, 256
    .word 0x00200073
)");

namespace {
void bench_self(bool raw) {
    const long rid = uintr::become_receiver(on_self);
    const long h = uintr::register_sender(rid, 1);
    if (raw) {
        asm volatile("csrw 0x005, %0" ::"r"(&raw_self_handler) : "memory");
    }
    const std::uint64_t t0 = user::instructions();
    for (long i = 0; i < g_rounds; ++i) {
        if (raw) {
            asm volatile(".insn i 0x7b, 2, x0, %0, 0" ::"r"(h) : "memory");  // uipi_send
        } else {
            (void)uintr::send(h);
        }
    }
    const std::uint64_t spent = user::instructions() - t0;
    const std::uint64_t runs = raw ? g_bench_raw_runs.load() : g_runs.load();
    print_per(raw ? "self-interrupt-round-trip-trap-and-emulate" : "self-interrupt-round-trip-vdso", spent, g_rounds);
    if (runs != static_cast<std::uint64_t>(g_rounds)) {
        user::println("uintr_bench: {} interrupts for {} sends", runs, g_rounds);
        user::exit(4);
    }
}

// --- split ----------------------------------------------------------------------
std::uint64_t g_t2 = 0;
std::uint64_t g_completion_to_resume = 0;
sched::Cid g_writer{};
int g_pipe[2];
std::atomic<long> g_raw_ready{0};

long raw_receiver_thread(void*) {
    const long rid = uintr::register_receiver();
    asm volatile("csrw 0x005, %0\ncsrsi 0x004, 1\ncsrsi 0x000, 1" ::"r"(&raw_completion_entry) : "memory");
    const long r = rid < 0 ? rid : user::syscall(u::kSysUseForCompletions, u::kCompletionVector);
    g_raw_ready.store(r < 0 ? r : 1);
    for (;;) {
        (void)uintr::wait();
    }
}

sched::Task<void> split_reader() {
    char c;
    for (long i = 0; i < g_rounds; ++i) {
        (void)user::wake(g_writer);
        (void)co_await async_sys::read(g_pipe[0], &c, 1);
        g_completion_to_resume += user::instructions() - g_t2;
    }
    char metric[64];
    print_per(lib::format_buffer(metric, sizeof metric, "completion-to-resume-{}", g_mode), g_completion_to_resume,
              g_rounds);
    user::exit(0);
}

sched::Task<void> split_writer() {
    const char c = 'w';
    for (;;) {
        co_await sched::block();             // the reader wakes it before each read
        (void)co_await async_sys::sleep(0);  // let the reader's read reach the kernel and wait
        (void)sys::write(g_pipe[1], &c, 1);  // completes the waiting read
        g_t2 = user::instructions();
    }
}

// --- blocking -------------------------------------------------------------------
std::atomic<std::uint64_t> g_block_t2{0};
std::atomic<std::uint32_t> g_block_go{0};
long blocking_writer(void*) {
    const char c = 'w';
    for (long i = 0; i < g_rounds; ++i) {
        while (!g_block_go.exchange(0)) {
            (void)user::yield();
        }
        (void)user::yield();  // the reader's read is waiting by now
        (void)sys::write(g_pipe[1], &c, 1);
        g_block_t2.store(user::instructions());
    }
    return 0;
}

void bench_blocking() {
    const long tid = user::thread_create(blocking_writer, nullptr);
    std::uint64_t total = 0;
    char c;
    for (long i = 0; i < g_rounds; ++i) {
        g_block_go.store(1);
        (void)sys::read(g_pipe[0], &c, 1);
        total += user::instructions() - g_block_t2.load();
    }
    (void)user::thread_join(tid);
    print_per("completion-to-resume-blocking-thread", total, g_rounds);
}

// --- xhart ----------------------------------------------------------------------
std::atomic<std::uint64_t> g_seen{0};
std::atomic<std::uint64_t> g_handled_at{0};
std::atomic<bool> g_done{false};
std::atomic<long> g_receiver{-1};
void on_xhart(u::Slot* s) {
    g_handled_at.store(now_virtual_ns());
    (void)uintr::take_pending(s);
    g_seen.fetch_add(1);
}
long xhart_receiver(void*) {
    g_receiver.store(uintr::become_receiver(on_xhart));
    while (!g_done.load(std::memory_order_relaxed)) {
        asm volatile("" ::: "memory");  // spins in user mode on its own hart
    }
    return user::hart_id();
}

void bench_xhart() {
    const long tid = user::thread_create(xhart_receiver, nullptr);
    while (g_receiver.load() < 0) {
        (void)user::yield();
    }
    const long h = uintr::register_sender(g_receiver.load(), 4);
    std::uint64_t total = 0;
    std::uint64_t sender = 0;
    for (long i = 0; i < g_rounds; ++i) {
        const std::uint64_t seen = g_seen.load();
        const std::uint64_t t0 = now_virtual_ns();
        const std::uint64_t s0 = user::instructions();
        (void)uintr::send(h);
        sender += user::instructions() - s0;
        while (g_seen.load() == seen) {}
        total += g_handled_at.load() - t0;
    }
    g_done.store(true);
    const long other = user::thread_join(tid);
    if (other == user::hart_id()) {
        user::println("uintr_bench: the receiver ran on this hart too; the figures are not cross-hart");
    }
    print_per("cross-hart-send-sender-side", sender, g_rounds);
    print_per("send-to-handler-on-another-hart", total, g_rounds, "virtual-ns");
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    if (argc < 3) {
        co_return 2;
    }
    const std::string_view what = argv[1];
    const bool moded = what == "self" || what == "split";
    g_mode = moded ? argv[2] : "";
    g_rounds = static_cast<long>(lib::parse_u64(argv[moded ? 3 : 2], 0));
    if (what == "csr") {
        bench_csr();
    } else if (what == "self") {
        bench_self(g_mode == "raw");
    } else if (what == "blocking") {
        if (user::pipe(g_pipe) != 0)
            co_return 3;
        bench_blocking();
    } else if (what == "xhart") {
        bench_xhart();
    } else if (what == "split") {
        if (user::pipe(g_pipe) != 0)
            co_return 3;
        if (g_mode == "vdso") {
            if (uintr::start_completion_receiver() != 0)
                co_return 5;
            user::set_loop_hook(nullptr);
        } else if (g_mode == "raw") {
            (void)user::thread_create(raw_receiver_thread, nullptr);
            while (g_raw_ready.load() == 0) {
                (void)user::yield();
            }
            if (g_raw_ready.load() < 0)
                co_return 5;
            user::set_loop_hook(nullptr);
        }
        g_writer = sched::Cid{static_cast<std::uint64_t>(user::spawn(split_writer(), sched::Priority{34}))};
        (void)user::spawn(split_reader(), sched::Priority{33});
        co_await sched::block();  // the reader exits
    } else {
        co_return 2;
    }
    co_return 0;
}

extern "C" void raw_completion_body() {
    asm volatile("csrci 0x044, 1\n.insn i 0x7b, 2, x0, x0, 32" ::: "memory");  // acknowledge, take the bits
    (void)user::drain_completions();
}
