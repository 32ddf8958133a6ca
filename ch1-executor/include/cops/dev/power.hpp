/// @file power.hpp
/// @brief Powering the machine off with an exit status QEMU passes to the host.
#pragma once

#include <cstdint>

namespace cops::dev {

/// Exit statuses the host tools understand.
enum class ExitCode : std::uint16_t {
    Success = 0,      ///< everything passed / the demo finished
    TestFailure = 1,  ///< at least one test failed
    Panic = 3,        ///< the kernel panicked
    Timeout = 4,      ///< a test exceeded its instruction budget
};

/// Powers off. On QEMU's virt machine the `sifive,test0` device found in the device
/// tree makes QEMU exit with @p code; elsewhere SBI shutdown is used.
[[noreturn]] void power_off(ExitCode code);

/// Looks up the test finisher in the device tree (called at boot).
void probe_finisher();

}  // namespace cops::dev
