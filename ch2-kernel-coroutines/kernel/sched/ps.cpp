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
    Executor& ex = kernel_executor();
    console::println("  CID                 KIND     PRIO  STATE              FRAME");
    ex.for_each_live([](const Ccb& c) {
        console::println("  {:<18}  {:<7}  {:>4}  {:<17}  {:>5}", c.cid, kind_name(c.kind), c.priority.level,
                         state_name(c.state), c.frame_bytes);
    });
    for_each_running_suspended(
        [](const Thread& t, void*) {
            console::println("  thread {} holds running-suspended coroutine {} (priority {})", t.id, t.coroutine,
                             t.priority.level);
        },
        nullptr);
    for (unsigned i = 0; i < smp::hart_count(); ++i) {
        const smp::Hart& h = smp::hart(i);
        const std::optional<Priority> p = ex.running_priority(i);
        console::println("  hart {} (id {}): {} | ticks {} ipis {} preempted {} ran {} idle-waits {}", i, h.hart_id,
                         p ? "running" : "between coroutines", h.stats.ticks, h.stats.ipis, h.stats.preemptions,
                         h.stats.coroutines_run, h.stats.idle_waits);
    }
    console::println("  stacks free {}/{}", free_threads(), total_threads());
}

}  // namespace cops::sched
