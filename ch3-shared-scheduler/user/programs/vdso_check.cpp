/// @file vdso_check.cpp
/// @brief `vdso_check [write]`: the executor operations this program calls are the
/// shared scheduler's, at kVdsoBase; exits 0 if so (1 if not). With `write`, it
/// tries to change the shared code and must be killed for it.
#include <cstdint>
#include <string_view>

#include "cops/mm/user_layout.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"

using namespace cops;

#pragma GCC diagnostic ignored "-Wpmf-conversions"

int main(int argc, char** argv) {
    // GCC's extension: the address of a non-virtual member function's code.
    const auto run_once = reinterpret_cast<std::uintptr_t>((bool (*)(sched::Executor*))(&sched::Executor::run_once));
    const auto wake =
        reinterpret_cast<std::uintptr_t>((Status(*)(sched::Executor*, sched::Cid))(&sched::Executor::wake));
    const bool inside = run_once >= mm::kVdsoBase && run_once < mm::kVdsoBase + mm::kVdsoMaxBytes &&
                        wake >= mm::kVdsoBase && wake < mm::kVdsoBase + mm::kVdsoMaxBytes;
    user::println("vdso_check: Executor::run_once at {:#x}, wake at {:#x}", run_once, wake);
    if (argc > 1 && std::string_view(argv[1]) == "write") {
        *reinterpret_cast<volatile std::uint32_t*>(mm::kVdsoBase) = 0;  // must fault
        return 2;
    }
    // And it is what runs this very coroutine: the executor's current() names one.
    return inside && user::current() ? 0 : 1;
}
