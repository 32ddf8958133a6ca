/// @file executor_lifetime.cpp
/// @brief Creating and destroying an executor: the parts that allocate and that read
/// process-wide defaults, kept out of executor.cpp (which ch3 shares with processes).
#include <new>

#include "cops/sched/executor.hpp"

namespace cops::sched {

namespace {
// The portable default (host tests); the kernel installs a panic that explains (boot.cpp).
void default_lost_coroutine(const Ccb&) { __builtin_trap(); }
}  // namespace

void (*Executor::on_lost_coroutine)(const Ccb&) = default_lost_coroutine;
HartSlots Executor::default_hart_slots = HartSlots::One;

static_assert(sizeof(Ccb) == kCcbBytes, "a control block is 64 bytes: cid -> address is a shift");

Executor::Executor(std::uint32_t capacity) : hart_slots_(default_hart_slots), on_lost_(on_lost_coroutine) {
    for (std::uint8_t& level : running_level_) {
        level = kNoLevel;
    }
    lock_.set_masks_interrupts(sync::g_locks_mask_interrupts);
    void* memory = mm::allocate_frame(sizeof(Ccb) * capacity);
    if (memory == nullptr || capacity == 0) {
        return;
    }
    slots_ = static_cast<Ccb*>(memory);
    capacity_ = capacity;
    // Build the free list backwards so the first spawn gets slot 0. A free block keeps
    // the cid its next coroutine gets (generation 0 here) and links through `next`.
    for (std::uint32_t i = capacity; i-- > 0;) {
        Ccb* c = new (&slots_[i]) Ccb{};
        c->cid = Cid{std::uint64_t{i} + 1};
        c->next = free_;
        free_ = c;
    }
}

Executor::~Executor() {
    if (slots_ == nullptr) {
        return;
    }
    // Coroutines still ready leave their queues first: a control block is never
    // destroyed while linked (ListHook's destructor checks it).
    ready_.unlink_all();
    for (std::uint32_t i = 0; i < capacity_; ++i) {
        Ccb& c = slots_[i];
        if (c.state != CoroutineState::Exit && c.root) {
            c.root.destroy();
        }
        c.~Ccb();
    }
    mm::free_frame(slots_, sizeof(Ccb) * capacity_);
}

}  // namespace cops::sched
