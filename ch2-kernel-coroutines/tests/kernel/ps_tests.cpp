/// @file ps_tests.cpp
/// @brief The six coroutine states, observed through the executor and the `ps` dump.
#include <atomic>
#include <string_view>

#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/ps.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/sched/suspend.hpp"
#include "cops/smp/hart.hpp"
#include "cops/test/ktest.hpp"
#include "cops/time/sleep.hpp"

using namespace cops;

namespace {
/// A writer into a fixed buffer.
class Capture final : public lib::Writer {
public:
    void write(std::string_view text) override {
        for (char c : text) {
            if (len_ < sizeof buf_) {
                buf_[len_++] = c;
            }
        }
    }
    bool contains(std::string_view s) const { return std::string_view(buf_, len_).find(s) != std::string_view::npos; }

private:
    char buf_[8192] = {};
    std::size_t len_ = 0;
};

std::atomic<bool> g_release{false};
std::atomic<unsigned> g_spinning{0};
std::atomic<int> g_snapshot_taken{0};
sched::Cid g_cid[6];
sched::CoroutineState g_seen[6];
Capture g_ps;

sched::Task<void> spin_until_released() {
    g_spinning.fetch_add(1);
    while (!g_release.load(std::memory_order_relaxed)) {}
    co_return;
}
sched::Task<void> block_once() { co_await sched::block(); }
sched::Task<void> quick() { co_return; }

sched::Task<void> observer() {
    // A sleep lets the tick preempt one of the spinners (one per hart) for us.
    co_await time::sleep_for(1);
    for (unsigned i = 0; i < 6; ++i) {
        g_seen[i] = sched::kernel_executor().state(g_cid[i]).value_or(sched::CoroutineState::Exit);
    }
    sched::ps(g_ps);
    g_snapshot_taken = 1;
}
}  // namespace

KTEST_BUDGET("sched/six-states-observable-in-ps", 1'000'000'000) {
    sched::Executor& ex = sched::kernel_executor();
    g_release = false;
    g_spinning = 0;
    g_snapshot_taken = 0;
    const unsigned n = smp::hart_count();
    // Create: made, not started.
    g_cid[0] = ex.create(quick(), sched::Priority{30}).value();
    // Blocked: waits for a wake.
    g_cid[1] = sched::spawn(block_once(), sched::Priority{30}).value();
    // Exit: finished.
    g_cid[2] = sched::spawn(quick(), sched::Priority{30}).value();
    sched::run_until(
        [&] { return ex.state(g_cid[2]).value_or(sched::CoroutineState::Ready) == sched::CoroutineState::Exit; });
    // Running / running-suspended: one spinner per hart, then an urgent observer.
    sched::Cid spinners[sched::kMaxHarts];
    for (unsigned i = 0; i < n; ++i) {
        spinners[i] = sched::spawn(spin_until_released(), sched::Priority{50}).value();
    }
    g_cid[3] = spinners[0];
    // Ready: a coroutine less urgent than the spinners never gets a hart meanwhile.
    g_cid[4] = sched::spawn(quick(), sched::Priority{60}).value();
    g_cid[5] = spinners[n - 1];
    sched::run_until([n] { return g_spinning.load() == n; });
    REQUIRE(sched::spawn(observer(), sched::Priority{2}).ok());
    sched::run_until([] { return g_snapshot_taken.load() == 1; });
    g_release = true;

    CHECK_EQ(g_seen[0], sched::CoroutineState::Create);
    CHECK_EQ(g_seen[1], sched::CoroutineState::Blocked);
    CHECK_EQ(g_seen[2], sched::CoroutineState::Exit);
    CHECK_EQ(g_seen[4], sched::CoroutineState::Ready);
    unsigned running = 0, suspended = 0;
    for (unsigned i = 0; i < n; ++i) {
        (void)i;
    }
    for (unsigned i : {3U, 5U}) {
        running += g_seen[i] == sched::CoroutineState::Running ? 1 : 0;
        suspended += g_seen[i] == sched::CoroutineState::RunningSuspended ? 1 : 0;
    }
    CHECK(running + suspended == 2 || n == 1);
    CHECK(g_ps.contains("create"));
    CHECK(g_ps.contains("blocked"));
    CHECK(g_ps.contains("ready"));
    CHECK(g_ps.contains("running-suspended"));
    CHECK(g_ps.contains("running "));
    CHECK(g_ps.contains("holds running-suspended coroutine"));

    // Clean up: start the created one, wake the blocked one, let everything finish.
    CHECK(ex.start(g_cid[0]).ok());
    CHECK(ex.wake(g_cid[1]).ok());
    sched::run_until([&] {
        for (unsigned i : {0U, 1U, 4U}) {
            if (ex.state(g_cid[i]).value_or(sched::CoroutineState::Exit) != sched::CoroutineState::Exit) {
                return false;
            }
        }
        for (unsigned i = 0; i < n; ++i) {
            if (ex.state(spinners[i]).value_or(sched::CoroutineState::Exit) != sched::CoroutineState::Exit) {
                return false;
            }
        }
        return true;
    });
    CHECK(!ex.start(g_cid[0]).ok());  // started once only: now it has finished
}
