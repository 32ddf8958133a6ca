/// @file run_program.hpp
/// @brief For kernel tests and benchmarks: run a user program to its end.
#pragma once

#include <cstdint>
#include <string_view>

#include "cops/lib/console.hpp"
#include "cops/lib/result.hpp"
#include "cops/proc/process.hpp"
#include "cops/sched/run_until.hpp"

namespace cops::proc {

/// Spawns @p command_line from the kernel, lets the harts run until it has ended,
/// reaps it and returns its status (or the spawn error, which it also prints).
inline Result<std::int64_t> run_program(std::string_view command_line,
                                        sched::Priority priority = kDefaultUserPriority) {
    const auto pid = spawn(command_line, nullptr, priority);
    if (!pid) {
        console::println("run_program: cannot spawn '{}': {}", command_line, error_name(pid.error()));
        return pid.error();
    }
    sched::run_until([&] { return has_ended(pid.value()); });
    return reap(pid.value());
}

}  // namespace cops::proc
