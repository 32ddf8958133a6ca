/// @file boot.cpp
/// @brief ch2's boot steps: hart state, traps, stacks, devices, then the other harts.
///
/// Registered as init calls, so ch1's boot code runs them without knowing them:
///   arch    this hart's state (tp), the trap vector, the IPI handler, the stack pool
///   device  the tick, the PLIC, the UART (which becomes the console)
///   start   secondary harts start (SBI HSM) and enter the executor loop: the last step,
///           so every layer's services (e.g. ch3's system calls) are there before they run
#include "cops/arch/csr.hpp"
#include "cops/arch/irq.hpp"
#include "cops/arch/sbi.hpp"
#include "cops/arch/trap.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/boot/entry.hpp"
#include "cops/dev/plic.hpp"
#include "cops/dev/timer.hpp"
#include "cops/dev/uart.hpp"
#include "cops/init/initcall.hpp"
#include "cops/lib/console.hpp"
#include "cops/sched/switch.hpp"
#include "cops/sched/thread_pool.hpp"
#include "cops/smp/hart.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::smp {

namespace {
/// Pool stacks: enough for a few nested preemptions per hart.
constexpr unsigned kStacksPerHart = 6;

void on_ipi(arch::TrapFrame&) {
    arch::sip.clear(arch::kSipSsip);  // acknowledge; the dispatcher then considers preemption
    ++this_hart().stats.ipis;
}

/// What every hart does for itself before it runs coroutines.
void init_this_hart() {
    arch::install_trap_vector();
    dev::timer::start_on_this_hart();
    dev::plic::init_this_hart();
    arch::sie.set(arch::kSieSsie);
}

[[noreturn]] void secondary_main(unsigned hart_id, std::uintptr_t index) {
    enter_hart(static_cast<unsigned>(index), hart_id);
    init_this_hart();
    run_hart_inits();
    sched::enter_scheduler();
}

void setup_boot_hart() {
    // From now on interrupt handlers take locks: every lock holds interrupts off.
    sync::g_locks_mask_interrupts = true;
    enter_hart(0, boot::info().boot_hart);
    arch::install_trap_vector();
    arch::set_interrupt_handler(arch::Interrupt::Software, on_ipi);
    sched::init_thread_pool(kStacksPerHart * hart_count() + 4);
}
COPS_INITCALL(arch, setup_boot_hart);

void setup_devices() {
    dev::timer::init();
    if (!dev::plic::init()) {
        console::println("boot: no PLIC in the device tree; device interrupts are off");
    }
    init_this_hart();
    if (auto uart = dev::probe_uart()) {
        console::set_backend(uart.value());
    } else {
        console::println("boot: no ns16550a UART ({}); the console stays on SBI", error_name(uart.error()));
    }
}
COPS_INITCALL(device, setup_devices);

void start_secondary_harts() {
    hart(0).online.store(true, std::memory_order_release);
    boot::secondary_main = [](unsigned id, std::uintptr_t index) { secondary_main(id, index); };
    unsigned next_index = 1;
    // smp.detour=K starts hart index K at the boot entry, as the firmware's race does
    // (a self-test checks that such a hart still comes up as a secondary).
    const std::uint64_t detour = boot::bootarg_u64("smp.detour", 0);
    // QEMU virt and the board number harts 0..n-1; the boot hart may be any of them.
    for (unsigned id = 0; id < boot::kMaxHarts && next_index < hart_count(); ++id) {
        if (id == boot::info().boot_hart) {
            continue;
        }
        // Named before the call: a hart the firmware sends to the boot entry instead
        // (entry.S, started_at_boot_entry) finds its index here.
        __atomic_store_n(&secondary_index_by_hart[id], next_index, __ATOMIC_RELEASE);
        char* const entry = next_index == detour ? _start : _start_secondary;
        const auto r = arch::sbi::hart_start(id, reinterpret_cast<std::uintptr_t>(entry), next_index);
        if (r.error == 0) {
            ++next_index;
        } else {
            __atomic_store_n(&secondary_index_by_hart[id], 0U, __ATOMIC_RELEASE);
        }
    }
    // Give them a moment to come up (each hart sets its online flag), sleeping between ticks.
    arch::irq_enable();
    const std::uint64_t give_up = arch::read_time() + boot::info().timebase_hz;  // 1 s
    while (online_count() < next_index && arch::read_time() < give_up) {
        arch::wait_for_interrupt();
    }
    if (online_count() < next_index) {
        console::println("boot: only {} of {} harts came up", online_count(), next_index);
    }
    if (const std::uint32_t detoured = __atomic_load_n(&boot_detoured_harts, __ATOMIC_ACQUIRE); detoured != 0) {
        console::println(
            "boot: harts {:#x} (a bit per hart id) came in at the boot entry, not _start_secondary (the "
            "firmware's hart_start race, kernel/boot/entry.S); they went on as secondaries",
            detoured);
    }
}
COPS_INITCALL(start, start_secondary_harts);
}  // namespace

}  // namespace cops::smp
