/// @file spinlock.hpp
/// @brief A test-and-set spin lock, usable in kernel and user mode alike.
#pragma once

#include <atomic>
#include <cstdint>

namespace cops::sync {

/// Mutual exclusion by spinning on an atomic flag. Never held across a resume.
class SpinLock {
public:
    /// Spins until the lock is taken.
    void lock() {
        while (locked_.exchange(1, std::memory_order_acquire) != 0) {
            while (locked_.load(std::memory_order_relaxed) != 0) {}
        }
    }
    /// Takes the lock if free; true on success.
    bool try_lock() { return locked_.exchange(1, std::memory_order_acquire) == 0; }
    /// Releases the lock.
    void unlock() { locked_.store(0, std::memory_order_release); }

private:
    // A word, not a bool: RISC-V's atomic swap works on 32/64-bit words.
    std::atomic<std::uint32_t> locked_{0};
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
