/// @file uintr_runtime.cpp
/// @brief The user half of user-space interrupts: becoming a receiver, and the
/// completion receiver (ch4 completions by user interrupt).
#include <atomic>

#include "cops/user/async_sys.hpp"
#include "cops/user/thread.hpp"
#include "cops/user/uintr.hpp"

namespace cops::user::uintr {

namespace {
std::atomic<std::uint64_t> g_interrupts{0};
std::atomic<std::uint64_t> g_completions{0};
std::atomic<long> g_receiver_state{0};  // 0 starting, 1 ready, < 0 the error

/// The completion receiver's handler: runs on its own thread, which holds no lock
/// when it is interrupted (it only waits), so the runtime's locks are safe here.
void on_completion(u::Slot* s) {
    // LAB(ch5): wake the coroutines whose calls completed
    // Acknowledge first (take_pending() clears USIP, then the pending bits), then take
    // every completion in the ring: drain_completions() hands each to its call and
    // wakes its cid. Count the run and the completions (completion_stats()).
    (void)take_pending(s);
    const unsigned taken = drain_completions();
    g_completions.fetch_add(taken, std::memory_order_relaxed);
    g_interrupts.fetch_add(1, std::memory_order_relaxed);
    // LAB-STUB: (void)s;
    // END-LAB
}

long completion_thread(void*) {
    const long rid = become_receiver(on_completion);
    const long r = rid < 0 ? rid : syscall(u::kSysUseForCompletions, u::kCompletionVector);
    g_receiver_state.store(r < 0 ? r : 1, std::memory_order_release);
    if (r < 0) {
        return r;
    }
    for (;;) {
        (void)wait();  // the interrupt is taken on the way back from each wait
    }
}
}  // namespace

long become_receiver(Handler handler, void* arg) {
    const long rid = register_receiver();
    if (rid < 0) {
        return rid;
    }
    const auto index = static_cast<unsigned>(info(1));
    u::Slot* s = u::slot_of(index);
    s->handler_arg.store(reinterpret_cast<std::uint64_t>(arg), std::memory_order_relaxed);
    s->handler.store(reinterpret_cast<std::uint64_t>(handler), std::memory_order_release);
    reinterpret_cast<void (*)(u::Slot*, std::uint64_t)>(u::vdso(u::VdsoEntry::Setup))(s, u::trampoline_for(index));
    enable(s);
    return rid;
}

long start_completion_receiver() {
    g_receiver_state.store(0, std::memory_order_relaxed);
    const long tid = thread_create(completion_thread, nullptr);
    if (tid < 0) {
        return tid;
    }
    while (g_receiver_state.load(std::memory_order_acquire) == 0) {
        yield();
    }
    const long state = g_receiver_state.load(std::memory_order_acquire);
    return state < 0 ? state : 0;
}

CompletionStats completion_stats() {
    return {g_interrupts.load(std::memory_order_relaxed), g_completions.load(std::memory_order_relaxed)};
}

}  // namespace cops::user::uintr
