/// @file stuck.cpp
/// @brief Waits that only the end of the process can end (the kernel tests check that
/// exit and kill end them):
///   stuck joins     two threads join each other, then main exits with 7
///   stuck waits     waits for a child that sleeps a long time (the test kills this one)
///   stuck sleeper   sleeps 200 ticks, then exits 0 (the child of `stuck waits`)
#include <atomic>
#include <string_view>

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
    if (what == "sleeper") {
        user::sleep(200);
        return 0;
    }
    return 2;
}
