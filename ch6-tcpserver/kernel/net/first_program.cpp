/// @file first_program.cpp
/// @brief `make run CH=6` starts the network demo (program_table.hpp's first_program()).
#include "cops/proc/program_table.hpp"

namespace cops::proc {

const char* first_program() { return "net_demo"; }

}  // namespace cops::proc
