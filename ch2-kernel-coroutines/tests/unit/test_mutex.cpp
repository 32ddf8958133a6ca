/// @file test_mutex.cpp
/// @brief Unit tests: the coroutine mutex (exclusion across suspensions, FIFO hand-off, misuse) on a host executor.
#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "cops/sched/executor.hpp"
#include "cops/sync/mutex.hpp"
#include "unit_support.hpp"

using namespace cops;
using namespace cops::sched;
using cops::sync::Mutex;

namespace {

/// What the workers share, guarded by `mutex` only.
struct Shared {
    Mutex mutex;
    int counter = 0;
    int inside = 0;          ///< coroutines in the critical section now
    int max_inside = 0;      ///< the most ever seen there at once
    std::vector<int> order;  ///< which worker got the mutex, in order
};

/// @p rounds times: lock, read the counter, yield, write it back plus one, unlock.
Task<> locked_increments(Shared& s, int id, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        co_await s.mutex.lock();
        s.order.push_back(id);
        ++s.inside;
        s.max_inside = std::max(s.max_inside, s.inside);
        const int seen = s.counter;
        co_await yield();  // every other worker runs meanwhile
        s.counter = seen + 1;
        --s.inside;
        CHECK(s.mutex.unlock().ok());
    }
}

/// Locks, records @p id, and holds the mutex until woken by the test.
Task<> lock_and_hold(Shared& s, int id) {
    co_await s.mutex.lock();
    s.order.push_back(id);
    co_await block();
    CHECK(s.mutex.unlock().ok());
}

/// Locks, records @p id, unlocks.
Task<> lock_once(Shared& s, int id) {
    co_await s.mutex.lock();
    s.order.push_back(id);
    CHECK(s.mutex.unlock().ok());
}

}  // namespace

TEST_CASE("mutex: excludes across co_await inside the critical section", "[mutex][lab]") {
    constexpr int kWorkers = 5;
    constexpr int kRounds = 20;
    const auto before = frame_stats();
    {
        Shared s;
        Executor ex(8);
        for (int id = 0; id < kWorkers; ++id) {
            REQUIRE(ex.spawn(locked_increments(s, id, kRounds), Priority{7}).ok());
        }
        ex.run();
        REQUIRE(s.counter == kWorkers * kRounds);
        REQUIRE(s.max_inside == 1);
        REQUIRE_FALSE(s.mutex.locked());
        REQUIRE(ex.live_count() == 0);
        // Waiters are served in arrival order: the workers take turns.
        REQUIRE(s.order.size() == static_cast<std::size_t>(kWorkers * kRounds));
        for (std::size_t k = 0; k < s.order.size(); ++k) {
            INFO("acquisition " << k);
            REQUIRE(s.order[k] == static_cast<int>(k % kWorkers));
        }
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("mutex: excludes across priorities", "[mutex][lab]") {
    const auto before = frame_stats();
    {
        Shared s;
        Executor ex(8);
        REQUIRE(ex.spawn(locked_increments(s, 0, 10), Priority{50}).ok());
        REQUIRE(ex.spawn(locked_increments(s, 1, 10), Priority{3}).ok());
        REQUIRE(ex.spawn(locked_increments(s, 2, 10), Priority{20}).ok());
        ex.run();
        REQUIRE(s.counter == 30);
        REQUIRE(s.max_inside == 1);
        REQUIRE_FALSE(s.mutex.locked());
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("mutex: unlock hands the mutex to the first waiter", "[mutex][lab]") {
    const auto before = frame_stats();
    {
        Shared s;
        Executor ex(8);
        auto holder = ex.spawn(lock_and_hold(s, 0), Priority{10}).value();
        ex.run();
        REQUIRE(s.mutex.locked());
        // Waiters arrive in the order 1, 2, 3, more urgent ones later.
        (void)ex.spawn(lock_once(s, 1), Priority{9});
        ex.run();
        (void)ex.spawn(lock_once(s, 2), Priority{5});
        ex.run();
        (void)ex.spawn(lock_once(s, 3), Priority{1});
        ex.run();
        REQUIRE(s.order == std::vector<int>{0});
        REQUIRE_FALSE(s.mutex.try_lock());

        REQUIRE(ex.wake(holder).ok());
        ex.run();
        REQUIRE(s.order == std::vector<int>{0, 1, 2, 3});
        REQUIRE_FALSE(s.mutex.locked());
        REQUIRE(ex.live_count() == 0);
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("mutex: stays locked while handed to a waiter that has not run yet", "[mutex][lab]") {
    const auto before = frame_stats();
    {
        Shared s;
        Executor ex(8);
        REQUIRE(s.mutex.try_lock());
        auto waiter = ex.spawn(lock_once(s, 1), Priority{4}).value();
        ex.run();
        REQUIRE(ex.state(waiter).value() == CoroutineState::Blocked);
        CHECK(s.mutex.unlock().ok());  // handed to the waiter
        REQUIRE(s.mutex.locked());
        REQUIRE_FALSE(s.mutex.try_lock());  // no barging in
        ex.run();
        REQUIRE(s.order == std::vector<int>{1});
        REQUIRE_FALSE(s.mutex.locked());
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}

TEST_CASE("mutex: try_lock and locked", "[mutex]") {
    Mutex m;
    REQUIRE_FALSE(m.locked());
    REQUIRE(m.try_lock());
    REQUIRE(m.locked());
    REQUIRE_FALSE(m.try_lock());
    REQUIRE(m.locked());
    REQUIRE(m.unlock().ok());
    REQUIRE_FALSE(m.locked());
    REQUIRE(m.try_lock());
    REQUIRE(m.unlock().ok());
}

TEST_CASE("mutex: unlocking a mutex that is not locked is BadState", "[mutex][lab]") {
    Mutex m;
    auto never_locked = m.unlock();
    REQUIRE_FALSE(never_locked.ok());
    REQUIRE(never_locked.error() == Error::BadState);
    REQUIRE_FALSE(m.locked());

    REQUIRE(m.try_lock());
    REQUIRE(m.unlock().ok());
    auto twice = m.unlock();
    REQUIRE_FALSE(twice.ok());
    REQUIRE(twice.error() == Error::BadState);
    // The failed unlock added no unit: the mutex still admits exactly one holder.
    REQUIRE(m.try_lock());
    REQUIRE_FALSE(m.try_lock());
    REQUIRE(m.unlock().ok());
}

TEST_CASE("mutex: a double unlock after a coroutine held it is BadState", "[mutex]") {
    const auto before = frame_stats();
    {
        Shared s;
        Executor ex(4);
        (void)ex.spawn(lock_once(s, 1), Priority{4});
        ex.run();
        REQUIRE(s.order == std::vector<int>{1});
        REQUIRE(s.mutex.unlock().error() == Error::BadState);
        REQUIRE(s.mutex.try_lock());
        REQUIRE_FALSE(s.mutex.try_lock());
    }
    REQUIRE(frame_stats().live_frames == before.live_frames);
}
