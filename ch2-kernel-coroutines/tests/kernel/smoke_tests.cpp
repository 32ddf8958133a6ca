/// @file smoke_tests.cpp
/// @brief The basics of ch2: harts up, ticks, run_until.
#include <atomic>

#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/smp/hart.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;

KTEST("smp/all-harts-online") {
    CHECK_EQ(smp::online_count(), smp::hart_count());
}

namespace {
std::atomic<unsigned> g_ran{0};
sched::Task<void> bump() {
    g_ran.fetch_add(1);
    co_return;
}
}  // namespace

KTEST("sched/run-until-runs-kernel-coroutines") {
    g_ran = 0;
    for (int i = 0; i < 10; ++i) {
        REQUIRE(sched::spawn(bump(), sched::Priority{10}).ok());
    }
    sched::run_until([] { return g_ran.load() == 10; });
    CHECK_EQ(g_ran.load(), 10U);
}
