/// @file ps.cpp
/// @brief The `ps` dump.
#include "cops/sched/ps.hpp"

#include "cops/lib/console.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/running_suspended.hpp"
#include "cops/sched/thread_pool.hpp"
#include "cops/smp/hart.hpp"

namespace cops::sched {

void ps() {
    console::lock();
    ps(console::backend());
    console::unlock();
}

void ps(lib::Writer& out) {
    Executor& ex = kernel_executor();
    lib::format_to(out, "  CID                 KIND     PRIO  STATE              FRAME\n");
    ex.for_each_live([&out](const Ccb& c) {
        lib::format_to(out, "  {:<18}  {:<7}  {:>4}  {:<17}  {:>5}\n", c.cid, kind_name(c.kind), c.priority.level,
                       state_name(c.state), c.frame_bytes());
    });
    for_each_running_suspended(
        [](const Thread& t, void* w) {
            lib::format_to(*static_cast<lib::Writer*>(w),
                           "  thread {} holds running-suspended coroutine {} (priority {})\n", t.id, t.coroutine,
                           t.priority.level);
        },
        &out);
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        const smp::Hart& h = smp::hart(i);
        const std::optional<Priority> p = ex.running_priority(i);
        lib::format_to(out, "  hart {} (id {}) on thread {}: {} | ticks {} ipis {} preempted {} ran {} idle-waits {}\n",
                       i, h.hart_id, h.thread != nullptr ? h.thread->id : 0, p ? "running" : "between coroutines",
                       h.stats.ticks, h.stats.ipis, h.stats.preemptions, h.stats.coroutines_run, h.stats.idle_waits);
    }
    lib::format_to(out, "  stacks free {}/{}\n", free_threads(), total_threads());
}

}  // namespace cops::sched
