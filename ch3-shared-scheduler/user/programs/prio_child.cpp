/// @file prio_child.cpp
/// @brief `prio_child L`: the main coroutine moves itself to level L at once, starts a
/// worker at level L and blocks; the worker gives the CPU away once (so the kernel
/// folds level L), then exits with status L. Which of several such processes ends
/// first shows the kernel's order.
///
/// The window: the user runtime starts the main coroutine at level 32 and runs its
/// start-up there (the first pick, argument set-up) before co_main moves to L. A timer
/// tick in that window shows the kernel a level-32 process, rightly queued at 32.
/// Tests that compare these processes by order therefore use levels less urgent than
/// 32: a process still starting up is then always ahead of one that has reached its
/// level, so every process reaches its level before any of them exits.
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
    if (level >= sched::kPriorityLevels || user::set_priority(user::current(), sched::Priority{level}) != 0 ||
        user::spawn(worker(level), sched::Priority{level}) < 0) {
        co_return 255;
    }
    co_await sched::block();  // nobody wakes it: the worker ends the process
    co_return 254;
}
