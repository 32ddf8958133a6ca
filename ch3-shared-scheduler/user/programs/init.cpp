/// @file init.cpp
/// @brief The first user program: runs this chapter's programs one by one and shows
/// how each ended; then runs three `levels` processes at once to show the shared
/// scheduler's order. Exits 0 if everything ended as expected.
#include <cstdint>

#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"

using namespace cops::user;

namespace {
struct Step {
    const char* command;  ///< what to spawn
    long expected;        ///< the status it should end with
    const char* meaning;  ///< what that status shows
};

constexpr Step kSteps[] = {
    {"hello world", 0, "runs in user mode and prints through write()"},
    {"exit_with 42", 42, "an exit status reaches the parent's wait()"},
    {"family 5", 0, "a process spawns and reaps children"},
    {"threads 4", -1, "threads run at once (status: harts used)"},
    {"badptr", 0, "every bad pointer is EFAULT, never a kernel fault"},
    {"fault kernel-read", cops::abi::kStatusFault, "reading kernel memory kills only the process"},
    {"fault illegal", cops::abi::kStatusFault, "an illegal instruction kills only the process"},
};

/// The shared-scheduler demo: three processes with coroutines at these levels. On
/// one hart (`make run`'s default) the lines come out in level order, 33 36 40 45
/// 50, so the CPU goes A, B, C, A, B: each process yields it when the global view
/// shows a more urgent level elsewhere.
constexpr const char* kLevels[] = {"levels A 33 45", "levels B 36 50", "levels C 40"};
constexpr int kLevelProcesses = sizeof kLevels / sizeof kLevels[0];

/// Starts every kLevels process at once and waits for them; how many went wrong.
int run_levels_demo() {
    println("init: shared scheduler: {} processes with coroutines at several levels", kLevelProcesses);
    long pids[kLevelProcesses];
    for (int i = 0; i < kLevelProcesses; ++i) {
        pids[i] = spawn(kLevels[i]);
    }
    int wrong = 0;
    for (int i = 0; i < kLevelProcesses; ++i) {
        long status = -1;
        if (pids[i] < 0 || wait(pids[i], &status) != pids[i] || status != 0) {
            println("init: '{}' did not end well ({}, status {})", kLevels[i], pids[i], status);
            ++wrong;
        }
    }
    println("init: shared scheduler: {} of {} ended well", kLevelProcesses - wrong, kLevelProcesses);
    return wrong;
}
}  // namespace

int main() {
    println("init: pid {}, running {} programs", getpid(), sizeof kSteps / sizeof kSteps[0]);
    int wrong = 0;
    for (const Step& s : kSteps) {
        const long pid = spawn(s.command);
        long status = 0;
        if (pid < 0 || wait(pid, &status) != pid) {
            println("init: could not run '{}' ({})", s.command, pid);
            ++wrong;
            continue;
        }
        const bool ok = s.expected == -1 ? status >= 1 : status == s.expected;
        println("init: {:<20} -> status {:>3}  {}  {}", s.command, status, ok ? "ok " : "BAD", s.meaning);
        wrong += ok ? 0 : 1;
    }
    println("init: {} of {} as expected", sizeof kSteps / sizeof kSteps[0] - wrong, sizeof kSteps / sizeof kSteps[0]);
    return wrong + run_levels_demo();
}
