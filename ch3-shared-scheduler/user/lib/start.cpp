/// @file start.cpp
/// @brief From _start to main() and back out through exit().
#include "cops/lib/verify.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/heap.hpp"
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"

namespace {
/// Ends the process after a fatal error in the C++ runtime, saying which.
[[noreturn]] void fail(const char* what) {
    cops::user::println("user runtime: {}; exiting with status 134", what);
    cops::user::exit(134);
}
}  // namespace

namespace cops::detail {
/// A failed COPS_VERIFY in the program or the user library: say which, end the process.
void verify_failed(const char* what, const char* condition, const char* file, int line) {
    user::println("user runtime: {} (COPS_VERIFY({}) failed at {}:{}); exiting with status 134", what, condition, file,
                  line);
    user::exit(134);
}
}  // namespace cops::detail

extern "C" {
using Constructor = void (*)();
extern const Constructor __init_array_start[];
extern const Constructor __init_array_end[];

/// Called by _start (crt0.S): sets up the heap, runs global constructors, then the
/// shared scheduler with main() as the main coroutine (it exits when main returns).
[[noreturn]] void cops_start(int argc, char** argv) {
    cops::user::init_heap();
    for (const Constructor* c = __init_array_start; c != __init_array_end; ++c) {
        (*c)();
    }
    cops::user::run_scheduler(argc, argv);
}

/// A pure virtual function was called: a bug in the program.
[[noreturn]] void __cxa_pure_virtual() { fail("pure virtual function called"); }
/// For `delete` of objects with static storage (there is only one "DSO").
void* __dso_handle = nullptr;
/// abort(): ends the process with status 134 (as SIGABRT would on Linux).
[[noreturn]] void abort() { fail("abort() called"); }
}

// libstdc++ headers call these where a hosted library would throw (e.g. string_view::substr).
namespace std {
[[noreturn]] void __throw_out_of_range_fmt(const char* fmt, ...) { fail(fmt); }
[[noreturn]] void __throw_out_of_range(const char* what) { fail(what); }
[[noreturn]] void __throw_length_error(const char* what) { fail(what); }
[[noreturn]] void __throw_logic_error(const char* what) { fail(what); }
}  // namespace std
