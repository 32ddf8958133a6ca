/// @file cxx_runtime.cpp
/// @brief The few pieces of the C++ runtime a freestanding kernel must supply itself.
#include <new>

#include "cops/lib/panic.hpp"

extern "C" {

/// Called if a pure virtual function is invoked (an object used during construction).
void __cxa_pure_virtual() { cops::panic("pure virtual function called"); }

/// Static objects are never destroyed in the kernel; registration is a no-op.
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }

/// Required by some libgcc/picolibc paths; the kernel has a single image.
void* __dso_handle = nullptr;

/// picolibc's assert() lands here.
[[noreturn]] void __assert_func(const char* file, int line, const char*, const char* expr) {
    cops::panic("assert({}) failed at {}:{}", expr, file, line);
}

/// GCC may emit this for unreachable code paths.
[[noreturn]] void abort() { cops::panic("abort() called"); }
}

// libstdc++ headers call these where the hosted library would throw (e.g.
// string_view::substr past the end). The kernel has no exceptions: it is a bug.
namespace std {
/// The tag of `new (std::nothrow) T`, which returns nullptr when the heap is full.
const nothrow_t nothrow{};
[[noreturn]] void __throw_out_of_range_fmt(const char* fmt, ...) { cops::panic("libstdc++: {}", fmt); }
[[noreturn]] void __throw_out_of_range(const char* what) { cops::panic("libstdc++: out of range: {}", what); }
[[noreturn]] void __throw_length_error(const char* what) { cops::panic("libstdc++: length error: {}", what); }
[[noreturn]] void __throw_logic_error(const char* what) { cops::panic("libstdc++: logic error: {}", what); }
[[noreturn]] void __throw_bad_optional_access() { cops::panic("libstdc++: bad optional access"); }
[[noreturn]] void __throw_bad_alloc() { cops::panic("libstdc++: bad alloc"); }
}  // namespace std
