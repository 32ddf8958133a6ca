/// @file fatal_trap.cpp
/// @brief ch1's trap handler: name the trap, print where it happened, stop.
#include "cops/arch/csr.hpp"
#include "cops/arch/trap_frame.hpp"
#include "cops/arch/watchdog.hpp"
#include "cops/dev/power.hpp"
#include "cops/lib/panic.hpp"

extern "C" char emergency_stack_top[];
extern "C" void fatal_trap_entry();

namespace cops::arch {

const char* cause_name(std::uint64_t scause) {
    const std::uint64_t code = scause & ~kScauseInterrupt;
    if ((scause & kScauseInterrupt) != 0) {
        switch (code) {
            case 1: return "supervisor software interrupt";
            case 5: return "supervisor timer interrupt";
            case 9: return "supervisor external interrupt";
            default: return "unknown interrupt";
        }
    }
    switch (code) {
        case 0: return "instruction address misaligned";
        case 1: return "instruction access fault";
        case 2: return "illegal instruction";
        case 3: return "breakpoint";
        case 4: return "load address misaligned";
        case 5: return "load access fault";
        case 6: return "store address misaligned";
        case 7: return "store access fault";
        case 8: return "environment call from U-mode";
        case 9: return "environment call from S-mode";
        case 12: return "instruction page fault";
        case 13: return "load page fault";
        case 15: return "store page fault";
        default: return "unknown exception";
    }
}

namespace {
bool g_in_fatal_trap = false;
}  // namespace

void install_fatal_trap_vector() {
    sscratch.write(reinterpret_cast<std::uintptr_t>(emergency_stack_top));
    stvec.write(reinterpret_cast<std::uintptr_t>(&fatal_trap_entry));
}

}  // namespace cops::arch

extern "C" [[noreturn]] void fatal_trap(cops::arch::TrapFrame* frame) {
    using namespace cops;
    if (arch::g_in_fatal_trap) {
        dev::power_off(dev::ExitCode::Panic);  // a trap inside the trap handler: stop now
    }
    arch::g_in_fatal_trap = true;
    const bool timer = frame->scause == (arch::kScauseInterrupt | arch::kCauseSupervisorTimer);
    if (timer) {
        arch::g_in_fatal_trap = false;
        arch::watchdog::check(*frame);  // the test watchdog's deadline (it does not return)
    }
    if (detail::panic_begin()) {
        lib::format_to(console::backend(), "unexpected trap: {} (scause {:#x}) at sepc {:#x}, stval {:#x}",
                       arch::cause_name(frame->scause), frame->scause, frame->sepc, frame->stval);
        lib::format_to(console::backend(), "\n  bt#0 {:#018x}", frame->sepc + 1);  // +1: symbolizers step back one
    }
    // Walk the interrupted code's frame-pointer chain.
    detail::panic_end(frame->regs[static_cast<unsigned>(arch::Reg::S0)], 1);
}
