// Unit tests: coroutine frames from a FramePool (the first parameter picks the pool).
#include <catch2/catch.hpp>

#include "cops/sched/executor.hpp"
#include "cops/sched/frame_pool.hpp"
#include "cops/test/catch_printing.hpp"

using namespace cops;
using namespace cops::sched;

namespace {

/// A pooled coroutine: its frame comes from @p pool because that is its first parameter.
Task<> pooled(FramePool& pool, int& runs) {
    (void)pool;
    ++runs;
    co_await block();
    ++runs;
}

/// The same body with its frame from the heap.
Task<> heaped(int& runs) {
    ++runs;
    co_return;
}

/// A pooled coroutine with a frame too large for small slots.
Task<> big(FramePool& pool, int& out) {
    (void)pool;
    volatile char scratch[512] = {};
    co_await yield();
    out = scratch[3];
}

alignas(16) unsigned char g_memory[4 * 256];

}  // namespace

TEST_CASE("a coroutine whose first parameter is a FramePool takes its frame from it") {
    FramePool pool;
    pool.init(g_memory, 4, 256);
    Executor ex(8);
    int runs = 0;
    const FrameStats before = frame_stats();
    auto cid = ex.spawn(pooled(pool, runs), Priority{3});
    REQUIRE(cid.ok());
    CHECK(pool.in_use() == 1);
    CHECK(frame_stats().live_frames == before.live_frames + 1);  // counted like any frame
    ex.run();
    CHECK(runs == 1);
    REQUIRE(ex.wake(cid.value()).ok());
    ex.run();
    CHECK(runs == 2);
    CHECK(pool.in_use() == 0);  // the frame went back to the pool, not to the heap
    CHECK(frame_stats().live_frames == before.live_frames);
    CHECK(pool.high_water() == 1);
}

TEST_CASE("a full pool gives an empty Task and counts the refusal") {
    FramePool pool;
    pool.init(g_memory, 4, 256);
    int runs = 0;
    Task<> held[4];
    for (auto& t : held) {
        t = pooled(pool, runs);
        REQUIRE(t.valid());
    }
    CHECK(pool.in_use() == 4);
    Task<> refused = pooled(pool, runs);
    CHECK_FALSE(refused.valid());
    CHECK(pool.exhausted() == 1);
    held[0] = Task<>{};  // destroying an unstarted task returns its slot
    CHECK(pool.in_use() == 3);
    CHECK(pooled(pool, runs).valid());
    CHECK(runs == 0);
}

TEST_CASE("a frame larger than a slot is refused, and other coroutines still use the heap") {
    FramePool pool;
    pool.init(g_memory, 4, 64);
    int out = 1;
    CHECK_FALSE(big(pool, out).valid());
    CHECK(pool.too_big() == 1);
    CHECK(pool.in_use() == 0);
    int runs = 0;
    Executor ex(4);
    REQUIRE(ex.spawn(heaped(runs), Priority{0}).ok());
    ex.run();
    CHECK(runs == 1);
}
