/// @file kernel_executor.cpp
/// @brief The kernel executor, created at the arch init level with room for kKernelCoroutines.
#include "cops/sched/kernel_executor.hpp"

#include <new>

#include "cops/init/initcall.hpp"
#include "cops/lib/panic.hpp"
#include "cops/smp/hart.hpp"
#include "cops/smp/ipi.hpp"

namespace cops::sched {

namespace {
alignas(Executor) unsigned char g_storage[sizeof(Executor)];
Executor* g_executor = nullptr;

void on_ready(Executor&, Priority prio) { smp::kick_for(prio); }

void create_kernel_executor() {
    Executor::default_hart_slots = HartSlots::TpPointsToSlot;  // tp is set by now (see smp/boot.cpp)
    g_executor = new (g_storage) Executor(kKernelCoroutines);
    if (!g_executor->valid()) {
        panic("kernel executor: no memory for {} control blocks", kKernelCoroutines);
    }
    if (g_executor->hart_slot() != smp::this_hart().index) {
        panic("kernel executor: tp does not point at the hart's index (smp::Hart::index must come first)");
    }
    g_executor->set_lock_masks_interrupts(true);  // interrupt handlers wake coroutines
    g_executor->set_ready_hook(on_ready);
}
COPS_INITCALL(arch, create_kernel_executor, setup_boot_hart);
}  // namespace

Executor& kernel_executor() { return *g_executor; }

}  // namespace cops::sched
