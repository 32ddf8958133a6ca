/// @file thread_pool.cpp
/// @brief The pool of kernel stacks.
#include "cops/sched/thread_pool.hpp"

#include <new>

#include "cops/lib/panic.hpp"
#include "cops/mm/kernel_heap.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::sched {

namespace {
lib::IntrusiveList<Thread, ThreadQueueTag> g_free;
unsigned g_total = 0;
sync::SpinLock g_lock;
}  // namespace

void init_thread_pool(unsigned count) {
    for (unsigned i = 0; i < count; ++i) {
        void* stack = mm::kernel_heap().allocate(kThreadStackBytes);
        void* block = mm::kernel_heap().allocate(sizeof(Thread));
        if (stack == nullptr || block == nullptr) {
            panic("thread pool: out of memory for {} stacks of {} bytes", count, kThreadStackBytes);
        }
        auto* t = new (block) Thread{};
        t->stack_base = static_cast<std::byte*>(stack);
        t->stack_size = kThreadStackBytes;
        t->kind = ThreadKind::Pool;
        t->id = static_cast<std::uint16_t>(100 + i);
        g_free.push_back(*t);
        ++g_total;
    }
}

Thread* take_thread() {
    g_lock.lock();
    Thread* t = g_free.pop_front();
    g_lock.unlock();
    if (t != nullptr) {
        // A fresh start: the first switch_context to it "returns" into thread_start.
        t->context = Context{};
        t->context.ra = reinterpret_cast<std::uint64_t>(&thread_start);
        t->context.sp = reinterpret_cast<std::uint64_t>(t->stack_base + t->stack_size);
        t->coroutine = Cid{};
    }
    return t;
}

void give_back(Thread& thread) {
    sync::LockGuard guard(g_lock);
    g_free.push_back(thread);
}

unsigned free_threads() {
    sync::LockGuard guard(g_lock);
    return static_cast<unsigned>(g_free.size());
}

unsigned total_threads() { return g_total; }

}  // namespace cops::sched
