/// @file entry.hpp
/// @brief What the kernel's first instructions (kernel/boot/entry.S) share with C++:
/// where secondary harts enter, and how a hart that came in the wrong way is told
/// who it is.
#pragma once

#include <cstdint>

extern "C" {
/// The boot entry: the first hart to arrive is the boot hart; a later one is sent on
/// as a secondary (entry.S, started_at_boot_entry).
extern char _start[];
/// Where a secondary hart started through SBI HSM (hart_start) begins.
extern char _start_secondary[];
/// Hart id -> the index the kernel gives it (0: none yet). Written before hart_start:
/// a hart that the firmware sends to the boot entry instead of _start_secondary
/// (OpenSBI 1.1 publishes the start before the address) reads its index here.
extern std::uint32_t secondary_index_by_hart[];
/// Bit h set: hart h came in through the boot entry and was sent on as a secondary.
extern std::uint32_t boot_detoured_harts;
}
