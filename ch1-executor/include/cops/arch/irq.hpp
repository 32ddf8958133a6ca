/// @file irq.hpp
/// @brief Turning this hart's interrupts off and back on around a critical section.
///
/// In the kernel every spin lock holds interrupts off (like xv6's push_off), so an
/// interrupt handler can take any lock: the code it interrupted cannot be holding
/// one on the same hart. On the host (unit tests) these are no-ops.
#pragma once

#include <cstdint>

namespace cops::arch {

// The immediates below are sstatus.SIE (arch::kSstatusSie in csr.hpp, bit 1 = 2).

/// True if supervisor interrupts are on on this hart (false on the host).
inline bool irq_enabled() {
#if defined(COPS_KERNEL)
    std::uint64_t status;
    asm volatile("csrr %0, sstatus" : "=r"(status)::"memory");
    return (status & 2U) != 0;
#else
    return false;
#endif
}

/// Disables supervisor interrupts on this hart; returns whether they were enabled.
inline bool irq_save() {
#if defined(COPS_KERNEL)
    std::uint64_t old;
    asm volatile("csrrci %0, sstatus, 2" : "=r"(old)::"memory");
    return (old & 2U) != 0;
#else
    return false;
#endif
}

/// Re-enables supervisor interrupts if @p was_enabled (the value irq_save returned).
inline void irq_restore(bool was_enabled) {
#if defined(COPS_KERNEL)
    if (was_enabled) {
        asm volatile("csrsi sstatus, 2" ::: "memory");
    }
#else
    (void)was_enabled;
#endif
}

/// Enables supervisor interrupts on this hart.
inline void irq_enable() {
#if defined(COPS_KERNEL)
    asm volatile("csrsi sstatus, 2" ::: "memory");
#endif
}

/// Disables supervisor interrupts on this hart.
inline void irq_disable() { (void)irq_save(); }

/// Holds this hart's interrupts off for the life of a scope.
class IrqGuard {
public:
    /// Turns interrupts off, remembering whether they were on.
    IrqGuard() : was_enabled_(irq_save()) {}
    /// Restores the state found at construction.
    ~IrqGuard() { irq_restore(was_enabled_); }
    IrqGuard(const IrqGuard&) = delete;
    IrqGuard& operator=(const IrqGuard&) = delete;

private:
    bool was_enabled_;
};

}  // namespace cops::arch
