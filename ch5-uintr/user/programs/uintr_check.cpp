/// @file uintr_check.cpp
/// @brief `uintr_check CASE [ARGS]`: the checks of chapter 5's kernel tests, run inside
/// a process. Each case prints what went wrong and exits with the number of failed
/// checks (0: all good), so a kernel test compares the status with 0.
///
///     csr          every emulated CSR access, uipi_read/write and uret, written as raw
///                  instruction words: the N extension's read and write rules
///     deliver      masked interrupts stay pending and are taken when unmasked (vDSO
///                  path); a handler written with raw instructions gets the right
///                  ucause/uepc; vectored utvec
///     registers    a thread on another hart interrupts a loop that holds a pattern in
///                  every integer register: the loop sees every one intact
///     malformed K  runs malformed encoding K (0..5): the kernel must kill the process
///     rights       senders without the right are refused; a child's handle works, and
///                  fails with EPIPE once the child has exited
///     pingpong N   N notifications each way with a child process: none lost, none twice
///     kcuc N       N async reads on pipes completed by user interrupt (the KCUC path)
///     (child, deny, pong: the other halves, started by the cases above)
#include <atomic>
#include <cstdint>
#include <string_view>

#include "cops/lib/parse.hpp"
#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/print.hpp"
#include "cops/user/thread.hpp"
#include "cops/user/uintr.hpp"

using namespace cops;
namespace uintr = cops::user::uintr;
namespace u = cops::abi::uintr;
namespace async_sys = cops::user::async_sys;
using abi::Errno;

namespace {
int g_failed = 0;
const char* g_case = "?";

void expect(bool ok, std::string_view what, std::uint64_t got = 0) {
    if (!ok) {
        ++g_failed;
        user::println("uintr_check {}: FAIL {} (got {:#x})", g_case, what, got);
    }
}

constexpr long err(Errno e) { return abi::error_return(e); }

// --- raw instructions -------------------------------------------------------------
#define CSR_RW(csr, v)                                                          \
    [](std::uint64_t x) {                                                       \
        std::uint64_t old;                                                      \
        asm volatile("csrrw %0, " #csr ", %1" : "=r"(old) : "r"(x) : "memory"); \
        return old;                                                             \
    }(v)
#define CSR_READ(csr)                                       \
    [] {                                                    \
        std::uint64_t v;                                    \
        asm volatile("csrr %0, " #csr : "=r"(v)::"memory"); \
        return v;                                           \
    }()
#define CSR_SET(csr, v) asm volatile("csrs " #csr ", %0" ::"r"(std::uint64_t{v}) : "memory")
#define CSR_CLEAR(csr, v) asm volatile("csrc " #csr ", %0" ::"r"(std::uint64_t{v}) : "memory")

/// uipi_read: the pending bits, cleared.
std::uint64_t uipi_read() {
    std::uint64_t v;
    asm volatile(".insn i 0x7b, 2, %0, x0, 32" : "=r"(v)::"memory");  // funct7 1
    return v;
}
/// uipi_write: pending |= bits.
void uipi_write(std::uint64_t bits) { asm volatile(".insn i 0x7b, 2, x0, %0, 64" ::"r"(bits) : "memory"); }
/// uipi_send on @p handle.
void uipi_send(std::uint64_t handle) { asm volatile(".insn i 0x7b, 2, x0, %0, 0" ::"r"(handle) : "memory"); }

long emulated() { return uintr::info(2); }

// --- csr --------------------------------------------------------------------------
int case_csr() {
    const long before = emulated();
    u::Slot* s = uintr::my_slot();
    // utvec: modes 0 and 1 kept, 2 and 3 read as 0 (WARL); the memory view agrees.
    (void)CSR_RW(0x005, 0x1234'5679);
    expect(CSR_READ(0x005) == 0x1234'5679, "utvec keeps a vectored base", CSR_READ(0x005));
    expect(s->utvec.load() == 0x1234'5679, "the slot holds what csrw utvec wrote", s->utvec.load());
    (void)CSR_RW(0x005, 0x1234'567a);
    expect(CSR_READ(0x005) == 0x1234'5678, "utvec mode 2 reads as direct", CSR_READ(0x005));
    // ustatus: only UIE and UPIE.
    const std::uint64_t old = CSR_RW(0x000, ~0ULL);
    expect(old == 0, "ustatus starts at 0", old);
    expect(CSR_READ(0x000) == 0x11, "ustatus keeps only UIE and UPIE", CSR_READ(0x000));
    CSR_CLEAR(0x000, 0x1);
    expect(CSR_READ(0x000) == 0x10, "csrc ustatus clears UIE", CSR_READ(0x000));
    CSR_CLEAR(0x000, 0x10);
    // uie: USIE, UTIE, UEIE.
    (void)CSR_RW(0x004, ~0ULL);
    expect(CSR_READ(0x004) == 0x111, "uie keeps USIE, UTIE, UEIE", CSR_READ(0x004));
    (void)CSR_RW(0x004, 0);
    // uip: only USIP is writable from user mode.
    (void)CSR_RW(0x044, ~0ULL);
    expect(CSR_READ(0x044) == 0x1, "uip: only USIP written", CSR_READ(0x044));
    CSR_CLEAR(0x044, 1);
    expect(CSR_READ(0x044) == 0, "csrc uip clears USIP", CSR_READ(0x044));
    // uepc drops bit 0; uscratch, ucause, utval keep every bit.
    (void)CSR_RW(0x041, 0x1001);
    expect(CSR_READ(0x041) == 0x1000, "uepc bit 0 reads as 0", CSR_READ(0x041));
    (void)CSR_RW(0x040, 0xdead'beef'cafe'f00dULL);
    expect(CSR_READ(0x040) == 0xdead'beef'cafe'f00dULL, "uscratch keeps 64 bits", CSR_READ(0x040));
    (void)CSR_RW(0x042, 0x8000'0000'0000'0004ULL);
    expect(CSR_READ(0x042) == 0x8000'0000'0000'0004ULL, "ucause keeps 64 bits", CSR_READ(0x042));
    (void)CSR_RW(0x043, 0x55);
    expect(CSR_READ(0x043) == 0x55, "utval keeps its value", CSR_READ(0x043));
    // csrrw returns the old value; the immediate forms work.
    expect(CSR_RW(0x040, 7) == 0xdead'beef'cafe'f00dULL, "csrrw uscratch returns the old value");
    std::uint64_t v;
    asm volatile("csrrsi %0, 0x040, 8" : "=r"(v)::"memory");
    expect(v == 7 && CSR_READ(0x040) == 15, "csrrsi sets bits and returns the old value", CSR_READ(0x040));
    asm volatile("csrrci %0, 0x040, 3" : "=r"(v)::"memory");
    expect(v == 15 && CSR_READ(0x040) == 12, "csrrci clears bits", CSR_READ(0x040));
    asm volatile("csrrwi %0, 0x040, 31" : "=r"(v)::"memory");
    expect(v == 12 && CSR_READ(0x040) == 31, "csrrwi writes the immediate", CSR_READ(0x040));
    // uipi_write raises USIP with the bits; uipi_read takes and clears them.
    uipi_write(0b101);
    expect((CSR_READ(0x044) & 1) == 1, "uipi_write raises USIP", CSR_READ(0x044));
    expect(uipi_read() == 0b101, "uipi_read gives the written bits");
    expect(uipi_read() == 0, "uipi_read cleared them");
    CSR_CLEAR(0x044, 1);
    // uret: UIE = UPIE, UPIE = 1, pc = uepc.
    std::uint64_t after = 0;
    asm volatile(
        "la t0, 1f\n"
        "csrw 0x041, t0\n"
        "li t0, 0x10\n"
        "csrw 0x000, t0\n"
        ".word 0x00200073\n"  // uret
        "li %0, 1\n"          // skipped: uret went to uepc
        "1: csrr %0, 0x000\n"
        : "=r"(after)::"t0", "memory");
    expect(after == 0x11, "uret: UIE = UPIE, UPIE = 1, pc = uepc", after);
    (void)CSR_RW(0x000, 0);
    const long n = emulated() - before;
    expect(n >= 30, "the kernel counted the emulated instructions", static_cast<std::uint64_t>(n));
    return g_failed;
}

// --- deliver ----------------------------------------------------------------------
std::atomic<std::uint64_t> g_runs{0};
std::atomic<std::uint64_t> g_bits{0};
std::atomic<std::uint64_t> g_cause{0};
std::atomic<std::uint64_t> g_uepc{0};

void on_interrupt(u::Slot* s) {
    g_cause.store(uintr::cause(s));
    g_uepc.store(s->uepc.load());
    g_bits.fetch_or(uintr::take_pending(s));
    g_runs.fetch_add(1);
}

}  // namespace

// What raw_handler saw (named for the assembly below).
extern "C" {
std::atomic<std::uint64_t> g_raw_runs{0};
std::uint64_t g_raw_cause = 0;
std::uint64_t g_raw_uepc = 0;
std::uint64_t g_raw_bits = 0;
}

extern "C" void raw_handler();
// A handler written with the raw instructions only: save two registers, read ucause
// and uepc, acknowledge USIP, take the pending bits, count, uret.
asm(R"(
    .text
    .balign 4
    .globl raw_handler
raw_handler:
    addi sp, sp, -16
    sd t0, 0(sp)
    sd t1, 8(sp)
    csrr t0, 0x042
    la t1, g_raw_cause
    sd t0, 0(t1)
    csrr t0, 0x041
    la t1, g_raw_uepc
    sd t0, 0(t1)
    csrci 0x044, 1
    .insn i 0x7b, 2, t0, x0, 32
    la t1, g_raw_bits
    sd t0, 0(t1)
    la t1, g_raw_runs
    li t0, 1
    amoadd.d zero, t0, (t1)
    ld t0, 0(sp)
    ld t1, 8(sp)
    addi sp, sp, 16
    .word 0x00200073
)");

namespace {
int case_deliver() {
    const long rid = uintr::become_receiver(on_interrupt);
    expect(rid >= 0, "become_receiver", static_cast<std::uint64_t>(rid));
    const long h = uintr::register_sender(rid, 5);
    expect(h >= 0, "a sender to itself", static_cast<std::uint64_t>(h));
    u::Slot* s = uintr::my_slot();
    // Masked: the send stays pending.
    expect(uintr::disable(s), "disable reports UIE was set");
    expect(uintr::send(h) == 0, "send while masked");
    for (int i = 0; i < 20; ++i) {
        (void)user::getpid();  // traps: a chance for a wrong delivery
    }
    expect(g_runs.load() == 0, "a masked interrupt is not taken", g_runs.load());
    expect((s->uip.load() & 1) == 1 && s->pending.load() == (1ULL << 5), "it stays pending", s->pending.load());
    uintr::enable(s);  // the vDSO: taken at once
    expect(g_runs.load() == 1, "taken once when unmasked", g_runs.load());
    expect(g_bits.load() == (1ULL << 5), "the handler got vector 5", g_bits.load());
    expect(g_cause.load() == u::kUcauseInterrupt, "ucause = interrupt | USI", g_cause.load());
    expect(g_uepc.load() == u::vdso(u::VdsoEntry::Sync) + 4, "uepc = after the vDSO's sync point", g_uepc.load());
    expect((s->ustatus.load() & u::kUstatusUie) != 0, "uret enabled interrupts again", s->ustatus.load());
    // Unmasked: taken on the way back from the send itself.
    expect(uintr::send(h) == 0, "send while enabled");
    expect(g_runs.load() == 2, "taken on the return from the send", g_runs.load());
    expect(g_uepc.load() == u::vdso(u::VdsoEntry::Send) + 8, "uepc = after the send's ecall", g_uepc.load());
    // A handler written with raw instructions, direct then vectored.
    for (const std::uint64_t mode : {0ULL, 1ULL}) {
        const std::uint64_t runs = g_raw_runs.load();
        (void)CSR_RW(0x005, reinterpret_cast<std::uint64_t>(&raw_handler) | mode);
        expect(CSR_READ(0x005) == (reinterpret_cast<std::uint64_t>(&raw_handler) | mode),
               "utvec reads back with its mode");
        std::uint64_t after_send = 0;
        asm volatile("lla %0, 1f\n.insn i 0x7b, 2, x0, %1, 0\n1:" : "=&r"(after_send) : "r"(h) : "memory");
        expect(g_raw_runs.load() == runs + 1,
               mode ? "vectored: USI (cause 0) enters at the base" : "the raw handler ran", g_raw_runs.load());
        expect(g_raw_cause == u::kUcauseInterrupt, "raw: ucause", g_raw_cause);
        expect(g_raw_bits == (1ULL << 5), "raw: uipi_read gave vector 5", g_raw_bits);
        expect(g_raw_uepc == after_send, "raw: uepc is the instruction after uipi_send", g_raw_uepc);
    }
    expect(uintr::info(3) >= 4, "the kernel counted the deliveries", static_cast<std::uint64_t>(uintr::info(3)));
    return g_failed;
}

// --- registers --------------------------------------------------------------------
std::atomic<long> g_target_runs{0};
std::atomic<bool> g_stop_sending{false};
std::uint64_t g_saved[32];

long sender_thread(void* arg) {
    const long h = reinterpret_cast<long>(arg);
    long sent = 0;
    while (!g_stop_sending.load()) {
        if (uintr::send(h) != 0) {
            return -1;
        }
        ++sent;
        for (int i = 0; i < 200; ++i) {
            asm volatile("" ::: "memory");
        }
    }
    return sent;
}

constexpr std::uint64_t pattern(unsigned n) { return 0x5a5a'0000'0000'0000ULL + n * 0x101ULL; }
}  // namespace

extern "C" void spin_with_patterns(std::uint64_t* saved, std::atomic<std::uint64_t>* runs, std::uint64_t target);
// Fills every integer register but sp, gp, tp and the loop's three (t4 the target,
// t5 the value read, t6 the counter's address) with pattern(n) = 0x5a5a... + n x
// 0x101, spins until the handler has run `target` times, then stores x0..x31 into
// saved[] for the caller to compare. Callee-saved registers are restored.
asm(R"(
    .text
    .balign 4
    .globl spin_with_patterns
spin_with_patterns:
    addi sp, sp, -128
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    .irp n, 2,3,4,5,6,7,8,9,10,11
    sd s\n, (8 + 8*\n)(sp)
    .endr
    sd a0, 104(sp)
    mv t6, a1
    mv t4, a2
    .irp n, 1,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28
    li x\n, 0x5a5a000000000000 + \n * 0x101
    .endr
1:  ld t5, 0(t6)
    bltu t5, t4, 1b
    addi sp, sp, -256
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, \n*8(sp)
    .endr
    ld t0, (256 + 104)(sp)
    li t1, 0
2:  add t2, sp, t1
    ld t3, 0(t2)
    add t2, t0, t1
    sd t3, 0(t2)
    addi t1, t1, 8
    li t2, 256
    bltu t1, t2, 2b
    addi sp, sp, 256
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    .irp n, 2,3,4,5,6,7,8,9,10,11
    ld s\n, (8 + 8*\n)(sp)
    .endr
    addi sp, sp, 128
    ret
)");

namespace {
int case_registers() {
    const long rid = uintr::become_receiver(on_interrupt);
    const long h = uintr::register_sender(rid, 9);
    expect(rid >= 0 && h >= 0, "receiver and sender", static_cast<std::uint64_t>(h));
    std::uint64_t gp, tp;
    asm volatile("mv %0, gp\nmv %1, tp" : "=r"(gp), "=r"(tp));
    const long tid = user::thread_create(sender_thread, reinterpret_cast<void*>(h));
    expect(tid > 0, "a sender thread", static_cast<std::uint64_t>(tid));
    constexpr std::uint64_t kTarget = 50;
    spin_with_patterns(g_saved, &g_runs, kTarget);
    g_stop_sending.store(true);
    const long sent = user::thread_join(tid);
    for (unsigned n = 1; n < 29; ++n) {
        if (n == 2 || n == 3 || n == 4) {
            continue;
        }
        expect(g_saved[n] == pattern(n), "a register the handler must not change", n);
    }
    expect(g_saved[3] == gp && g_saved[4] == tp, "gp and tp intact", g_saved[3]);
    expect(g_saved[29] == kTarget, "t4 intact", g_saved[29]);
    expect(g_saved[30] >= kTarget, "t5 holds the last count read", g_saved[30]);
    expect(g_saved[31] == reinterpret_cast<std::uint64_t>(&g_runs), "t6 intact", g_saved[31]);
    expect(sent >= static_cast<long>(kTarget), "the sender thread sent at least one per run",
           static_cast<std::uint64_t>(sent));
    expect(g_bits.load() == (1ULL << 9), "only vector 9 came", g_bits.load());
    return g_failed;
}

// --- malformed --------------------------------------------------------------------
[[noreturn]] void case_malformed(unsigned k) {
    switch (k) {
        case 0: asm volatile(".insn i 0x7b, 2, x0, x0, 160"); break;         // uipi funct7 5: reserved
        case 1: asm volatile(".insn i 0x7b, 2, x0, x0, 1"); break;           // uipi with rs2 != 0
        case 2: asm volatile(".insn i 0x7b, 2, x0, x0, 96"); break;          // uipi_activate: the kernel's
        case 3: asm volatile("csrr a0, 0x045" ::: "a0"); break;              // no such user CSR
        case 4: asm volatile(".insn i 0x73, 4, a0, x0, 0" ::: "a0"); break;  // SYSTEM funct3 4: reserved
        default: asm volatile(".word 0"); break;                             // not an instruction at all
    }
    user::println("uintr_check malformed {}: FAIL the instruction was not refused", k);
    user::exit(1);
}

// --- rights -----------------------------------------------------------------------
void wait_for_bits(std::uint64_t mask) {
    for (int i = 0; i < 100000 && (g_bits.load() & mask) == 0; ++i) {
        (void)uintr::wait();
    }
}

int case_rights() {
    const long rid = uintr::become_receiver(on_interrupt);
    expect(rid >= 0 && rid < 64, "a receiver (id < 64 for this test)", static_cast<std::uint64_t>(rid));
    char cmd[64];
    long status = -1;
    // A process that nobody allowed is refused.
    const long deny = user::spawn(lib::format_buffer(cmd, sizeof cmd, "uintr_check deny {}", rid).data());
    expect(deny > 0 && user::wait(deny, &status) == deny && status == 0, "the refused child's checks",
           static_cast<std::uint64_t>(status));
    // A child it allows: the child sends its own receiver id as the vector.
    const long child =
        user::spawn(lib::format_buffer(cmd, sizeof cmd, "uintr_check child {} {}", rid, user::getpid()).data());
    expect(child > 0, "spawn the child", static_cast<std::uint64_t>(child));
    expect(uintr::allow_sender(rid, child) == 0, "allow the child");
    expect(uintr::allow_sender(rid, 0) == err(Errno::Invalid), "allow pid 0: EINVAL");
    wait_for_bits(~0ULL);
    const std::uint64_t bits = uintr::take_pending(uintr::my_slot()) | g_bits.exchange(0);
    const long child_rid = bits != 0 ? __builtin_ctzll(bits) : -1;
    expect(child_rid >= 0, "the child's id came as a vector", bits);
    const long h = uintr::register_sender(child_rid, 2);
    expect(h >= 0, "a handle for the child's receiver", static_cast<std::uint64_t>(h));
    expect(uintr::send(h) == 0, "send to the child");
    expect(user::wait(child, &status) == child && status == 0, "the child got it and exited 0",
           static_cast<std::uint64_t>(status));
    expect(uintr::send(h) == err(abi::kErrBrokenPipe), "the handle fails once the child has gone");
    expect(uintr::send(u::kMaxSenders - 1) == err(Errno::BadFd), "a handle never made: EBADF");
    expect(uintr::send(1'000'000) == err(Errno::BadFd), "a handle past the table: EBADF");
    uipi_send(1'000'000);  // the raw instruction on a bad handle does nothing, like the UINTC
    return g_failed;
}

int case_deny(long rid) {
    expect(uintr::register_sender(rid, 1) == err(Errno::NotPermitted), "not allowed: EPERM");
    expect(uintr::register_sender(rid, 64) == err(Errno::Invalid), "vector 64: EINVAL");
    expect(uintr::register_sender(u::kMaxReceivers, 1) == err(Errno::NoProcess), "no such receiver: ESRCH");
    expect(uintr::allow_sender(rid, user::getpid()) == err(Errno::NotPermitted), "allowing itself on another's: EPERM");
    return g_failed;
}

/// Sender @p vector for @p rid, retried while the owner has not allowed us yet.
long sender_when_allowed(long rid, unsigned vector) {
    long h = err(Errno::NotPermitted);
    for (int i = 0; i < 100000 && h == err(Errno::NotPermitted); ++i) {
        h = uintr::register_sender(rid, vector);
        if (h == err(Errno::NotPermitted)) {
            (void)user::yield();
        }
    }
    return h;
}

int case_child(long parent_rid, long parent_pid) {
    const long mine = uintr::become_receiver(on_interrupt);
    expect(mine >= 0 && mine < 64, "the child's receiver", static_cast<std::uint64_t>(mine));
    expect(uintr::allow_sender(mine, parent_pid) == 0, "allow the parent");
    const long h = sender_when_allowed(parent_rid, static_cast<unsigned>(mine));
    expect(h >= 0, "a handle for the parent's receiver", static_cast<std::uint64_t>(h));
    expect(uintr::send(h) == 0, "tell the parent our id");
    wait_for_bits(1ULL << 2);
    expect(g_bits.load() == (1ULL << 2), "the parent's vector 2 came", g_bits.load());
    return g_failed;
}

// --- pingpong ---------------------------------------------------------------------
std::uint64_t g_rounds = 0;
long g_peer = -1;
std::atomic<std::uint64_t> g_got{0};
std::atomic<std::uint64_t> g_bad{0};
unsigned g_expect_vector = 0;
bool g_ping_side = false;

void on_ball(u::Slot* s) {
    const std::uint64_t bits = uintr::take_pending(s);
    if (bits != (1ULL << g_expect_vector)) {
        g_bad.fetch_add(1);  // a lost one would stall; a doubled one shows here or in the count
    }
    const std::uint64_t n = g_got.fetch_add(1) + 1;
    if (g_peer >= 0 && (!g_ping_side || n < g_rounds)) {
        (void)uintr::send(g_peer);  // back over the net (the ping side stops after the last)
    }
}

int case_pingpong(std::uint64_t rounds) {
    g_rounds = rounds;
    g_ping_side = true;
    g_expect_vector = 7;
    const long rid = uintr::become_receiver(on_ball);
    u::Slot* slot = uintr::my_slot();
    // The child's first message is its receiver id as a vector: take it masked, before the game.
    expect(uintr::disable(slot), "become_receiver enabled interrupts");
    char cmd[80];
    const long child = user::spawn(
        lib::format_buffer(cmd, sizeof cmd, "uintr_check pong {} {} {}", rid, user::getpid(), rounds).data());
    expect(child > 0 && uintr::allow_sender(rid, child) == 0, "spawn and allow the child",
           static_cast<std::uint64_t>(child));
    while ((slot->uip.load() & u::kUsi) == 0) {
        (void)uintr::wait();  // returns once USIP is raised, masked or not
    }
    const std::uint64_t id_bits = uintr::take_pending(slot);
    const long child_rid = id_bits != 0 ? __builtin_ctzll(id_bits) : -1;
    expect(g_got.load() == 0, "nothing was delivered while masked", g_got.load());
    g_peer = uintr::register_sender(child_rid, 3);
    expect(g_peer >= 0, "a handle for the child", static_cast<std::uint64_t>(g_peer));
    uintr::enable(uintr::my_slot());
    (void)uintr::send(g_peer);  // serve
    while (g_got.load() < rounds) {
        (void)uintr::wait();
    }
    long status = -1;
    expect(user::wait(child, &status) == child && status == 0, "the child's count", static_cast<std::uint64_t>(status));
    expect(g_got.load() == rounds, "every ball came back once", g_got.load());
    expect(g_bad.load() == 0, "each interrupt carried exactly the one vector", g_bad.load());
    return g_failed;
}

int case_pong(long parent_rid, long parent_pid, std::uint64_t rounds) {
    g_expect_vector = 3;
    const long mine = uintr::become_receiver(on_ball);
    expect(mine >= 0 && mine < 64 && uintr::allow_sender(mine, parent_pid) == 0, "the child's receiver");
    // Tell the parent our id first, before the game's sender (vector 7) is in place.
    const long id_sender = sender_when_allowed(parent_rid, static_cast<unsigned>(mine));
    expect(id_sender >= 0 && uintr::send(id_sender) == 0, "send our id", static_cast<std::uint64_t>(id_sender));
    g_peer = uintr::register_sender(parent_rid, 7);
    expect(g_peer >= 0, "the game's sender", static_cast<std::uint64_t>(g_peer));
    while (g_got.load() < rounds) {
        (void)uintr::wait();
    }
    expect(g_got.load() == rounds, "every ball arrived once", g_got.load());
    expect(g_bad.load() == 0, "each interrupt carried exactly the one vector", g_bad.load());
    return g_failed;
}

// --- kcuc -------------------------------------------------------------------------
int g_pipes[8][2];
unsigned g_left = 0;
unsigned g_reads = 0;

sched::Task<void> reader(unsigned i) {
    char buf[16] = {};
    const long got = co_await async_sys::read(g_pipes[i][0], buf, sizeof buf);
    expect(got == 5 && buf[0] == 'a' + static_cast<char>(i) && buf[4] == '!', "the read got its own pipe's bytes",
           static_cast<std::uint64_t>(got));
    ++g_reads;
    if (--g_left == 0) {
        const auto stats = uintr::completion_stats();
        expect(stats.completions >= g_reads, "every completion was taken by the interrupt handler", stats.completions);
        expect(stats.interrupts >= 1, "completion interrupts ran", stats.interrupts);
        user::exit(g_failed);
    }
}

sched::Task<void> writer(unsigned rounds) {
    for (unsigned r = 0; r < rounds; ++r) {
        const unsigned i = r % 8;
        (void)co_await async_sys::sleep(1);  // the reader is blocked by now
        char msg[5] = {static_cast<char>('a' + i), 'b', 'c', 'd', '!'};
        const long w = co_await async_sys::write(g_pipes[i][1], msg, sizeof msg);
        expect(w == 5, "write", static_cast<std::uint64_t>(w));
        if (r + 8 < rounds) {
            // the next reader of this pipe
            (void)user::spawn(reader(i), sched::Priority{33});
        }
    }
}

int case_kcuc(unsigned rounds) {
    expect(uintr::start_completion_receiver() == 0, "the completion receiver started");
    user::set_loop_hook(nullptr);  // completions now arrive only through the interrupt handler
    for (auto& p : g_pipes) {
        expect(user::pipe(p) == 0, "pipe");
    }
    g_left = rounds;
    for (unsigned i = 0; i < 8 && i < rounds; ++i) {
        (void)user::spawn(reader(i), sched::Priority{33});
    }
    (void)user::spawn(writer(rounds), sched::Priority{34});
    return -1;  // the last reader exits
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    const std::string_view what = argc > 1 ? argv[1] : "";
    g_case = argc > 1 ? argv[1] : "?";
    const auto arg = [&](int i, std::uint64_t fallback) {
        return argc > i ? lib::parse_u64(argv[i], fallback) : fallback;
    };
    if (what == "csr")
        co_return case_csr();
    if (what == "deliver")
        co_return case_deliver();
    if (what == "registers")
        co_return case_registers();
    if (what == "malformed")
        case_malformed(static_cast<unsigned>(arg(2, 0)));
    if (what == "rights")
        co_return case_rights();
    if (what == "deny")
        co_return case_deny(static_cast<long>(arg(2, 0)));
    if (what == "child")
        co_return case_child(static_cast<long>(arg(2, 0)), static_cast<long>(arg(3, 0)));
    if (what == "pingpong")
        co_return case_pingpong(arg(2, 1000));
    if (what == "pong")
        co_return case_pong(static_cast<long>(arg(2, 0)), static_cast<long>(arg(3, 0)), arg(4, 1000));
    if (what == "kcuc") {
        if (case_kcuc(static_cast<unsigned>(arg(2, 16))) < 0) {
            co_await sched::block();  // the last reader exits with the verdict
        }
        co_return g_failed;
    }
    user::println("uintr_check: unknown case '{}'", what);
    co_return 100;
}
