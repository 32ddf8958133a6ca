/// @file prio_child.cpp
/// @brief `prio_child L`: the main coroutine moves itself to level L at once, starts a
/// worker at level L and blocks; the worker gives the CPU away once (so the kernel
/// folds level L), then exits with status L. Which of several such processes ends
/// first shows the kernel's order.
///
/// Why the main coroutine moves first: it starts at level 32, and a timer interrupt
/// while it runs there would show the kernel a level-32 process, rightly queued
/// behind one at 30. Moving is the first thing it does, so that window is a few
/// instructions long.
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
    if (level >= sched::kPriorityLevels || !user::set_priority(user::current(), sched::Priority{level}) ||
        user::spawn(worker(level), sched::Priority{level}) < 0) {
        co_return 255;
    }
    co_await sched::block();  // nobody wakes it: the worker ends the process
    co_return 254;
}
