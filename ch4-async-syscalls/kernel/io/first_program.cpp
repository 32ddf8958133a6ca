/// @file first_program.cpp
/// @brief `make run CH=4` starts the async demo (program_table.hpp's first_program()).
#include "cops/proc/program_table.hpp"

namespace cops::proc {

const char* first_program() { return "async_demo"; }

}  // namespace cops::proc
