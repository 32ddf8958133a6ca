/// @file plic.cpp
/// @brief PLIC driver: priorities, enables, claim and complete.
#include "cops/dev/plic.hpp"

#include <atomic>
#include <cstdint>

#include "cops/arch/csr.hpp"
#include "cops/arch/trap.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/smp/hart.hpp"

namespace cops::dev::plic {

namespace {
constexpr unsigned kMaxIrq = 128;
constexpr unsigned kNoContext = ~0U;
constexpr std::uint32_t kCauseSupervisorExternal = 9;

// Register map (the PLIC specification).
constexpr std::uintptr_t kPriority = 0x0;
constexpr std::uintptr_t kEnable = 0x2000;
constexpr std::uintptr_t kEnableStride = 0x80;
constexpr std::uintptr_t kContext = 0x200000;
constexpr std::uintptr_t kContextStride = 0x1000;
constexpr std::uintptr_t kThreshold = 0x0;
constexpr std::uintptr_t kClaim = 0x4;

struct Handler {
    void (*fn)(void*) = nullptr;
    void* ctx = nullptr;
};

std::uintptr_t g_base = 0;
unsigned g_context_of_hart_id[sched::kMaxHarts];
Handler g_handlers[kMaxIrq];
std::atomic<unsigned long> g_handled{0};

volatile std::uint32_t& reg(std::uintptr_t offset) {
    return *reinterpret_cast<volatile std::uint32_t*>(g_base + offset);
}

unsigned context_of(unsigned hart_index) {
    const unsigned id = smp::hart(hart_index).hart_id;
    return id < sched::kMaxHarts ? g_context_of_hart_id[id] : kNoContext;
}

/// phandle of each cpu's interrupt controller -> that cpu's hart id, from a walk.
struct IntcMap {
    const lib::FdtReader* fdt;
    std::uint32_t phandle[sched::kMaxHarts];
    unsigned hart_id[sched::kMaxHarts];
    unsigned count = 0;
    unsigned cpu_depth = 0;
    unsigned cpu_hart = ~0U;
};

bool visit(const lib::FdtNode& n, void* p) {
    auto& m = *static_cast<IntcMap*>(p);
    if (m.fdt->property_string(n, "device_type") == std::string_view("cpu")) {
        auto r = m.fdt->reg(n);
        m.cpu_hart = r ? static_cast<unsigned>(r.value().address) : ~0U;
        m.cpu_depth = n.depth;
        return true;
    }
    if (m.cpu_hart != ~0U && n.depth == m.cpu_depth + 1 && m.count < sched::kMaxHarts) {
        if (auto ph = m.fdt->property_u32(n, "phandle")) {
            m.phandle[m.count] = *ph;
            m.hart_id[m.count] = m.cpu_hart;
            ++m.count;
        }
    } else if (n.depth <= m.cpu_depth) {
        m.cpu_hart = ~0U;
    }
    return true;
}

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

void on_external(arch::TrapFrame&) {
    ++smp::this_hart().stats.external;
    const unsigned ctx = context_of(smp::this_hart().index);
    if (ctx == kNoContext) {
        return;
    }
    volatile std::uint32_t& claim = reg(kContext + ctx * kContextStride + kClaim);
    while (const std::uint32_t irq = claim) {
        if (irq < kMaxIrq && g_handlers[irq].fn != nullptr) {
            g_handlers[irq].fn(g_handlers[irq].ctx);
        }
        g_handled.fetch_add(1, std::memory_order_relaxed);
        claim = irq;  // complete
    }
}
}  // namespace

Status init() {
    const lib::FdtReader& fdt = boot::fdt();
    auto node = fdt.find_compatible("riscv,plic0");
    if (!node) {
        node = fdt.find_compatible("sifive,plic-1.0.0");
    }
    if (!node) {
        return Error::NotFound;
    }
    auto r = fdt.reg(node.value());
    auto ext = fdt.property(node.value(), "interrupts-extended");
    if (!r || !ext) {
        return Error::Malformed;
    }
    g_base = r.value().address;
    for (unsigned& c : g_context_of_hart_id) {
        c = kNoContext;
    }
    IntcMap map{&fdt, {}, {}};
    (void)fdt.walk(visit, &map);
    // interrupts-extended: (phandle, cause) per context, in context order.
    const auto cells = *ext;
    for (std::size_t i = 0; i + 8 <= cells.size(); i += 8) {
        const std::uint32_t phandle = be32(&cells[i]);
        const std::uint32_t cause = be32(&cells[i + 4]);
        if (cause != kCauseSupervisorExternal) {
            continue;
        }
        for (unsigned k = 0; k < map.count; ++k) {
            if (map.phandle[k] == phandle && map.hart_id[k] < sched::kMaxHarts) {
                g_context_of_hart_id[map.hart_id[k]] = static_cast<unsigned>(i / 8);
            }
        }
    }
    arch::set_interrupt_handler(arch::Interrupt::External, on_external);
    return {};
}

void init_this_hart() {
    const unsigned ctx = context_of(smp::this_hart().index);
    if (g_base == 0 || ctx == kNoContext) {
        return;
    }
    reg(kContext + ctx * kContextStride + kThreshold) = 0;
    arch::sie.set(arch::kSieSeie);
}

Status attach(unsigned irq, void (*handler)(void*), void* ctx, unsigned hart_index) {
    if (g_base == 0) {
        return Error::NotFound;
    }
    if (irq == 0 || irq >= kMaxIrq) {
        return Error::BadState;
    }
    const unsigned context = context_of(hart_index);
    if (context == kNoContext) {
        return Error::NotFound;
    }
    g_handlers[irq] = {handler, ctx};
    reg(kPriority + 4 * irq) = 1;
    volatile std::uint32_t& enable = reg(kEnable + context * kEnableStride + 4 * (irq / 32));
    enable = enable | (1U << (irq % 32));
    return {};
}

unsigned long handled() { return g_handled.load(std::memory_order_relaxed); }

}  // namespace cops::dev::plic
