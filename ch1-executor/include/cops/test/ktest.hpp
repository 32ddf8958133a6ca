/// @file ktest.hpp
/// @brief In-kernel tests: KTEST("area/what") { CHECK(...); } reported as TAP on the console.
///
///   KTEST("executor/picks-highest") {
///       ...
///       CHECK_EQ(order[0], 2);       // records a failure and goes on
///       REQUIRE(cid.ok());           // records a failure and ends the test
///   }
///
/// The test kernel runs every registered test in link order, each under an
/// instruction budget enforced by a timer watchdog, and prints one TAP line per test.
/// Checks must be written in the test body, not inside a coroutine (REQUIRE returns).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "cops/lib/format.hpp"

namespace cops::test {

/// Default per-test budget: 200 million guest instructions.
inline constexpr std::uint64_t kDefaultBudget = 200'000'000;

/// One registered test.
struct TestCase {
    const char* name;      ///< "area/what", unique in the image
    void (*fn)();          ///< the body
    std::uint64_t budget;  ///< instruction budget
    const char* file;      ///< where it is defined
    int line;              ///< line of the KTEST
    /// For KTEST_PANICS: text the panic's message must contain (nullptr: a panic fails).
    const char* expected_panic = nullptr;
};

/// Every test linked into the image, in link order.
std::span<const TestCase> all_tests();

/// Records a failure of the running test with a message.
void report_failure(const char* file, int line, std::string_view message);
/// Counts one evaluated check of the running test (for partial credit).
void count_check();
/// Implements CHECK and REQUIRE: counts the check, records a failure if false.
inline bool check(bool ok, const char* file, int line, std::string_view message) {
    count_check();
    if (!ok) {
        report_failure(file, line, message);
    }
    return ok;
}
/// Marks the running test as having broken an invariant: it reports no check as held,
/// so it earns no partial credit (see CHECK_INVARIANT).
void break_invariant();
/// Implements CHECK_INVARIANT: as check(), and a failure costs the whole test.
inline bool check_invariant(bool ok, const char* file, int line, std::string_view message) {
    if (!check(ok, file, line, message)) {
        break_invariant();
    }
    return ok;
}

/// Formats a value for a failure message, or "?" if it cannot be formatted.
template <class T>
std::string_view describe(const T& v, char* buf, std::size_t n) {
    if constexpr (requires { lib::to_format_arg(v); }) {
        return lib::format_buffer(buf, n, "{}", v);
    } else {
        (void)v;
        (void)buf;
        (void)n;
        return "?";
    }
}

/// Implements CHECK_EQ: true if equal, else records "CHECK_EQ(a, b): a is X, b is Y".
template <class A, class B>
bool check_eq(const A& a, const B& b, const char* ea, const char* eb, const char* file, int line) {
    count_check();
    if (a == b) {
        return true;
    }
    char va[48];
    char vb[48];
    char msg[256];
    const std::string_view da = describe(a, va, sizeof va);
    const std::string_view db = describe(b, vb, sizeof vb);
    // "expected x == 42, but x is 41" (a literal side is not repeated).
    if (db == eb) {
        report_failure(file, line,
                       lib::format_buffer(msg, sizeof msg, "expected {} == {}, but {} is {}", ea, eb, ea, da));
    } else if (da == ea) {
        report_failure(file, line,
                       lib::format_buffer(msg, sizeof msg, "expected {} == {}, but {} is {}", ea, eb, eb, db));
    } else {
        report_failure(file, line,
                       lib::format_buffer(msg, sizeof msg, "expected {} == {}, but {} is {} and {} is {}", ea, eb, ea,
                                          da, eb, db));
    }
    return false;
}

}  // namespace cops::test

/// @cond INTERNAL
#define COPS_KTEST_CAT2(a, b) a##b
#define COPS_KTEST_CAT(a, b) COPS_KTEST_CAT2(a, b)
#define COPS_KTEST_IMPL(name, budget, panic, fn)                                                             \
    static void fn();                                                                                        \
    [[gnu::used, gnu::section(".ktest")]] static constexpr ::cops::test::TestCase COPS_KTEST_CAT(fn, _case){ \
        name, &fn, budget, __FILE__, __LINE__, panic};                                                       \
    static void fn()
/// @endcond

/// Defines a kernel test named @p name with the default budget.
#define KTEST(name) \
    COPS_KTEST_IMPL(name, ::cops::test::kDefaultBudget, nullptr, COPS_KTEST_CAT(ktest_body_, __COUNTER__))
/// Defines a kernel test with an explicit instruction budget.
#define KTEST_BUDGET(name, budget) COPS_KTEST_IMPL(name, budget, nullptr, COPS_KTEST_CAT(ktest_body_, __COUNTER__))
/// Defines a kernel test that passes only by panicking with a message that contains
/// @p text (e.g. a trap nobody handles must end in the "unexpected trap" report). If
/// the body returns, the test fails. The runner announces the expectation with the
/// run's nonce when the panic comes, and the host checks the message (harness/ktest.py).
#define KTEST_PANICS(name, text) \
    COPS_KTEST_IMPL(name, ::cops::test::kDefaultBudget, text, COPS_KTEST_CAT(ktest_body_, __COUNTER__))

/// Records a failure if @p cond is false; the test goes on.
#define CHECK(cond) \
    ((void)::cops::test::check(static_cast<bool>(cond), __FILE__, __LINE__, "CHECK(" #cond ") is false"))
/// As CHECK, for a check that guards memory safety or a core invariant (a waiter let
/// through without a unit, a read past a table): if it fails, the test reports none of
/// its checks as held, so a grade gives it no partial credit however many others held.
#define CHECK_INVARIANT(cond)                                                         \
    ((void)::cops::test::check_invariant(static_cast<bool>(cond), __FILE__, __LINE__, \
                                         "CHECK_INVARIANT(" #cond ") is false (an invariant: the whole test fails)"))
/// Records a failure if @p a != @p b, printing both values; the test goes on.
#define CHECK_EQ(a, b) ((void)::cops::test::check_eq((a), (b), #a, #b, __FILE__, __LINE__))
/// Records a failure and ends the test if @p cond is false.
#define REQUIRE(cond)                                                                                           \
    do {                                                                                                        \
        if (!::cops::test::check(static_cast<bool>(cond), __FILE__, __LINE__, "REQUIRE(" #cond ") is false")) { \
            return;                                                                                             \
        }                                                                                                       \
    } while (0)
/// Records a failure and ends the test if @p a != @p b.
#define REQUIRE_EQ(a, b)                                                     \
    do {                                                                     \
        if (!::cops::test::check_eq((a), (b), #a, #b, __FILE__, __LINE__)) { \
            return;                                                          \
        }                                                                    \
    } while (0)
