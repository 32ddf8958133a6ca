/// @file raise_prio.cpp
/// @brief `raise_prio`: starts `slow` at level 50 and `late` at 55, then raises `late`
/// to level 5. The first of them to run exits with its level: 5 shows that the raised
/// coroutine runs next, and (against other processes) that the kernel saw it.
///
/// The main coroutine first moves itself to level 5; until then (the runtime's
/// start-up, see prio_child.cpp) a tick shows the kernel level 32, so a competing
/// process must sit at a level less urgent than 32 to be a fair test. Once main blocks, only the raised
/// coroutine keeps the process at 5: without the raise, it would be at 50.
#include "cops/user/coro.hpp"
#include "cops/user/sys.hpp"

using namespace cops;

namespace {
sched::Task<void> runner(int level) {
    user::yield();  // give the CPU away once: the kernel folds this process's new level
    user::exit(level);
    co_return;
}
}  // namespace

sched::Task<int> co_main(int, char**) {
    if (user::set_priority(user::current(), sched::Priority{5}) != 0) {
        co_return 253;
    }
    const long slow = user::spawn(runner(50), sched::Priority{50});
    const long late = user::spawn(runner(5), sched::Priority{55});
    if (slow < 0 || late < 0 ||
        user::set_priority(sched::Cid{static_cast<std::uint64_t>(late)}, sched::Priority{5}) != 0) {
        co_return 255;
    }
    co_await sched::block();
    co_return 254;
}
