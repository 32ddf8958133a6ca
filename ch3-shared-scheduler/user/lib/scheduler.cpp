/// @file scheduler.cpp
/// @brief The shared scheduler in a process: its executor, the main coroutine, the
/// loop each hart slot runs, and the yield check against the kernel's global view.
#include <atomic>
#include <new>

#include "cops/mm/user_layout.hpp"
#include "cops/proc/syscall_errors.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"
#include "cops/user/thread.hpp"

/// The program's main(), unless it defines co_main() instead.
[[gnu::weak]] int main(int argc, char** argv);

/// The default of COPS_USER_COROUTINES (coro.hpp); a program's own definition wins.
extern "C" [[gnu::weak]] const cops::user::CoroutineCapacity cops_user_coroutines{cops::user::kDefaultCoroutines};

namespace cops::user {

namespace {
/// Coroutines a process can have at once (a program may ask for another number:
/// COPS_USER_COROUTINES in coro.hpp). Read at start, not copied by a constructor.
std::uint32_t coroutine_capacity() { return cops_user_coroutines.count; }
/// The main coroutine's level (the kernel clamps every level by the process's ceiling).
constexpr sched::Priority kMainPriority{32};

static_assert(sizeof(sched::Executor) <= mm::kExecutorPageBytes, "the executor must fit its page");

sched::Executor* g_executor = nullptr;
std::atomic<unsigned> g_slots{1};
std::atomic<std::uint64_t> g_cpu_yields{0};
std::atomic<std::uint64_t> g_parks{0};
void (*g_loop_hook)() = nullptr;

const mm::GlobalView& view() { return *reinterpret_cast<const mm::GlobalView*>(mm::kGlobalViewAddress); }

sched::Task<void> main_coroutine(int argc, char** argv) {
    const int status = co_main != nullptr ? co_await co_main(argc, argv) : main(argc, argv);
    exit(status);
}

/// What every hart slot runs: give the CPU away when more urgent work waits
/// elsewhere, else run the most urgent ready coroutine, else park until there is one.
[[noreturn]] void scheduler_loop() {
    sched::Executor& ex = *g_executor;
    for (;;) {
        if (g_loop_hook != nullptr) {
            g_loop_hook();  // a later layer's work first (ch4: wake coroutines whose calls finished)
        }
        if (should_yield_cpu(view().busy_levels.load(std::memory_order_relaxed), ex.bitmap().raw())) {
            g_cpu_yields.fetch_add(1, std::memory_order_relaxed);
            yield();  // the kernel puts this process back in line at its level
        }
        if (!ex.run_once()) {
            g_parks.fetch_add(1, std::memory_order_relaxed);
            syscall(abi::Sys::Park);
        }
    }
}

long slot_main(void* arg) {
    const auto slot = reinterpret_cast<std::uintptr_t>(arg);
    asm volatile("mv tp, %0" ::"r"(slot));
    scheduler_loop();
}
}  // namespace

bool should_yield_cpu(std::uint64_t busy_elsewhere, std::uint64_t ready_here) {
    // LAB(ch3): the user executor's yield check
    // Give the CPU away only when something strictly more urgent (a lower level) than
    // this process's most urgent ready coroutine waits elsewhere. Nothing ready here:
    // no (the loop parks instead). Nothing elsewhere: no.
    if (busy_elsewhere == 0 || ready_here == 0) {
        return false;
    }
    return sched::lowest_set_bit(busy_elsewhere) < sched::lowest_set_bit(ready_here);
    // LAB-STUB: (void)busy_elsewhere;
    // LAB-STUB: (void)ready_here;
    // LAB-STUB: return false;
    // END-LAB
}

void run_scheduler(int argc, char** argv) {
    asm volatile("mv tp, zero");
    g_executor = new (reinterpret_cast<void*>(mm::kExecutorPageAddress)) sched::Executor(coroutine_capacity());
    g_executor->set_lock_masks_interrupts(false);            // user mode: never touch sstatus
    g_executor->set_hart_slots(sched::HartSlots::TpIsSlot);  // tp is the slot (slot_main)
    if (!g_executor->valid()) {
        println("user runtime: no memory for {} coroutines", coroutine_capacity());
        exit(static_cast<int>(abi::Errno::NoMemory));
    }
    auto main_task = main_coroutine(argc, argv);
    if (!main_task.valid() || !g_executor->spawn(std::move(main_task), kMainPriority, sched::CoroutineKind::User)) {
        println("user runtime: cannot start the main coroutine");
        exit(static_cast<int>(abi::Errno::NoMemory));
    }
    scheduler_loop();
}

void set_loop_hook(void (*hook)()) { g_loop_hook = hook; }

sched::Executor& executor() { return *g_executor; }

long spawn(sched::Task<void> task, sched::Priority prio) {
    const auto cid = g_executor->spawn(std::move(task), prio, sched::CoroutineKind::User);
    return cid ? static_cast<long>(cid.value().value) : abi::error_return(abi::Errno::Again);
}

sched::Cid current() { return g_executor->current(); }

namespace {
/// 0, or the negative errno of @p s's error: the library's one convention.
long errno_of(Status s) { return s ? 0 : static_cast<long>(proc::error_return(s.error())); }
}  // namespace

long wake(sched::Cid cid) { return errno_of(g_executor->wake(cid)); }

long set_priority(sched::Cid cid, sched::Priority prio) { return errno_of(g_executor->set_priority(cid, prio)); }

long alloc_cpu(unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
        const unsigned slot = g_slots.load();
        if (slot >= sched::kMaxHarts) {
            return abi::error_return(abi::Errno::Again);
        }
        const long tid = thread_create(slot_main, reinterpret_cast<void*>(static_cast<std::uintptr_t>(slot)));
        if (tid < 0) {
            return tid;
        }
        g_slots.store(slot + 1);
    }
    return g_slots.load();
}

std::uint64_t global_busy_levels() { return view().busy_levels.load(std::memory_order_relaxed); }

LoopStats loop_stats() { return {g_cpu_yields.load(), g_parks.load()}; }

}  // namespace cops::user
