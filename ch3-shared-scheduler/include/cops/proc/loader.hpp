/// @file loader.hpp
/// @brief Loading a checked ELF program into a fresh address space, and the main
/// thread's stack with its arguments.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "cops/lib/result.hpp"
#include "cops/mm/address_space.hpp"

namespace cops::proc {

/// Maps every segment of @p elf into @p space (zero-filled past the file bytes) and
/// returns the entry point. Error::Malformed for a file parse_elf() rejects (the
/// reason is logged), Error::OutOfMemory.
Result<std::uint64_t> load_elf(mm::AddressSpace& space, std::span<const std::byte> elf, std::string_view name);

/// Takes the next space-separated word off the front of @p rest (empty when none is
/// left). The loader splits command lines with it; spawn() takes the program name.
std::string_view next_word(std::string_view& rest);

/// Where a new thread starts: its stack pointer and its first two arguments.
struct StackStart {
    std::uint64_t sp;    ///< initial stack pointer (16-byte aligned)
    std::uint64_t argc;  ///< a0 for the main thread
    std::uint64_t argv;  ///< a1 for the main thread: a user pointer to argc pointers and a null
};

/// Maps the stack of thread slot @p slot in @p space.
Result<std::uint64_t> map_thread_stack(mm::AddressSpace& space, unsigned slot);
/// Writes the words of @p command_line and the argv array at the top of the stack
/// whose top is @p stack_top. Error::Malformed if there are more than
/// kMaxArgs words.
Result<StackStart> push_arguments(mm::AddressSpace& space, std::uint64_t stack_top, std::string_view command_line);

}  // namespace cops::proc
