/// @file stuck.cpp
/// @brief Waits that only the end of the process can end (the kernel tests check that
/// exit and kill end them):
///   stuck joins     two threads join each other, then main exits with 7
///   stuck waits     waits for a child that sleeps a long time (the test kills this one)
///   stuck sleeper   sleeps 200 ticks, then exits 0 (the child of `stuck waits`)
///   stuck killrules a child may not kill its parent or its sibling; a parent may kill
///                   its child (and the child's child); exits with the number of failures
///   stuck victim P Q  (the child of killrules) tries to kill P and Q, exits with failures
///   stuck tree      two sleeping children, each with a sleeping child; waits (for a kill)
#include <atomic>
#include <string_view>

#include "cops/lib/format.hpp"
#include "cops/lib/parse.hpp"
#include "cops/user/sys.hpp"
#include "cops/user/thread.hpp"

using namespace cops;

namespace {
std::atomic<long> g_tids[2];
std::atomic<int> g_joining{0};

long join_the_other(void* arg) {
    const auto me = reinterpret_cast<std::uintptr_t>(arg);
    while (g_tids[1 - me].load() == 0) {
        user::yield();
    }
    g_joining.fetch_add(1);
    return user::thread_join(g_tids[1 - me].load());  // each waits for the other: for ever
}
}  // namespace

int main(int argc, char** argv) {
    const std::string_view what = argc > 1 ? argv[1] : "";
    if (what == "joins") {
        g_tids[0] = user::thread_create(join_the_other, reinterpret_cast<void*>(std::uintptr_t{0}));
        g_tids[1] = user::thread_create(join_the_other, reinterpret_cast<void*>(std::uintptr_t{1}));
        if (g_tids[0] < 0 || g_tids[1] < 0) {
            return 100;
        }
        while (g_joining.load() < 2) {
            user::yield();
        }
        user::sleep(5);  // both are blocked in thread_join now
        return 7;        // exit: the process must end although its threads wait
    }
    if (what == "waits") {
        const long child = user::spawn("stuck sleeper");
        if (child < 0) {
            return 100;
        }
        long status = 0;
        user::wait(child, &status);  // the test kills this process meanwhile
        return 101;
    }
    if (what == "killrules") {
        int failed = 0;
        const long sibling = user::spawn("stuck sleeper");
        char line[64];
        const auto cmd = lib::format_buffer(line, sizeof line - 1, "stuck victim {} {}", user::getpid(), sibling);
        line[cmd.size()] = '\0';
        const long child = user::spawn(line);
        long status = -1;
        failed += user::wait(child, &status) == child && status == 0 ? 0 : 1;  // its checks passed
        failed += user::kill(sibling) == 0 ? 0 : 1;                            // a parent may kill its child
        failed += user::wait(sibling, &status) == sibling && status == cops::abi::kStatusKilled ? 0 : 1;
        failed += user::kill(99999) == -static_cast<long>(cops::abi::Errno::NoProcess) ? 0 : 1;
        return failed;
    }
    if (what == "victim" && argc == 4) {
        const long parent = static_cast<long>(lib::parse_u64(argv[2], 0));
        const long sibling = static_cast<long>(lib::parse_u64(argv[3], 0));
        const long eperm = -static_cast<long>(cops::abi::Errno::NotPermitted);
        int failed = 0;
        failed += user::kill(parent) == eperm ? 0 : 1;   // not an ancestor's right
        failed += user::kill(sibling) == eperm ? 0 : 1;  // nor a sibling's
        return failed;
    }
    if (what == "tree") {
        for (int i = 0; i < 2; ++i) {
            if (user::spawn("stuck waits") < 0) {  // each waits for a sleeper of its own
                return 100;
            }
        }
        long status;
        user::wait(-1, &status);  // the test kills this process meanwhile
        return 101;
    }
    if (what == "sleeper") {
        user::sleep(200);
        return 0;
    }
    return 2;
}
