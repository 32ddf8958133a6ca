/// @file program_table.hpp
/// @brief The user programs built with the kernel and embedded in its image.
///
/// The build compiles each `user/programs/<name>.cpp` of chapters 1..N into an ELF
/// and generates an assembly file that includes them (`.incbin`) with a table of
/// names, sizes and addresses; this header reads that table.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace cops::proc {

/// One embedded program.
struct Program {
    std::string_view name;           ///< the file name without .cpp
    std::span<const std::byte> elf;  ///< its ELF image
};

/// The program called @p name, if the image has it.
std::optional<Program> find_program(std::string_view name);
/// How many programs the image has.
std::size_t program_count();
/// Program number @p i (0..program_count()-1), in name order.
Program program_at(std::size_t i);

/// The command line `make run` starts when the kernel command line names none:
/// "init" (ch3's demo). A later layer names its own demo by defining this function;
/// its definition replaces ch3's weak one (program_table.cpp).
const char* first_program();

}  // namespace cops::proc
