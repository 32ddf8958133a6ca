/// @file user_layout.hpp
/// @brief Where the shared scheduler sits in every process's address space.
///
///     4 GiB (kUserBase)            the program (its segments must end below kVdsoBase)
///     kVdsoBase                    the shared scheduler's code: read + execute, the
///                                  same physical pages as the kernel's own copy
///     kGlobalViewAddress           the global priority view: read-only, one page
///                                  shared by every process, written by the kernel
///     kExecutorPageAddress         this process's Executor object: read + write for
///                                  the process, read by the kernel at each fold
///
/// mk/vdso.mk reads kVdsoBase from this file to bind the user programs' calls.
#pragma once

#include <atomic>
#include <cstdint>

namespace cops::mm {

/// User address of the shared scheduler's code (1 GiB above the program).
inline constexpr std::uint64_t kVdsoBase = 0x1'4000'0000;
/// Most bytes the shared scheduler's code may take.
inline constexpr std::uint64_t kVdsoMaxBytes = 1ULL << 20;
/// User address of the global priority view (read-only for processes).
inline constexpr std::uint64_t kGlobalViewAddress = kVdsoBase + kVdsoMaxBytes;
/// User address of the process's own executor page (the Executor object lives here).
inline constexpr std::uint64_t kExecutorPageAddress = kGlobalViewAddress + (1ULL << 20);
/// Bytes of the executor page.
inline constexpr std::uint64_t kExecutorPageBytes = 4096;

/// The global priority view as processes see it (the first bytes of its page).
struct GlobalView {
    /// Bit L set: a process waiting for a CPU has ready work at level L (clamped by its
    /// ceiling), or the kernel had a ready coroutine at L at the last fold.
    std::atomic<std::uint64_t> busy_levels{0};
    /// Incremented at every fold (lets tests and demos see that the kernel updates it).
    std::atomic<std::uint64_t> folds{0};
};

}  // namespace cops::mm
