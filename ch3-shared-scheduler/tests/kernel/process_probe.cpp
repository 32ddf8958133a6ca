/// @file process_probe.cpp
/// @brief The process hook behind test::last_created_process(), and look_at_view().
#include "cops/test/process_probe.hpp"

#include "cops/init/initcall.hpp"
#include "cops/proc/global_view.hpp"
#include "cops/proc/process_hooks.hpp"
#include "cops/proc/switching_coroutine.hpp"
#include "cops/sched/kernel_executor.hpp"

namespace cops::test {

namespace {
std::atomic<proc::Process*> g_last{nullptr};

Status note_created(proc::Process& p) {
    g_last.store(&p, std::memory_order_release);
    return {};
}

void forget_freed(proc::Process& p) {
    proc::Process* expected = &p;
    g_last.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel);
}

void install_probe() { proc::add_process_hooks({"kernel tests: process probe", note_created, nullptr, forget_freed}); }
COPS_INITCALL(late, install_probe);
}  // namespace

proc::Process* last_created_process() { return g_last.load(std::memory_order_acquire); }

int waiting_level() {
    const auto best = proc::best_waiting();
    return best ? best->level : -1;
}

sched::Task<void> look_at_view(ViewSighting* seen, proc::Pid first, proc::Pid second, const proc::UserThread* thread) {
    seen->user_traps = thread != nullptr ? thread->user_traps : 0;
    seen->first_ended = proc::has_ended(first);
    seen->second_ended = proc::has_ended(second);
    seen->waiting = waiting_level();
    const auto level = sched::kernel_executor().priority(proc::switcher_cid());
    seen->switcher = level ? level.value().level : -1;
    seen->ran.store(true, std::memory_order_release);
    co_return;
}

}  // namespace cops::test
