/// @file sbi.hpp
/// @brief Calls into the SBI firmware (OpenSBI): console, timer, shutdown, harts.
///
/// The kernel runs in S-mode; OpenSBI runs in M-mode and offers services through
/// `ecall` (SBI specification v1.0: a0-a5 arguments, a6 function id, a7 extension id,
/// returns error in a0 and value in a1).
#pragma once

#include <cstdint>

namespace cops::arch::sbi {

/// An SBI call's outcome.
struct SbiResult {
    long error;  ///< 0 on success, negative SBI error code otherwise
    long value;  ///< the call's value
};

/// Raw SBI call.
SbiResult call(long extension, long function, unsigned long a0 = 0, unsigned long a1 = 0, unsigned long a2 = 0);

/// Writes one character to the firmware console (legacy extension 0x01).
void console_putchar(char c);
/// Reads one character from the firmware console, or -1 if none is waiting.
int console_getchar();
/// Programs the next timer interrupt at absolute time @p stime_value (TIME extension).
void set_timer(std::uint64_t stime_value);
/// Why the system is shut down.
enum class ResetReason : std::uint32_t { None = 0, SystemFailure = 1 };
/// Shuts the machine down (SRST extension, falling back to legacy shutdown).
[[noreturn]] void shutdown(ResetReason reason);
/// Starts hart @p hartid at physical address @p start with a1 = @p opaque (HSM extension).
SbiResult hart_start(unsigned long hartid, unsigned long start, unsigned long opaque);
/// The state of hart @p hartid (HSM extension): 0 started, 1 stopped, ...
SbiResult hart_status(unsigned long hartid);
/// True if the firmware implements extension @p extension.
bool probe_extension(long extension);

}  // namespace cops::arch::sbi
