/// @file trap.cpp
/// @brief Trap dispatch: decode `scause`, call the registered handler, then maybe preempt.
#include "cops/arch/trap.hpp"

#include "cops/arch/csr.hpp"
#include "cops/lib/console.hpp"
#include "cops/lib/panic.hpp"
#include "cops/sched/preemption.hpp"
#include "cops/smp/hart.hpp"

namespace cops::arch {

namespace {
TrapHandler g_interrupts[kTrapCauses];
TrapHandler g_exceptions[kTrapCauses];

/// A trap nobody handles: say what, where and how we got there, and stop.
[[noreturn]] void unexpected_trap(const TrapFrame& f) {
    if (detail::panic_begin()) {
        lib::format_to(console::backend(),
                       "unexpected trap on hart {}: {} (scause {:#x}) at sepc {:#x}, stval {:#x}\n"
                       "  (trap_dispatch() in kernel/arch/trap.cpp found no handler for this cause; handlers are\n"
                       "  registered with arch::set_interrupt_handler() and arch::set_exception_handler())",
                       smp::this_hart().index, cause_name(f.scause), f.scause, f.sepc, f.stval);
        // How many handlers the tables hold: none at all would mean they were wiped.
        unsigned interrupts = 0;
        unsigned exceptions = 0;
        for (unsigned i = 0; i < kTrapCauses; ++i) {
            interrupts += g_interrupts[i] != nullptr ? 1 : 0;
            exceptions += g_exceptions[i] != nullptr ? 1 : 0;
        }
        lib::format_to(console::backend(), "\n  (handlers registered now: {} interrupt, {} exception)", interrupts,
                       exceptions);
        lib::format_to(console::backend(), "\n  bt#0 {:#018x}", f.sepc + 1);  // +1: symbolizers step back one
    }
    detail::panic_end(f.regs[static_cast<unsigned>(Reg::S0)], 1);
}
}  // namespace

void set_interrupt_handler(Interrupt cause, TrapHandler handler) {
    g_interrupts[static_cast<unsigned>(cause)] = handler;
}

TrapHandler interrupt_handler(Interrupt cause) { return g_interrupts[static_cast<unsigned>(cause)]; }

void set_exception_handler(Exception cause, TrapHandler handler) {
    g_exceptions[static_cast<unsigned>(cause)] = handler;
}

void install_trap_vector() {
    sscratch.write(0);
    stvec.write(reinterpret_cast<std::uintptr_t>(&trap_entry));
}

}  // namespace cops::arch

extern "C" void trap_dispatch(cops::arch::TrapFrame* frame) {
    using namespace cops::arch;
    TrapFrame& f = *frame;
    // LAB(ch2): dispatch a trap by its cause
    // The top bit of scause says interrupt or exception; the rest is the code that
    // indexes the matching table. An unknown code, or one with no handler, is
    // unexpected_trap(). After an interrupt (never after an exception) the scheduler
    // may preempt the interrupted coroutine.
    const bool interrupt = (f.scause & kScauseInterrupt) != 0;
    const std::uint64_t code = f.scause & ~kScauseInterrupt;
    TrapHandler handler = nullptr;
    if (code < kTrapCauses) {
        handler = interrupt ? g_interrupts[code] : g_exceptions[code];
    }
    if (handler == nullptr) {
        unexpected_trap(f);
    }
    handler(f);
    if (interrupt) {
        cops::sched::preempt_if_needed();
    }
    // LAB-STUB: unexpected_trap(f);
    // END-LAB
}
