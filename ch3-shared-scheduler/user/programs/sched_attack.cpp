/// @file sched_attack.cpp
/// @brief `sched_attack summary|page|ceiling`: a hostile process.
///   summary: claims level 0 in its executor summary; exits with the level the kernel
///            gives it (its ceiling, not 0).
///   page:    fills its whole executor page with garbage, makes the kernel fold it,
///            exits with that level (the kernel must carry on).
///   ceiling: lower_ceiling(40) -> 40, then lower_ceiling(10) must not raise it,
///            lower_ceiling(99) is EINVAL; exits 0 if all hold, else the check number.
#include <cstdint>
#include <string_view>

#include "cops/mm/user_layout.hpp"
#include "cops/user/sys.hpp"

using namespace cops;

namespace {
long sched_info(long which) { return user::syscall(abi::Sys::SchedInfo, static_cast<std::uint64_t>(which)); }
long lower_ceiling(long level) { return user::syscall(abi::Sys::LowerCeiling, static_cast<std::uint64_t>(level)); }
auto* const g_page = reinterpret_cast<volatile std::uint8_t*>(mm::kExecutorPageAddress);
}  // namespace

int main(int argc, char** argv) {
    const std::string_view what = argc > 1 ? argv[1] : "";
    if (what == "summary") {
        *reinterpret_cast<volatile std::uint64_t*>(g_page) = ~0ULL;  // every level ready, 0 included
        for (unsigned i = 8; i < 16; ++i) {
            g_page[i] = 0;  // "running at level 0" on every slot
        }
        (void)user::getpid();  // a trap: the kernel folds the lie
        user::exit(static_cast<int>(sched_info(1)));
    }
    if (what == "page") {
        std::uint64_t x = 0x9e3779b97f4a7c15ULL;
        for (unsigned i = 0; i < mm::kExecutorPageBytes; ++i) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            g_page[i] = static_cast<std::uint8_t>(x);
        }
        (void)user::getpid();
        user::exit(static_cast<int>(sched_info(1)));  // exit at once: its own executor is wrecked
    }
    if (what == "ceiling") {
        if (sched_info(0) != 32) {
            return 1;
        }
        if (lower_ceiling(40) != 40) {
            return 2;
        }
        if (lower_ceiling(10) != 40 || sched_info(0) != 40) {
            return 3;  // a process can never raise its own ceiling
        }
        if (lower_ceiling(99) != abi::error_return(abi::Errno::Invalid)) {
            return 4;
        }
        (void)user::getpid();
        return sched_info(1) == 40 ? 0 : 5;  // scheduled no more urgently than the new ceiling
    }
    return 100;
}
