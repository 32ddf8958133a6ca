// The kernel's memory figures once they stop moving (cops/test/settled_memory.hpp).
#include "cops/test/settled_memory.hpp"

#include "cops/dev/timer.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/kernel_heap.hpp"
#include "cops/sched/run_until.hpp"

namespace cops::test {

MemoryFigures memory_now() { return {mm::frames().free_count(), mm::kernel_heap().stats().bytes_in_use}; }

MemoryFigures settled_memory() {
    MemoryFigures last = memory_now();
    for (int i = 0; i < 20; ++i) {
        const std::uint64_t until = dev::timer::now_ticks() + 2;
        sched::run_until([&] { return dev::timer::now_ticks() >= until; });
        const MemoryFigures now = memory_now();
        if (now == last) {
            break;
        }
        last = now;
    }
    return last;
}

}  // namespace cops::test
