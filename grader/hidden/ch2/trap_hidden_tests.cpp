/// @file trap_hidden_tests.cpp
/// @brief Hidden tests of the trap dispatcher (kernel/arch/trap.cpp): the handler gets the
/// live frame, each exception cause has its own slot, interrupt and exception codes that
/// share a number are told apart, handlers can be replaced and restored, and an exception
/// never preempts.
#include <atomic>

#include "../hidden_support.hpp"
#include "cops/arch/csr.hpp"
#include "cops/arch/irq.hpp"
#include "cops/arch/trap.hpp"
#include "cops/dev/timer.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/smp/hart.hpp"
#include "cops/smp/ipi.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;
using hidden::wait_for;

namespace {
constexpr unsigned kA0 = static_cast<unsigned>(arch::Reg::A0);
constexpr unsigned kT1 = 6;  // x6

/// Length of the instruction at @p pc: 2 if compressed (low bits != 11), else 4.
std::uint64_t insn_length(std::uint64_t pc) {
    const auto low = *reinterpret_cast<const volatile std::uint16_t*>(pc);
    return (low & 3U) == 3U ? 4 : 2;
}

// ---- the handler edits the frame the trap returns to ------------------------------------
std::atomic<unsigned> g_bp_hits{0};
std::uint64_t g_bp_sepc = 0;
std::uint64_t g_bp_cause = 0;

void breakpoint_adds_100_to_a0(arch::TrapFrame& f) {
    ++g_bp_hits;
    g_bp_sepc = f.sepc;
    g_bp_cause = f.scause;
    f.regs[kA0] += 100;  // the interrupted code must see this
    f.sepc += insn_length(f.sepc);
}
}  // namespace

KTEST("hidden/trap-breakpoint-handler-edits-the-live-frame") {
    g_bp_hits = 0;
    arch::set_exception_handler(arch::Exception::Breakpoint, breakpoint_adds_100_to_a0);
    std::uint64_t a0 = 0;
    std::uint64_t where = 0;
    // A 4-byte ebreak...
    asm volatile(
        ".option push\n"
        ".option norvc\n"
        "li a0, 5\n"
        "1: ebreak\n"
        "mv %0, a0\n"
        "lla %1, 1b\n"
        ".option pop\n"
        : "=r"(a0), "=r"(where)
        :
        : "a0", "memory");
    CHECK_EQ(g_bp_hits.load(), 1U);
    CHECK_EQ(g_bp_sepc, where);
    CHECK_EQ(a0, std::uint64_t{105});
    CHECK_EQ(g_bp_cause, std::uint64_t{3});
    // ...and a 2-byte one.
    asm volatile(
        ".option push\n"
        ".option rvc\n"
        "li a0, 7\n"
        "1: c.ebreak\n"
        "mv %0, a0\n"
        "lla %1, 1b\n"
        ".option pop\n"
        : "=r"(a0), "=r"(where)
        :
        : "a0", "memory");
    arch::set_exception_handler(arch::Exception::Breakpoint, nullptr);
    CHECK_EQ(g_bp_hits.load(), 2U);
    CHECK_EQ(g_bp_sepc, where);
    CHECK_EQ(a0, std::uint64_t{107});
}

namespace {
// ---- one slot per exception cause ---------------------------------------------------------
struct SlotRecord {
    std::atomic<unsigned> hits{0};
    std::uint64_t scause = ~0ULL;
    std::uint64_t stval = 0;
};
SlotRecord g_slot_bp;
SlotRecord g_slot_ill;
SlotRecord g_slot_load;
SlotRecord g_slot_fetch;

void record_and_skip(SlotRecord& r, arch::TrapFrame& f) {
    ++r.hits;
    r.scause = f.scause;
    r.stval = f.stval;
    f.sepc += insn_length(f.sepc);
}
void on_bp(arch::TrapFrame& f) { record_and_skip(g_slot_bp, f); }
void on_ill(arch::TrapFrame& f) { record_and_skip(g_slot_ill, f); }
void on_load(arch::TrapFrame& f) { record_and_skip(g_slot_load, f); }
void on_fetch(arch::TrapFrame& f) {
    // The fault is at the jump target: return to the address the jumper left in t1.
    ++g_slot_fetch.hits;
    g_slot_fetch.scause = f.scause;
    g_slot_fetch.stval = f.stval;
    f.sepc = f.regs[kT1];
}
void reset(SlotRecord& r) {
    r.hits = 0;
    r.scause = ~0ULL;
    r.stval = 0;
}

// Nothing answers at physical address 0 on QEMU's virt board: loads and fetches there
// are access faults, which the firmware hands to the kernel.
constexpr std::uint64_t kNowhere = 0;

std::uint64_t load_from_nowhere() {
    std::uint64_t v = 0x1234;
    asm volatile(
        ".option push\n"
        ".option norvc\n"
        "ld %0, 0(%1)\n"
        ".option pop\n"
        : "+r"(v)
        : "r"(kNowhere)
        : "memory");
    return v;
}

void jump_to_nowhere() {
    asm volatile(
        "lla t1, 1f\n"
        "jr %0\n"
        "1:\n"
        :
        : "r"(kNowhere)
        : "t1", "memory");
}
}  // namespace

KTEST("hidden/trap-each-exception-cause-has-its-own-slot") {
    for (SlotRecord* r : {&g_slot_bp, &g_slot_ill, &g_slot_load}) {
        reset(*r);
    }
    arch::set_exception_handler(arch::Exception::Breakpoint, on_bp);
    arch::set_exception_handler(arch::Exception::IllegalInstruction, on_ill);
    arch::set_exception_handler(arch::Exception::LoadAccessFault, on_load);
    asm volatile("ebreak");
    asm volatile("unimp");  // illegal by definition
    asm volatile("ebreak");
    asm volatile(".option push\n.option norvc\nunimp\n.option pop");  // the 4-byte form
    asm volatile("unimp");
    const std::uint64_t v = load_from_nowhere();
    arch::set_exception_handler(arch::Exception::Breakpoint, nullptr);
    arch::set_exception_handler(arch::Exception::IllegalInstruction, nullptr);
    arch::set_exception_handler(arch::Exception::LoadAccessFault, nullptr);

    CHECK_EQ(g_slot_bp.hits.load(), 2U);
    CHECK_EQ(g_slot_bp.scause, std::uint64_t{3});
    CHECK_EQ(g_slot_ill.hits.load(), 3U);
    CHECK_EQ(g_slot_ill.scause, std::uint64_t{2});
    CHECK_EQ(g_slot_load.hits.load(), 1U);
    CHECK_EQ(g_slot_load.scause, std::uint64_t{5});
    CHECK_EQ(g_slot_load.stval, kNowhere);
    CHECK_EQ(v, std::uint64_t{0x1234});  // the faulting load was skipped, not completed
}

namespace {
// ---- interrupt and exception codes that share a number -----------------------------------
arch::TrapHandler g_saved_software = nullptr;
arch::TrapHandler g_saved_timer = nullptr;
std::atomic<unsigned> g_software_hits{0};
std::atomic<unsigned> g_timer_hits{0};
std::atomic<bool> g_interrupt_saw_exception{false};

void wrapped_software(arch::TrapFrame& f) {
    if (f.scause != (arch::kScauseInterrupt | 1U)) {
        g_interrupt_saw_exception = true;
    }
    ++g_software_hits;
    g_saved_software(f);
}
void wrapped_timer(arch::TrapFrame& f) {
    if (f.scause != (arch::kScauseInterrupt | 5U)) {
        g_interrupt_saw_exception = true;
    }
    ++g_timer_hits;
    g_saved_timer(f);
}
}  // namespace

KTEST_BUDGET("hidden/trap-same-code-interrupt-and-exception-told-apart", kMultiHartBudget) {
    // Code 1 is both the software interrupt and an instruction access fault; code 5 is
    // both the timer interrupt and a load access fault. Each must reach its own table.
    g_saved_software = arch::interrupt_handler(arch::Interrupt::Software);
    g_saved_timer = arch::interrupt_handler(arch::Interrupt::Timer);
    HIDDEN_SETUP(g_saved_software != nullptr && g_saved_timer != nullptr && g_saved_software != g_saved_timer);
    reset(g_slot_fetch);
    reset(g_slot_load);
    g_software_hits = 0;
    g_timer_hits = 0;
    g_interrupt_saw_exception = false;

    arch::set_interrupt_handler(arch::Interrupt::Software, wrapped_software);
    arch::set_interrupt_handler(arch::Interrupt::Timer, wrapped_timer);
    arch::set_exception_handler(arch::Exception::InstructionAccessFault, on_fetch);
    arch::set_exception_handler(arch::Exception::LoadAccessFault, on_load);
    // Installing exception handlers must not have touched the interrupt table.
    CHECK(arch::interrupt_handler(arch::Interrupt::Software) == wrapped_software);
    CHECK(arch::interrupt_handler(arch::Interrupt::Timer) == wrapped_timer);

    {
        // Later chapters turn on paging, where these would be page faults (12, 13);
        // the kernel is identity-mapped, so bare addressing for a moment changes nothing else.
        const std::uint64_t satp = arch::satp.read();
        asm volatile("csrw satp, zero\n\tsfence.vma" ::: "memory");
        jump_to_nowhere();
        (void)load_from_nowhere();
        asm volatile("csrw satp, %0\n\tsfence.vma" ::"r"(satp) : "memory");
    }
    {
        arch::IrqGuard off;
        smp::send_ipi(smp::this_hart().index);
    }
    const unsigned timer_before = g_timer_hits.load();
    const bool interrupts_seen =
        wait_for([timer_before] { return g_software_hits.load() >= 1 && g_timer_hits.load() >= timer_before + 3; }, 50);

    arch::set_exception_handler(arch::Exception::InstructionAccessFault, nullptr);
    arch::set_exception_handler(arch::Exception::LoadAccessFault, nullptr);
    arch::set_interrupt_handler(arch::Interrupt::Software, g_saved_software);
    arch::set_interrupt_handler(arch::Interrupt::Timer, g_saved_timer);

    CHECK(interrupts_seen);
    CHECK_EQ(g_slot_fetch.hits.load(), 1U);
    CHECK_EQ(g_slot_fetch.scause, std::uint64_t{1});
    CHECK_EQ(g_slot_fetch.stval, kNowhere);
    CHECK_EQ(g_slot_load.hits.load(), 1U);
    CHECK_EQ(g_slot_load.scause, std::uint64_t{5});
    CHECK(!g_interrupt_saw_exception.load());
    CHECK(arch::interrupt_handler(arch::Interrupt::Software) == g_saved_software);
    CHECK(arch::interrupt_handler(arch::Interrupt::Timer) == g_saved_timer);
    // With the originals back, the wrappers see nothing more and the tick goes on.
    const unsigned wrapped_after = g_timer_hits.load();
    const std::uint64_t until = dev::timer::now_ticks() + 3;
    sched::run_until([until] { return dev::timer::now_ticks() >= until; });
    CHECK_EQ(g_timer_hits.load(), wrapped_after);
}

namespace {
// ---- an exception never preempts ------------------------------------------------------------
std::atomic<unsigned> g_urgent_done{0};
std::atomic<bool> g_breaker_done{false};
std::atomic<std::uint64_t> g_preemptions_during_ebreak{~0ULL};
std::atomic<unsigned> g_breaks{0};
constexpr unsigned kUrgent = 6;

void count_break(arch::TrapFrame& f) {
    ++g_breaks;
    f.sepc += insn_length(f.sepc);
}

sched::Task<void> urgent_work() {
    g_urgent_done.fetch_add(1);
    co_return;
}

/// With interrupts off, makes more urgent work ready and then takes a breakpoint. The
/// dispatcher may preempt only after interrupts, so this hart must not switch away.
sched::Task<void> breaker() {
    {
        arch::IrqGuard off;
        smp::Hart& h = smp::this_hart();
        for (unsigned i = 0; i < kUrgent; ++i) {
            (void)sched::spawn(urgent_work(), sched::Priority{2});
        }
        const std::uint64_t before = h.stats.preemptions;
        asm volatile("ebreak");
        g_preemptions_during_ebreak = h.stats.preemptions - before;
    }
    g_breaker_done = true;
    co_return;
}
}  // namespace

KTEST_BUDGET("hidden/trap-exception-does-not-preempt", kMultiHartBudget) {
    g_urgent_done = 0;
    g_breaker_done = false;
    g_breaks = 0;
    g_preemptions_during_ebreak = ~0ULL;
    arch::set_exception_handler(arch::Exception::Breakpoint, count_break);
    if (!sched::spawn(breaker(), sched::Priority{40}).ok()) {
        arch::set_exception_handler(arch::Exception::Breakpoint, nullptr);
        HIDDEN_SETUP(false);
    }
    sched::run_until([] { return g_breaker_done.load() && g_urgent_done.load() == kUrgent; });
    arch::set_exception_handler(arch::Exception::Breakpoint, nullptr);
    CHECK_EQ(g_breaks.load(), 1U);
    // More urgent work was ready, but only the end of an interrupt may switch coroutines.
    CHECK_EQ(g_preemptions_during_ebreak.load(), std::uint64_t{0});
}
