/// @file executor_lifetime.cpp
/// @brief Creating and destroying an executor: the parts that allocate and that read
/// process-wide defaults, kept out of executor.cpp (which ch3 shares with processes).
#include <new>

#include "cops/sched/executor.hpp"

namespace cops::sched {

namespace {
// The portable default (host tests); the kernel installs a panic that explains (boot.cpp).
void default_lost_coroutine(const Ccb&) { __builtin_trap(); }
// One hart until a layer that starts more installs its own.
unsigned single_hart() { return 0; }
}  // namespace

void (*Executor::on_lost_coroutine)(const Ccb&) = default_lost_coroutine;
unsigned (*Executor::default_hart_index)() = single_hart;

Executor::Executor(std::uint32_t capacity) : hart_index_(default_hart_index), on_lost_(on_lost_coroutine) {
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
    // Build the free list backwards so the first spawn gets slot 0.
    for (std::uint32_t i = capacity; i-- > 0;) {
        Ccb* c = new (&slots_[i]) Ccb{};
        c->next_free = free_;
        free_ = c;
    }
}

Executor::~Executor() {
    if (slots_ == nullptr) {
        return;
    }
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
