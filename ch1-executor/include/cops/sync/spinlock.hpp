/// @file spinlock.hpp
/// @brief A test-and-set spin lock, usable in kernel and user mode alike.
#pragma once

#include <atomic>
#include <cstdint>

#include "cops/arch/irq.hpp"

namespace cops::sync {

/// Whether spin locks turn the holder's interrupts off. Off in chapter 1, whose only
/// interrupt is the test watchdog (which must be able to stop a loop that holds a
/// lock); chapter 2 turns it on at boot, once interrupt handlers take locks.
inline constinit bool g_locks_mask_interrupts = false;

namespace detail {

/// The spin loop both lock types share. Whether the holder's interrupts are off is
/// decided by the caller, each time, through @p masks.
class SpinCore {
public:
    /// Spins until the lock is taken; turns interrupts off first if @p masks.
    void lock(bool masks) {
        for (;;) {
            const bool irq = masks && arch::irq_save();
            if (locked_.exchange(1, std::memory_order_acquire) == 0) {
                irq_was_enabled_ = irq;
                return;
            }
            // Wait with interrupts as they were: a hart waiting for a lock still takes
            // its tick (and the test watchdog can stop a holder that never lets go).
            arch::irq_restore(irq);
            while (locked_.load(std::memory_order_relaxed) != 0) {}
        }
    }
    /// Takes the lock if free; true on success.
    bool try_lock(bool masks) {
        const bool irq = masks && arch::irq_save();
        if (locked_.exchange(1, std::memory_order_acquire) != 0) {
            arch::irq_restore(irq);
            return false;
        }
        irq_was_enabled_ = irq;
        return true;
    }
    /// Releases the lock and restores the interrupts lock() found.
    void unlock() {
        const bool irq = irq_was_enabled_;
        locked_.store(0, std::memory_order_release);
        arch::irq_restore(irq);
    }

private:
    // A word, not a bool: RISC-V's atomic swap works on 32/64-bit words.
    std::atomic<std::uint32_t> locked_{0};
    bool irq_was_enabled_ = false;  // written only by the holder
};

}  // namespace detail

/// Mutual exclusion by spinning on an atomic flag. Never held across a resume.
/// From chapter 2 on, the holder's interrupts are off from lock() to unlock(), so an
/// interrupt handler may take any spin lock without deadlocking against the code
/// it interrupted (see irq.hpp and g_locks_mask_interrupts).
class SpinLock {
public:
    /// Spins until the lock is taken.
    void lock() { core_.lock(g_locks_mask_interrupts); }
    /// Takes the lock if free; true on success.
    bool try_lock() { return core_.try_lock(g_locks_mask_interrupts); }
    /// Releases the lock.
    void unlock() { core_.unlock(); }

private:
    detail::SpinCore core_;
};

/// A spin lock whose interrupt masking is a setting of the lock itself, not the
/// boot-wide g_locks_mask_interrupts. The executor uses it: its code also runs in
/// user mode (ch3's shared scheduler), where it must refer to no kernel variable and
/// must never touch `sstatus`.
class OwnPolicySpinLock {
public:
    /// Whether the holder's interrupts are off (kernel executors from ch2 on).
    void set_masks_interrupts(bool masks) { masks_ = masks; }
    /// Spins until the lock is taken.
    void lock() { core_.lock(masks_); }
    /// Takes the lock if free; true on success.
    bool try_lock() { return core_.try_lock(masks_); }
    /// Releases the lock.
    void unlock() { core_.unlock(); }

private:
    detail::SpinCore core_;
    bool masks_ = false;
};

/// Holds a lock for the life of a scope.
template <class Lock>
class LockGuard {
public:
    /// Takes @p l.
    explicit LockGuard(Lock& l) : lock_(l) { lock_.lock(); }
    /// Releases the lock.
    ~LockGuard() { lock_.unlock(); }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;

private:
    Lock& lock_;
};

}  // namespace cops::sync
