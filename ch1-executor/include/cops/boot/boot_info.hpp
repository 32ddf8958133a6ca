/// @file boot_info.hpp
/// @brief What the kernel learned at boot: harts, memory, command line, devices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "cops/lib/fdt.hpp"

namespace cops::boot {

/// Most harts the kernel supports (boot stacks are reserved for each).
inline constexpr unsigned kMaxHarts = 8;

/// Facts gathered from the device tree and the linker.
struct BootInfo {
    unsigned boot_hart = 0;                  ///< hart that entered the kernel first
    const void* dtb = nullptr;               ///< device tree blob from the firmware
    std::uint64_t memory_base = 0;           ///< start of RAM
    std::uint64_t memory_size = 0;           ///< bytes of RAM
    std::uint64_t timebase_hz = 10'000'000;  ///< ticks per second of `time`
    std::string_view bootargs;               ///< /chosen/bootargs (kernel command line)
    std::uintptr_t kernel_start = 0;         ///< first byte of the kernel image
    std::uintptr_t kernel_end = 0;           ///< end of the image (incl. BSS and boot stacks)
    std::uintptr_t heap_start = 0;           ///< kernel heap region
    std::size_t heap_size = 0;               ///< bytes in the kernel heap
    std::uintptr_t free_start = 0;           ///< first byte after the heap, for later layers
    unsigned hart_count = 1;                 ///< cpu nodes in the device tree
};

/// The boot facts (valid after early boot).
const BootInfo& info();

/// A reader over the firmware's device tree (valid after early boot).
const lib::FdtReader& fdt();

/// The value of `key=` on the kernel command line, if present.
std::optional<std::string_view> bootarg(std::string_view key);
/// The decimal value of `key=` on the kernel command line, or @p fallback if it is
/// absent or not a number.
std::uint64_t bootarg_u64(std::string_view key, std::uint64_t fallback);

/// Receives the run's nonce (the test harness's `nonce=` boot argument) once, in early
/// boot, before the boot overwrites it in the command line. The test runner keeps it
/// (ktest_main.cpp); other images ignore it (a weak default). Submitted code may not
/// call it (grader/symbol_check.py).
void keep_nonce(std::string_view nonce);

/// Entry point the boot code calls on secondary harts (set by a later layer, e.g. SMP).
extern void (*secondary_main)(unsigned hart, std::uintptr_t opaque);

}  // namespace cops::boot

/// The image's program: the demo, the test runner or the benchmark runner.
/// Exactly one of them is linked into each kernel image.
void app_main();
