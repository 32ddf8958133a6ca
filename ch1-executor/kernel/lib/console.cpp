/// @file console.cpp
/// @brief The console: a backend pointer, the SBI backend, and a lock.
#include "cops/lib/console.hpp"

#include "cops/arch/sbi.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::console {

namespace {

class SbiBackend final : public Backend {
public:
    void write(std::string_view text) override {
        for (char c : text) {
            arch::sbi::console_putchar(c);
        }
    }
};

constinit SbiBackend g_sbi;
Backend* g_backend = nullptr;
sync::SpinLock g_lock;

}  // namespace

Backend* set_backend(Backend* b) {
    Backend* previous = g_backend;
    g_backend = b;
    return previous;
}

Backend& backend() { return g_backend != nullptr ? *g_backend : g_sbi; }

void write(std::string_view text) {
    lock();
    backend().write(text);
    unlock();
}

void flush() { backend().flush(); }

void lock() { g_lock.lock(); }
void unlock() { g_lock.unlock(); }

void seize() {
    // Give another hart a moment to finish its line, then take the lock regardless.
    for (int i = 0; i < 100000; ++i) {
        if (g_lock.try_lock()) {
            return;
        }
    }
}

}  // namespace cops::console
