/// @file probes.hpp
/// @brief Coroutines that record what ran, for executor tests (public and hidden).
#pragma once

#include <initializer_list>

#include "cops/lib/format.hpp"
#include "cops/sched/suspend.hpp"
#include "cops/sched/task.hpp"
#include "cops/test/ktest.hpp"

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

/// Implements CHECK_TRACE: one check that @p t holds exactly @p expected, in order.
inline bool check_trace(const Trace& t, std::initializer_list<int> expected, const char* file, int line) {
    count_check();
    bool same = t.count == static_cast<int>(expected.size());
    for (int i = 0; same && i < t.count; ++i) {
        same = t.items[i] == expected.begin()[i];
    }
    if (same) {
        return true;
    }
    char got[160];
    char want[160];
    lib::BufferWriter g(got, sizeof got);
    lib::BufferWriter w(want, sizeof want);
    for (int i = 0; i < t.count; ++i) {
        lib::format_to(g, " {}", t.items[i]);
    }
    for (int v : expected) {
        lib::format_to(w, " {}", v);
    }
    char msg[360];
    report_failure(file, line,
                   lib::format_buffer(msg, sizeof msg, "the run order was{}, expected{}",
                                      t.count == 0 ? " (nothing ran)" : g.view(), w.view()));
    return false;
}

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

/// Checks that Trace @p t holds exactly the listed ids, in order: CHECK_TRACE(t, 2, 1, 3).
#define CHECK_TRACE(t, ...) ((void)::cops::test::check_trace((t), {__VA_ARGS__}, __FILE__, __LINE__))
