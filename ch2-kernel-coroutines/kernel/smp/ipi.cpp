/// @file ipi.cpp
/// @brief Waking idle harts and nudging busy ones, with as few IPIs as possible.
#include "cops/smp/ipi.hpp"

#include <atomic>

#include "cops/arch/csr.hpp"
#include "cops/arch/sbi.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/smp/hart.hpp"

namespace cops::smp {

namespace {
std::atomic<std::uint64_t> g_idle{0};
constexpr long kSbiIpi = 0x735049;  // "sPI"
}  // namespace

void send_ipi(unsigned index) {
    if (&hart(index) == &this_hart()) {
        arch::sip.set(arch::kSipSsip);  // to ourselves: just raise the pending bit
        return;
    }
    (void)arch::sbi::call(kSbiIpi, 0, 1UL, hart(index).hart_id);
}

void set_idle(bool idle) {
    const std::uint64_t bit = 1ULL << this_hart().index;
    if (idle) {
        g_idle.fetch_or(bit, std::memory_order_seq_cst);
    } else {
        g_idle.fetch_and(~bit, std::memory_order_seq_cst);
    }
}

void kick_for(sched::Priority prio) {
    // Pairs with the fence in the idle loop: either that hart sees the new work before
    // it sleeps, or we see its idle bit here.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    const unsigned self = this_hart().index;
    std::uint64_t idle = g_idle.load(std::memory_order_seq_cst) & ~(1ULL << self);
    while (idle != 0) {
        const std::uint64_t bit = idle & (~idle + 1);  // lowest set bit
        if (!hart_active(static_cast<unsigned>(__builtin_popcountll(bit - 1)))) {
            idle &= ~bit;  // parked by set_active_harts: leave it asleep
            continue;
        }
        // Claim that hart so two wakers do not both IPI it.
        if ((g_idle.fetch_and(~bit, std::memory_order_seq_cst) & bit) != 0) {
            unsigned index = 0;
            while ((bit >> index) != 1) {
                ++index;
            }
            send_ipi(index);
            return;
        }
        idle &= ~bit;
    }
    // Nobody is idle: interrupt the hart whose coroutine is least urgent, if prio beats it.
    sched::Executor& ex = sched::kernel_executor();
    unsigned victim = self;
    unsigned worst = prio.level;
    for (unsigned i = 0; i < hart_count(); ++i) {
        if (!hart(i).online.load(std::memory_order_acquire)) {
            continue;
        }
        const std::optional<sched::Priority> running = ex.running_priority(i);
        const unsigned level = running ? running->level : sched::kPriorityLevels;  // none: nothing to preempt
        if (running && level > worst) {
            worst = level;
            victim = i;
        }
    }
    if (worst > prio.level) {
        send_ipi(victim);
    }
}

}  // namespace cops::smp
