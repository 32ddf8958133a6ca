/// @file panic.hpp
/// @brief panic(): print what went wrong and a backtrace, then stop the machine.
///
/// Output (the host tools symbolize the bt# lines with the kernel's ELF):
/// @verbatim
///   PANIC: <message>
///     bt#0 0x0000000080201234
///     bt#1 ...
/// @endverbatim
#pragma once

#include <cstdint>
#include <string_view>

#include "cops/lib/console.hpp"

namespace cops {

namespace detail {
/// Starts a panic: stops other output, prints "PANIC: ". Returns false on a nested panic.
bool panic_begin();
/// Ends a panic: newline, backtrace from @p frame_pointer (numbered from
/// @p first_index), then the panic action.
[[noreturn]] void panic_end(std::uintptr_t frame_pointer, unsigned first_index = 0);
}  // namespace detail

/// Prints a backtrace by walking the frame-pointer chain from @p frame_pointer,
/// numbering lines from @p first_index.
void print_backtrace(std::uintptr_t frame_pointer, unsigned first_index = 0);

/// What happens after a panic has been printed (default: power off with exit code 3).
/// The test runner may install its own.
extern void (*panic_action)();

/// Stops the kernel with a formatted message and a backtrace.
template <class... Args>
[[noreturn, gnu::noinline]] void panic(std::string_view fmt, const Args&... args) {
    if (detail::panic_begin()) {
        lib::format_to(console::backend(), fmt, args...);
    }
    detail::panic_end(reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)));
}

}  // namespace cops
