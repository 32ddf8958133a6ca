/// @file family.cpp
/// @brief `family N`: spawns N children (exit_with i), waits for each by pid and
/// checks its status; then checks wait(-1) with none left. Exits 0 if all was right.
/// `family N orphans`: spawns N children that sleep, and exits without waiting.
#include "cops/lib/format.hpp"
#include "cops/lib/parse.hpp"
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"

using namespace cops::user;

int main(int argc, char** argv) {
    const std::uint64_t count = cops::lib::parse_u64(argc > 1 ? argv[1] : "", 3);
    long pids[64];
    if (count > 64) {
        return 2;
    }
    const int n = static_cast<int>(count);
    const bool orphans = argc > 2 && argv[2][0] == 'o';
    char line[32];
    for (int i = 0; i < n; ++i) {
        pids[i] = spawn(orphans ? "isolation hold"
                                : cops::lib::format_buffer(line, sizeof line, "exit_with {}", i % 200).data());
        if (pids[i] < 0) {
            println("family: spawn {} failed: {}", i, pids[i]);
            return 1;
        }
    }
    if (orphans) {
        return 0;  // the children outlive their parent
    }
    // Reap in reverse order, by pid.
    for (int i = n - 1; i >= 0; --i) {
        long status = -1;
        const long got = wait(pids[i], &status);
        if (got != pids[i] || status != i % 200) {
            println("family: wait({}) gave {} with status {}, expected status {}", pids[i], got, status, i % 200);
            return 1;
        }
    }
    if (wait(-1, nullptr) != -static_cast<long>(cops::abi::Errno::NoChild)) {
        println("family: wait(-1) with no children did not fail with ECHILD");
        return 1;
    }
    return 0;
}
