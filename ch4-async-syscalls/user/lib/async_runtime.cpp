/// @file async_runtime.cpp
/// @brief The async half of the user runtime: issue a call for a coroutine, take
/// completions from the ring, wake the coroutines they name.
#include <atomic>

#include "cops/sched/suspend.hpp"
#include "cops/sync/spinlock.hpp"
#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"

namespace cops::user {

namespace {
/// Calls waiting for their completion, chained per bucket of cid (hart slots of one
/// process may issue and drain at once: a lock guards the chains).
constexpr unsigned kBuckets = 64;
struct Registry {
    sync::SpinLock lock;
    PendingCall* bucket[kBuckets] = {};
};
Registry g_registry;

std::atomic<std::uint64_t> g_issued{0};
std::atomic<std::uint64_t> g_at_once{0};
std::atomic<std::uint64_t> g_completed{0};
std::atomic<std::uint64_t> g_stray{0};
std::atomic<std::uint64_t> g_held_taken{0};

unsigned bucket_of(std::uint64_t cid) { return static_cast<unsigned>((cid ^ (cid >> 32)) % kBuckets); }

abi::CompletionRing& ring() { return *reinterpret_cast<abi::CompletionRing*>(abi::kCompletionRingAddress); }

/// Installed in the scheduler loop by a global constructor (start.cpp runs them before main).
[[maybe_unused]] const bool g_hooked = (set_loop_hook([] { (void)drain_completions(); }), true);
}  // namespace

void forget_pending(PendingCall& call) {
    if (!call.registered_) {
        return;
    }
    sync::LockGuard g(g_registry.lock);
    for (PendingCall** p = &g_registry.bucket[bucket_of(call.cid_)]; *p != nullptr; p = &(*p)->next_) {
        if (*p == &call) {
            *p = call.next_;
            break;
        }
    }
    call.registered_ = false;
}

PendingCall::PendingCall(abi::Sys number, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2) {
    const sched::Cid me = current();
    cid_ = me.value;
    const auto level = executor().priority(me);
    {
        // Registered before the call: its completion may be taken on another hart slot
        // before this coroutine gets to block.
        sync::LockGuard g(g_registry.lock);
        next_ = g_registry.bucket[bucket_of(cid_)];
        g_registry.bucket[bucket_of(cid_)] = this;
        registered_ = true;
    }
    g_issued.fetch_add(1, std::memory_order_relaxed);
    const long r = syscall(number, a0, a1, a2, 0, level ? level.value().level : sched::kPriorityLevels - 1, cid_);
    if (r != abi::kInProgress) {
        forget_pending(*this);
        result_ = r;
        __atomic_store_n(&done_, true, __ATOMIC_RELEASE);
        g_at_once.fetch_add(1, std::memory_order_relaxed);
    }
}

PendingCall::~PendingCall() { forget_pending(*this); }

/// Hands completion @p c to the call that waits for it and wakes its coroutine.
void deliver_completion(const abi::Completion& c) {
    PendingCall* found = nullptr;
    {
        sync::LockGuard g(g_registry.lock);
        for (PendingCall** p = &g_registry.bucket[bucket_of(c.cid)]; *p != nullptr; p = &(*p)->next_) {
            if ((*p)->cid_ == c.cid) {
                found = *p;
                *p = found->next_;
                found->registered_ = false;
                found->result_ = c.result;
                __atomic_store_n(&found->done_, true, __ATOMIC_RELEASE);
                break;
            }
        }
    }
    if (found == nullptr) {
        g_stray.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    g_completed.fetch_add(1, std::memory_order_relaxed);
    (void)wake(sched::Cid{c.cid});  // remembered if it has not blocked yet
}

sched::Task<long> async_call(abi::Sys number, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2) {
    PendingCall call(number, a0, a1, a2);
    while (!call.done()) {
        co_await sched::block();  // woken by deliver_completion(); a stray wake only loops
    }
    co_return call.result();
}

unsigned drain_completions() {
    abi::CompletionRing& r = ring();
    unsigned taken = 0;
    for (unsigned rounds = 0; rounds < 4; ++rounds) {
        for (;;) {
            std::uint32_t head = r.head.load(std::memory_order_relaxed);
            if (head == r.tail.load(std::memory_order_acquire)) {
                break;
            }
            const abi::Completion c = r.entries[head % abi::kRingEntries];
            // Another hart slot may take the same entry: whoever moves head owns it.
            if (r.head.compare_exchange_strong(head, head + 1, std::memory_order_acq_rel)) {
                deliver_completion(c);
                ++taken;
            }
        }
        if (r.held.load(std::memory_order_relaxed) == 0) {
            break;
        }
        const long moved = syscall(abi::kSysTakeHeld);  // the kernel held some while the ring was full
        if (moved > 0) {
            g_held_taken.fetch_add(static_cast<std::uint64_t>(moved), std::memory_order_relaxed);
        }
    }
    return taken;
}

AsyncStats async_stats() {
    return {g_issued.load(), g_at_once.load(), g_completed.load(), g_stray.load(), g_held_taken.load()};
}

}  // namespace cops::user
