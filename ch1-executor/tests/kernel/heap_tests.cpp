// Kernel tests: the kernel heap behind new/delete and coroutine frames.
#include "cops/mm/kernel_heap.hpp"
#include "cops/sched/executor.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;

KTEST("heap/new-delete-accounting") {
    const auto before = mm::kernel_heap().stats();
    int* xs = new int[100];
    for (int i = 0; i < 100; ++i) {
        xs[i] = i;
    }
    CHECK_EQ(mm::kernel_heap().stats().bytes_in_use, before.bytes_in_use + 100 * sizeof(int));
    CHECK_EQ(mm::kernel_heap().size_of(xs), 100 * sizeof(int));
    delete[] xs;
    CHECK_EQ(mm::kernel_heap().stats().bytes_in_use, before.bytes_in_use);
}

KTEST("heap/coroutine-frames-come-from-the-heap") {
    const auto heap_before = mm::kernel_heap().stats().bytes_in_use;
    const auto frames_before = sched::frame_stats().live_frames;
    {
        sched::Executor ex(16);
        auto body = []() -> sched::Task<> { co_await sched::block(); };
        for (int i = 0; i < 10; ++i) {
            (void)ex.spawn(body(), sched::Priority{1});
        }
        ex.run();
        CHECK_EQ(sched::frame_stats().live_frames, frames_before + 10);
        CHECK(mm::kernel_heap().stats().bytes_in_use > heap_before);
    }
    CHECK_EQ(sched::frame_stats().live_frames, frames_before);
    CHECK_EQ(mm::kernel_heap().stats().bytes_in_use, heap_before);
}

KTEST("heap/large-and-small-blocks") {
    void* big = mm::kernel_heap().allocate(1 << 20);
    void* small = mm::kernel_heap().allocate(1);
    REQUIRE(big != nullptr);
    REQUIRE(small != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(big) % 16 == 0);
    CHECK(mm::kernel_heap().free(big) == mm::FreeError::None);
    CHECK(mm::kernel_heap().free(small) == mm::FreeError::None);
    CHECK(mm::kernel_heap().free(small) == mm::FreeError::DoubleFree);
}
