/// @file boot_init.cpp
/// @brief `make run CH=3`: start the init user program (or `INIT=prog,arg`), wait for it, power off.
#include "cops/boot/boot_info.hpp"
#include "cops/dev/power.hpp"
#include "cops/lib/console.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/program_table.hpp"
#include "cops/sched/run_until.hpp"

using namespace cops;

void app_main() {
    console::print("kernel: {} user programs in the image:", proc::program_count());
    for (std::size_t i = 0; i < proc::program_count(); ++i) {
        console::print(" {}", proc::program_at(i).name);
    }
    console::println("");
    // `init=hello,a,b` on the command line starts "hello a b" instead of init
    // (words are joined with commas: the command line itself splits on spaces).
    char line[proc::kMaxCommandLine] = {};
    const std::string_view first = boot::bootarg("init").value_or(proc::first_program());
    const std::size_t n = first.copy(line, sizeof line - 1);
    line[n] = '\0';
    for (char& c : line) {
        c = c == ',' ? ' ' : c;
    }
    const std::string_view command{line};
    const auto pid = proc::spawn(command);
    if (!pid) {
        console::println("kernel: cannot start '{}': {}", command, error_name(pid.error()));
        dev::power_off(dev::ExitCode::TestFailure);
    }
    sched::run_until([&] { return proc::has_ended(pid.value()); });
    const auto status = proc::reap(pid.value());
    console::println("kernel: '{}' (pid {}) ended with status {}; powering off", command, pid.value(),
                     status.value_or(-1));
    dev::power_off(status.value_or(1) == 0 ? dev::ExitCode::Success : dev::ExitCode::TestFailure);
}
