/// @file levels.cpp
/// @brief `levels NAME L1 L2 ...`: one coroutine per level L (32..63, the levels a
/// process started by init may use), each printing two rounds. init starts several
/// of these at once: on one hart their lines come out in level order across the
/// processes, because each process gives its CPU away as soon as the kernel's
/// global view shows a more urgent level elsewhere. Exits 0 when all are done.
#include "cops/lib/parse.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"

using namespace cops;

namespace {
constexpr int kRounds = 2;
constexpr int kMaxLevels = 8;

const char* g_name = "?";
int g_left = 0;  // coroutines not finished

sched::Task<void> worker(unsigned level) {
    for (int round = 1; round <= kRounds; ++round) {
        user::println("  levels {}: level {} round {}/{}", g_name, level, round, kRounds);
        co_await sched::yield();
    }
    if (--g_left == 0) {
        const auto stats = user::loop_stats();
        user::println("  levels {}: done; gave the CPU away {} time(s) for more urgent work", g_name, stats.cpu_yields);
        user::exit(0);
    }
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    if (argc < 3 || argc - 2 > kMaxLevels) {
        user::println("usage: levels NAME LEVEL... (1 to {} levels, each 0..63)", kMaxLevels);
        co_return 2;
    }
    g_name = argv[1];
    g_left = argc - 2;
    for (int i = 2; i < argc; ++i) {
        const auto level = lib::parse_u64(argv[i], sched::kPriorityLevels);
        if (level >= sched::kPriorityLevels ||
            user::spawn(worker(static_cast<unsigned>(level)), sched::Priority{static_cast<std::uint8_t>(level)}) < 0) {
            user::println("levels: bad level '{}' (0..63)", argv[i]);
            co_return 2;
        }
    }
    co_await sched::block();  // the last worker ends the process
    co_return 1;
}
