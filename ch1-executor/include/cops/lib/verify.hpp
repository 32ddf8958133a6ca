/// @file verify.hpp
/// @brief COPS_VERIFY: an invariant checked at run time, not only stated in a comment.
///
///   COPS_VERIFY(!n.linked, "push_back: the element is already in a list");
///
/// When the condition is false the kernel panics with the message, the condition, the
/// file and the line, and a backtrace; a user program prints the same and exits with
/// status 134; the host unit tests throw cops::VerifyFailure, so a test can check that a
/// misuse is caught. Inside the shared scheduler blob (ch3 on), which may call nothing
/// outside itself, a failed check executes `ebreak`: the kernel's report of that trap
/// names the place (its `bt#0` line, symbolized), and a process dies of it.
/// Checks are always on: each costs a compare and a branch that is never taken.
#pragma once

namespace cops::detail {
/// Reports a failed COPS_VERIFY and stops (panic in the kernel, exit in a process,
/// a thrown cops::VerifyFailure on the host). Each environment defines it once.
[[noreturn, gnu::cold]] void verify_failed(const char* what, const char* condition, const char* file, int line);
}  // namespace cops::detail

#if defined(COPS_SELF_CONTAINED)
/// Checks @p cond; in the self-contained blob a failure is an `ebreak` (see the file comment).
#define COPS_VERIFY(cond, what)     \
    do {                            \
        if (!(cond)) [[unlikely]] { \
            __builtin_trap();       \
        }                           \
    } while (0)
#else
/// Checks @p cond; when it is false, reports @p what (a string literal) and stops.
#define COPS_VERIFY(cond, what)                                                  \
    do {                                                                         \
        if (!(cond)) [[unlikely]] {                                              \
            ::cops::detail::verify_failed(what, #cond, __FILE_NAME__, __LINE__); \
        }                                                                        \
    } while (0)
#endif
