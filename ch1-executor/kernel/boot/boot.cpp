/// @file boot.cpp
/// @brief From the first C++ instruction to app_main(): device tree, heap, constructors, init calls.
#include <new>

#include "cops/arch/csr.hpp"
#include "cops/arch/sbi.hpp"
#include "cops/arch/trap_frame.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/dev/power.hpp"
#include "cops/init/initcall.hpp"
#include "cops/lib/console.hpp"
#include "cops/lib/panic.hpp"
#include "cops/lib/parse.hpp"
#include "cops/mm/kernel_heap.hpp"
#include "cops/sched/executor.hpp"

extern "C" {
extern char __kernel_start[];
extern char __kernel_end[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
}

namespace cops::boot {

namespace {
BootInfo g_info;
lib::FdtReader* g_fdt = nullptr;
alignas(lib::FdtReader) unsigned char g_fdt_storage[sizeof(lib::FdtReader)];

/// Kernel heap size: 32 MiB or a quarter of what is left of RAM, whichever is less.
constexpr std::size_t kHeapMax = 32UL << 20;

void park_forever(unsigned, std::uintptr_t) {
    for (;;) {
        arch::wait_for_interrupt();
    }
}

/// Reads what the kernel needs from the device tree into g_info.
void read_device_tree(const void* dtb) {
    // The header says how big the blob is; trust at most 1 MiB of it.
    auto opened = lib::FdtReader::open(dtb, 1U << 20);
    if (!opened) {
        console::println("boot: the device tree at {} is not valid; cannot continue", dtb);
        arch::sbi::shutdown(arch::sbi::ResetReason::SystemFailure);
    }
    g_fdt = new (g_fdt_storage) lib::FdtReader(opened.value());
    const lib::FdtReader& fdt = *g_fdt;

    if (auto mem = fdt.find_device_type("memory")) {
        if (auto r = fdt.reg(mem.value())) {
            g_info.memory_base = r.value().address;
            g_info.memory_size = r.value().size;
        }
    }
    if (auto chosen = fdt.find_path("/chosen")) {
        if (auto args = fdt.property_string(chosen.value(), "bootargs")) {
            g_info.bootargs = *args;
        }
    }
    if (auto cpus = fdt.find_path("/cpus")) {
        if (auto tb = fdt.property_u32(cpus.value(), "timebase-frequency")) {
            g_info.timebase_hz = *tb;
        }
    }
    struct Count {
        unsigned n = 0;
        const lib::FdtReader* r;
    } count{0, &fdt};
    (void)fdt.walk(
        [](const lib::FdtNode& n, void* c) {
            auto& cnt = *static_cast<Count*>(c);
            if (cnt.r->property_string(n, "device_type") == std::string_view("cpu")) {
                ++cnt.n;
            }
            return true;
        },
        &count);
    g_info.hart_count = count.n > 0 ? count.n : 1;
}

/// What the kernel does when a coroutine suspends on an awaitable the executor does not know.
void lost_coroutine(const sched::Ccb& c) {
    panic(
        "coroutine {} ({}, level {}) suspended on an awaitable that does not tell the executor what it waits "
        "for; it can never be resumed (await sched::yield(), sched::block() or a Task); its innermost frame "
        "{} resumes in the function at {} (symbolize it with addr2line)",
        c.cid, sched::kind_name(c.kind), c.priority.level, c.resume_point.address(),
        c.resume_point ? *static_cast<void* const*>(c.resume_point.address()) : nullptr);
}

void run_global_constructors() {
    for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor) {
        (*ctor)();
    }
}

/// Hands the run's nonce (`nonce=` on the command line, from the test harness) to
/// keep_nonce() and overwrites it in the device tree, before any constructor or init
/// step runs: code linked into the image later cannot read it from the boot arguments.
void take_nonce() {
    const std::optional<std::string_view> nonce = lib::bootarg(g_info.bootargs, "nonce");
    if (!nonce) {
        return;
    }
    keep_nonce(*nonce);
    char* text = const_cast<char*>(nonce->data());  // the blob is in RAM, and ours to edit
    for (std::size_t i = 0; i < nonce->size(); ++i) {
        text[i] = '-';
    }
}

}  // namespace

[[gnu::weak]] void keep_nonce(std::string_view) {}

void (*secondary_main)(unsigned, std::uintptr_t) = park_forever;

const BootInfo& info() { return g_info; }
const lib::FdtReader& fdt() { return *g_fdt; }
std::optional<std::string_view> bootarg(std::string_view key) { return lib::bootarg(g_info.bootargs, key); }

std::uint64_t bootarg_u64(std::string_view key, std::uint64_t fallback) {
    return lib::parse_u64(bootarg(key).value_or(""), fallback);
}

}  // namespace cops::boot

namespace cops::init {
extern "C" const InitCall __initcall_start[];
extern "C" const InitCall __initcall_end[];

void run_all() {
    const auto count = static_cast<std::size_t>(__initcall_end - __initcall_start);
    const InitCall* steps[kMaxSteps];
    const OrderReport report = order(__initcall_start, count, steps);
    switch (report.problem) {
        case OrderProblem::None: break;
        case OrderProblem::UnknownNeed:
            panic(
                "init order: {} ({}) needs '{}', but no step of that name is registered (the names after "
                "the function in COPS_INITCALL are other steps' functions)",
                report.step->name, report.step->file, report.need);
        case OrderProblem::NeedTooLate:
            panic(
                "init order: {} ({}, level {}) needs '{}', which runs at a later level; move one of them "
                "(include/cops/init/initcall.hpp lists the levels)",
                report.step->name, report.step->file, level_name(report.step->level), report.need);
        case OrderProblem::CircularNeed:
            panic(
                "init order: {} ({}) needs '{}', which needs it in turn, directly or through others: a circle "
                "of needs at level {}",
                report.step->name, report.step->file, report.need, level_name(report.step->level));
        case OrderProblem::TooManySteps:
            panic("init order: {} steps, more than init::kMaxSteps ({}); raise it in initcall.hpp", count, kMaxSteps);
    }
    const bool log = boot::bootarg("bootlog") == std::string_view("1");
    for (std::size_t i = 0; i < count; ++i) {
        if (log && steps[i]->layer == kBoardLayer) {
            console::println("boot: {:<6} fpga {} ({})", level_name(steps[i]->level), steps[i]->name, steps[i]->file);
        } else if (log) {
            console::println("boot: {:<6} ch{} {} ({})", level_name(steps[i]->level), unsigned{steps[i]->layer},
                             steps[i]->name, steps[i]->file);
        }
        steps[i]->fn();
    }
}
}  // namespace cops::init

/// Called by entry.S on the boot hart with the boot stack set and BSS cleared.
extern "C" [[noreturn]] void kernel_boot(unsigned long hart, const void* dtb) {
    using namespace cops;
    // Any trap from here on is a bug: report it instead of hanging.
    arch::install_fatal_trap_vector();

    boot::g_info.boot_hart = static_cast<unsigned>(hart);
    boot::g_info.dtb = dtb;
    boot::g_info.kernel_start = reinterpret_cast<std::uintptr_t>(__kernel_start);
    boot::g_info.kernel_end = reinterpret_cast<std::uintptr_t>(__kernel_end);
    boot::read_device_tree(dtb);
    dev::probe_finisher();

    // The heap follows the kernel image, or the device tree if the firmware put the
    // tree where the heap would go: QEMU puts it at the top of RAM, but OpenSBI's
    // fw_jump (the FPGA board's image) copies it to 0x82200000, a few MiB past the
    // kernel. A heap over the tree would overwrite it before the drivers read it.
    const std::uintptr_t ram_end = boot::g_info.memory_base + boot::g_info.memory_size;
    std::uintptr_t heap_start = (boot::g_info.kernel_end + 4095) & ~std::uintptr_t{4095};
    const auto dtb_lo = reinterpret_cast<std::uintptr_t>(dtb);
    const std::uintptr_t dtb_hi = dtb_lo + boot::fdt().total_size();
    if (dtb_hi > heap_start && dtb_lo < heap_start + boot::kHeapMax) {
        heap_start = (dtb_hi + 4095) & ~std::uintptr_t{4095};
    }
    if (ram_end <= heap_start + (1U << 20)) {
        console::println("boot: only {} bytes of RAM after the kernel; give QEMU more memory (-m)",
                         ram_end > heap_start ? ram_end - heap_start : 0);
        dev::power_off(dev::ExitCode::Panic);
    }
    std::size_t heap_size = (ram_end - heap_start) / 4;
    if (heap_size > boot::kHeapMax) {
        heap_size = boot::kHeapMax;
    }
    boot::g_info.heap_start = heap_start;
    boot::g_info.heap_size = heap_size;
    boot::g_info.free_start = heap_start + heap_size;
    mm::kernel_heap().init(reinterpret_cast<void*>(heap_start), heap_size);

    sched::Executor::on_lost_coroutine = boot::lost_coroutine;
    boot::take_nonce();  // before any code but the boot's own has run
    boot::run_global_constructors();
    init::run_all();
    app_main();
    dev::power_off(dev::ExitCode::Success);
}

/// Called by entry.S on a hart started through SBI HSM.
extern "C" void kernel_secondary_boot(unsigned long hart, std::uintptr_t opaque) {
    cops::arch::install_fatal_trap_vector();
    cops::boot::secondary_main(static_cast<unsigned>(hart), opaque);
}
