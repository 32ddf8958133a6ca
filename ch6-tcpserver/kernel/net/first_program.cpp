/// @file first_program.cpp
/// @brief `make run CH=6` starts the network demo (program_table.hpp's first_program()),
/// telling it how many harts booted: on one hart it leaves out its KTUT run (see
/// "Known limits" in ch6-tcpserver/README.md).
#include "cops/boot/boot_info.hpp"
#include "cops/lib/format.hpp"
#include "cops/proc/program_table.hpp"

namespace cops::proc {

const char* first_program() {
    static char command[32];
    return lib::format_buffer(command, sizeof command, "net_demo harts={}", boot::info().hart_count).data();
}

}  // namespace cops::proc
