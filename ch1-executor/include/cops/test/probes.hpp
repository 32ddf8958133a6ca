/// @file probes.hpp
/// @brief Coroutines that record what ran, for executor tests (public and hidden).
#pragma once

#include "cops/sched/suspend.hpp"
#include "cops/sched/task.hpp"

namespace cops::test {

/// A fixed-size record of ids, in the order they were added (no allocation).
struct Trace {
    static constexpr int kCapacity = 256;  ///< entries kept; later ones are dropped
    int items[kCapacity];                  ///< what was added
    int count = 0;                         ///< how many
    /// Appends @p v if there is room.
    void add(int v) {
        if (count < kCapacity) {
            items[count++] = v;
        }
    }
};

/// Adds @p id to @p t once, then exits.
inline sched::Task<> record(Trace& t, int id) {
    t.add(id);
    co_return;
}

/// Adds @p id and yields, @p rounds times.
inline sched::Task<> yielder(Trace& t, int id, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        t.add(id);
        co_await sched::yield();
    }
}

/// Blocks, then adds @p id after each wake, @p times times.
inline sched::Task<> blocker(Trace& t, int id, int times = 1) {
    for (int i = 0; i < times; ++i) {
        co_await sched::block();
        t.add(id);
    }
}

}  // namespace cops::test
