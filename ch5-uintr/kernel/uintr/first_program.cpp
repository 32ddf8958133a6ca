/// @file first_program.cpp
/// @brief `make run CH=5` starts the user-interrupt demo (program_table.hpp's first_program()).
#include "cops/proc/program_table.hpp"

namespace cops::proc {

const char* first_program() { return "uintr_demo"; }

}  // namespace cops::proc
