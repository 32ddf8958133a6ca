// What the portable kernel code needs from its environment, supplied on the host.
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "cops/lib/verify.hpp"
#include "cops/sched/task.hpp"
#include "cops/test/verify_failure.hpp"

namespace cops::mm {
void* allocate_frame(std::size_t bytes) noexcept { return std::malloc(bytes); }
void free_frame(void* frame, std::size_t) noexcept { std::free(frame); }
}  // namespace cops::mm

namespace cops::detail {
void verify_failed(const char* what, const char* condition, const char* file, int line) {
    throw VerifyFailure(std::string(what) + " (COPS_VERIFY(" + condition + ") failed at " + file + ":" +
                        std::to_string(line) + ")");
}
}  // namespace cops::detail
