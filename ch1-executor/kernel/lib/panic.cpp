/// @file panic.cpp
/// @brief Printing a panic and a frame-pointer backtrace.
#include "cops/lib/panic.hpp"

#include <atomic>

#include "cops/arch/csr.hpp"
#include "cops/arch/irq.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/dev/power.hpp"
#include "cops/lib/verify.hpp"

namespace cops {

namespace {
/// 0, or the token of the hart whose panic is being reported (its `tp` plus one).
std::atomic<std::uintptr_t> g_panicking{0};

std::uintptr_t this_hart_token() {
    std::uintptr_t tp;
    asm volatile("mv %0, tp" : "=r"(tp));
    return tp + 1;
}
void power_off_on_panic() { dev::power_off(dev::ExitCode::Panic); }

/// True if a frame record at @p fp can be read: 16-byte aligned and inside RAM.
bool plausible_frame(std::uintptr_t fp) {
    const auto& bi = boot::info();
    return fp != 0 && (fp & 15U) == 0 && fp >= bi.kernel_start + 16 && fp <= (bi.memory_base + bi.memory_size);
}
}  // namespace

void (*panic_action)() = power_off_on_panic;

void print_backtrace(std::uintptr_t fp, unsigned first_index) {
    // RISC-V frame layout with frame pointers: fp[-1] = return address, fp[-2] = caller's fp.
    for (unsigned depth = 0; depth < 32 && plausible_frame(fp); ++depth) {
        const auto* record = reinterpret_cast<const std::uintptr_t*>(fp);
        const std::uintptr_t ra = record[-1];
        if (ra == 0) {
            break;
        }
        lib::format_to(console::backend(), "  bt#{} {:#018x}\n", first_index + depth, ra);
        const std::uintptr_t next = record[-2];
        if (next <= fp) {  // stacks grow down: callers live at higher addresses
            break;
        }
        fp = next;
    }
}

namespace detail {

bool panic_begin() {
    std::uintptr_t none = 0;
    if (!g_panicking.compare_exchange_strong(none, this_hart_token())) {
        return false;  // a panic while panicking: just stop
    }
    console::seize();
    console::backend().write("\nPANIC: ");
    return true;
}

void verify_failed(const char* what, const char* condition, const char* file, int line) {
    panic("{} (COPS_VERIFY({}) failed at {}:{})", what, condition, file, line);
}

void panic_end(std::uintptr_t fp, unsigned first_index) {
    if (g_panicking.load() != this_hart_token()) {
        // Another hart's panic is being reported: one report, not two interleaved.
        // Wait here, interrupts off, until that hart powers the machine off.
        for (;;) {
            arch::irq_disable();
            arch::wait_for_interrupt();
        }
    }
    console::backend().write("\n");
    print_backtrace(fp, first_index);
    console::unlock();
    panic_action();
    dev::power_off(dev::ExitCode::Panic);
}

}  // namespace detail
}  // namespace cops
