/// @file watchdog.cpp
/// @brief The test watchdog's deadline, and ch1's way to reach it: an SBI one-shot timer.
#include "cops/arch/watchdog.hpp"

#include <atomic>

#include "cops/arch/csr.hpp"
#include "cops/arch/irq.hpp"
#include "cops/arch/sbi.hpp"

namespace cops::arch::watchdog {

namespace {
constexpr std::uint64_t kNever = ~std::uint64_t{0};

std::atomic<std::uint64_t> g_deadline{kNever};
std::atomic<void (*)(TrapFrame&)> g_fire{nullptr};

// ch1: nothing else uses the timer, so program it for the deadline and take interrupts.
void sbi_arm(std::uint64_t deadline) {
    sbi::set_timer(deadline);
    sie.set(kSieStie);
    irq_enable();
}
void sbi_disarm() {
    irq_disable();
    sie.clear(kSieStie);
    sbi::set_timer(kNever);
}

TimerBackend g_backend{sbi_arm, sbi_disarm};
}  // namespace

void arm(std::uint64_t deadline, void (*fire)(TrapFrame&)) {
    g_fire.store(fire, std::memory_order_relaxed);
    g_deadline.store(deadline, std::memory_order_release);
    g_backend.arm(deadline);
}

void disarm() {
    g_deadline.store(kNever, std::memory_order_release);
    g_backend.disarm();
}

bool check(TrapFrame& frame) {
    const std::uint64_t deadline = g_deadline.load(std::memory_order_acquire);
    if (deadline == kNever || read_time() < deadline) {
        return false;
    }
    // Only one hart fires it.
    std::uint64_t expected = deadline;
    if (!g_deadline.compare_exchange_strong(expected, kNever, std::memory_order_acq_rel)) {
        return false;
    }
    if (auto* fire = g_fire.load(std::memory_order_relaxed)) {
        fire(frame);
    }
    return true;
}

void set_timer_backend(TimerBackend backend) { g_backend = backend; }

}  // namespace cops::arch::watchdog
