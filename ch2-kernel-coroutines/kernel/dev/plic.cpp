/// @file plic.cpp
/// @brief PLIC driver: priorities, enables, claim and complete.
#include "cops/dev/plic.hpp"

#include <atomic>
#include <cstdint>

#include "cops/arch/csr.hpp"
#include "cops/arch/trap.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/dev/placement.hpp"
#include "cops/smp/hart.hpp"

namespace cops::dev::plic {

namespace {
constexpr unsigned kMaxIrq = 128;
constexpr unsigned kNoContext = kNoPlicContext;

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
    auto placed = find_plic(boot::fdt());
    if (!placed) {
        return placed.error();
    }
    g_base = placed.value().base;
    for (unsigned id = 0; id < sched::kMaxHarts; ++id) {
        g_context_of_hart_id[id] =
            id < placed.value().context_of_hart_id.size() ? placed.value().context_of_hart_id[id] : kNoContext;
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
