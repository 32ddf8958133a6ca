// What the portable kernel code needs from its environment, supplied on the host.
#include <cstdlib>

#include "cops/sched/task.hpp"

namespace cops::mm {
void* allocate_frame(std::size_t bytes) noexcept { return std::malloc(bytes); }
void free_frame(void* frame, std::size_t) noexcept { std::free(frame); }
}  // namespace cops::mm
