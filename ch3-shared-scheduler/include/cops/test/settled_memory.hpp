/// @file settled_memory.hpp
/// @brief The kernel's memory figures once they stop moving, for tests that check
/// that everything came back.
///
/// When a process or a call has just ended, another hart may still be freeing what
/// it held (its last frames, a coroutine frame) for a few ticks. Under `-icount`
/// the harts run in long turns and that is nearly always over before a test reads
/// the figures; on real parallel harts (`make stress`) it is not. A figure read
/// in that window makes a test see a leak, or a gain, that is not there.
#pragma once

#include <cstddef>

namespace cops::test {

/// Free frames and kernel heap bytes in use.
struct MemoryFigures {
    std::size_t free_frames = 0;  ///< mm::frames().free_count()
    std::size_t heap_bytes = 0;   ///< mm::kernel_heap().stats().bytes_in_use
    /// Both figures equal.
    bool operator==(const MemoryFigures&) const = default;
};

/// The figures now.
MemoryFigures memory_now();
/// The figures once two readings 2 ticks apart agree (at most 20 tries, about 40
/// ticks; then the last reading). Call from a kernel test, not holding a lock.
MemoryFigures settled_memory();

}  // namespace cops::test
