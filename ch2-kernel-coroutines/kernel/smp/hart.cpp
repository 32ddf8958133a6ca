/// @file hart.cpp
/// @brief The hart table and `tp`.
#include "cops/smp/hart.hpp"

#include "cops/boot/boot_info.hpp"

namespace cops::smp {

namespace {
Hart g_harts[sched::kMaxHarts];
std::atomic<unsigned> g_active{sched::kMaxHarts};
static_assert(sched::kMaxHarts == boot::kMaxHarts, "one executor slot per boot stack");
}  // namespace

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
