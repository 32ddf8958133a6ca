/// @file hart.cpp
/// @brief The hart table and `tp`.
#include "cops/smp/hart.hpp"

#include "cops/boot/boot_info.hpp"
#include "cops/lib/panic.hpp"

namespace cops::smp {

namespace {
Hart g_harts[sched::kMaxHarts];
std::atomic<unsigned> g_active{sched::kMaxHarts};
static_assert(sched::kMaxHarts == boot::kMaxHarts, "one executor slot per boot stack");
constexpr unsigned kMaxHartInits = 4;
void (*g_hart_inits[kMaxHartInits])() = {};
unsigned g_hart_init_count = 0;
}  // namespace

void add_hart_init(void (*step)()) {
    if (g_hart_init_count == kMaxHartInits) {
        panic("add_hart_init: more than {} per-hart steps; raise kMaxHartInits in kernel/smp/hart.cpp", kMaxHartInits);
    }
    g_hart_inits[g_hart_init_count++] = step;
}

void run_hart_inits() {
    for (unsigned i = 0; i < g_hart_init_count; ++i) {
        g_hart_inits[i]();
    }
}

Hart& hart(unsigned index) { return g_harts[index]; }

unsigned hart_count() {
    const unsigned n = boot::info().hart_count;
    return n < sched::kMaxHarts ? n : sched::kMaxHarts;
}

unsigned online_count() {
    unsigned n = 0;
    for (unsigned i = 0; i < hart_count(); ++i) {
        n += g_harts[i].online.load(std::memory_order_acquire) ? 1 : 0;
    }
    return n;
}

void set_active_harts(unsigned n) { g_active.store(n == 0 ? sched::kMaxHarts : n, std::memory_order_release); }

bool hart_active(unsigned index) { return index < g_active.load(std::memory_order_acquire); }

void enter_hart(unsigned index, unsigned hart_id) {
    Hart& h = g_harts[index];
    h.index = index;
    h.hart_id = hart_id;
    h.home.kind = sched::ThreadKind::Home;
    h.home.id = static_cast<std::uint16_t>(index);
    h.thread = &h.home;
    asm volatile("mv tp, %0" ::"r"(&h));
}

}  // namespace cops::smp
