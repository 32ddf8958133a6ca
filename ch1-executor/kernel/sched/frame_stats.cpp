/// @file frame_stats.cpp
/// @brief Counters of live coroutine frames.
#include <atomic>

#include "cops/sched/task.hpp"

namespace cops::sched {

namespace {
std::atomic<std::size_t> g_live_frames{0};
std::atomic<std::size_t> g_live_bytes{0};
std::atomic<std::size_t> g_failed{0};
}  // namespace

namespace detail {
void note_frame_alloc(std::size_t bytes, bool ok) noexcept {
    if (ok) {
        g_live_frames.fetch_add(1, std::memory_order_relaxed);
        g_live_bytes.fetch_add(bytes, std::memory_order_relaxed);
    } else {
        g_failed.fetch_add(1, std::memory_order_relaxed);
    }
}
void note_frame_free(std::size_t bytes) noexcept {
    g_live_frames.fetch_sub(1, std::memory_order_relaxed);
    g_live_bytes.fetch_sub(bytes, std::memory_order_relaxed);
}
}  // namespace detail

FrameStats frame_stats() {
    return {g_live_frames.load(std::memory_order_relaxed), g_live_bytes.load(std::memory_order_relaxed),
            g_failed.load(std::memory_order_relaxed)};
}

}  // namespace cops::sched
