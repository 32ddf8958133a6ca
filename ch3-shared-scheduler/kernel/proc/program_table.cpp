/// @file program_table.cpp
/// @brief Reads the generated table of embedded programs (build/chN/user/programs.S).
#include "cops/proc/program_table.hpp"

#include <cstdint>
#include <cstring>

namespace {
/// One row of the generated table.
struct ProgramRow {
    const char* name;
    const std::byte* start;
    std::uint64_t size;
};
}  // namespace

extern "C" const ProgramRow cops_user_programs[];
extern "C" const std::uint64_t cops_user_program_count;

namespace cops::proc {

std::size_t program_count() { return cops_user_program_count; }

Program program_at(std::size_t i) {
    const ProgramRow& r = cops_user_programs[i];
    return {std::string_view{r.name, std::strlen(r.name)}, {r.start, r.size}};
}

std::optional<Program> find_program(std::string_view name) {
    for (std::size_t i = 0; i < program_count(); ++i) {
        const Program p = program_at(i);
        if (p.name == name) {
            return p;
        }
    }
    return std::nullopt;
}

[[gnu::weak]] const char* first_program() { return "init"; }

}  // namespace cops::proc
