/// @file prio_child.cpp
/// @brief `prio_child L`: the main coroutine starts a worker at level L and blocks;
/// the worker gives the CPU away once (so the kernel folds level L), then exits with
/// status L. Which of several such processes ends first shows the kernel's order.
#include "cops/lib/parse.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/sys.hpp"

using namespace cops;

namespace {
sched::Task<void> worker(int level) {
    user::yield();  // a trap: the kernel sees this process at `level` and queues it there
    user::exit(level);
    co_return;
}
}  // namespace

sched::Task<int> co_main(int argc, char** argv) {
    const auto level = static_cast<std::uint8_t>(lib::parse_u64(argc > 1 ? argv[1] : "", 200));
    if (level >= sched::kPriorityLevels || user::spawn(worker(level), sched::Priority{level}) < 0) {
        co_return 255;
    }
    co_await sched::block();  // nobody wakes it: the worker ends the process
    co_return 254;
}
