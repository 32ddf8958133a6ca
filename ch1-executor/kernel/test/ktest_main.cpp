/// @file ktest_main.cpp
/// @brief The test kernel's program: run the KTESTs, print TAP, power off with a status.
///
/// Command line (from the host runner, via /chosen/bootargs):
///   nonce=<hex>       appended to every result line; only lines carrying it count
///   ktest.from=<k>    start at test k (1-based): the runner resumes after a crash
///   ktest.only=<name> run just this test
///   ktest.budget=<n>  multiply every budget by n (for slow student code, by the grader)
///   ktest.layer=<dir> keep only the tests defined under a path containing "/<dir>/"
///                     (numbered 1..M among themselves; `make test` runs each earlier
///                     chapter's kernel with its own layer's tests only)
/// Protocol on the console:
///   TAP version 13
///   1..N
///   #> k name file             a test starts (so a crash can be attributed)
///   ok k - name # nonce:<hex>
///   not ok k - name # nonce:<hex>
///   #   <why it failed>
///   #   checks: <held>/<evaluated>
///   #   expected panic: <text> # nonce:<hex>   after the panic report of a KTEST_PANICS test
///   # ktest done: <n> failed # nonce:<hex>   the runner's closing line
/// The nonce reaches the runner through boot::keep_nonce() before any constructor runs,
/// and is then gone from the command line (boot.cpp).
#include "cops/arch/csr.hpp"
#include "cops/arch/sbi.hpp"
#include "cops/arch/trap_frame.hpp"
#include "cops/arch/watchdog.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/dev/power.hpp"
#include "cops/lib/console.hpp"
#include "cops/lib/panic.hpp"
#include "cops/test/ktest.hpp"

extern "C" const cops::test::TestCase __ktest_start[];
extern "C" const cops::test::TestCase __ktest_end[];

namespace cops::test {

namespace {
struct Running {
    const TestCase* test = nullptr;
    unsigned number = 0;
    unsigned failures = 0;
    unsigned checks = 0;
    bool invariant_broken = false;  // a CHECK_INVARIANT failed: no check counts as held
    std::uint64_t budget = 0;
    std::string_view nonce;
};
Running g_run;

/// The run's nonce, kept here in early boot (boot::keep_nonce): by the time any other
/// code runs it is gone from the boot arguments.
char g_nonce[64] = "none";
char g_why[160];  // a failure message built by the runner itself

void print_result(bool ok) {
    console::println("{}ok {} - {} # nonce:{}", ok ? "" : "not ", g_run.number, g_run.test->name, g_run.nonce);
}

/// Timer watchdog: the test ran past its budget.
void on_watchdog(arch::TrapFrame& frame) {
    console::seize();  // the test may have been stopped in the middle of a print
    console::unlock();
    console::println("\n#   timeout: exceeded its budget of {} instructions (at pc {:#x})", g_run.budget, frame.sepc);
    print_result(false);
    dev::power_off(dev::ExitCode::Timeout);
}

void arm_watchdog(std::uint64_t budget) {
    // Under -icount shift=0 one instruction is one virtual nanosecond.
    const std::uint64_t hz = boot::info().timebase_hz;
    const std::uint64_t ticks = budget / 1000 * hz / 1'000'000;
    arch::watchdog::arm(arch::read_time() + (ticks > 0 ? ticks : 1), on_watchdog);
}

void disarm_watchdog() { arch::watchdog::disarm(); }

/// Runs after a panic has printed its report: for a KTEST_PANICS test, says with the
/// nonce that the panic was expected, so that the host may count it as a pass if the
/// message matches (a line the code under test printed could not carry the nonce).
void on_panic() {
    if (g_run.test != nullptr && g_run.test->expected_panic != nullptr) {
        console::println("#   expected panic: {} # nonce:{}", g_run.test->expected_panic, g_run.nonce);
    }
}
}  // namespace

namespace {
/// Tests sorted by (file, line): the compiler emits a file's registrations in no
/// promised order, and students expect test numbers to follow the source.
constexpr std::size_t kMaxTests = 1024;
const TestCase* g_sorted[kMaxTests];
std::size_t g_sorted_count = 0;

bool before(const TestCase& a, const TestCase& b) {
    const std::string_view fa(a.file), fb(b.file);
    return fa != fb ? fa < fb : a.line < b.line;
}

/// Keeps only the tests whose file lies under "<layer>/", at the start of the path or
/// after a '/' (all of them for an empty layer).
void keep_layer(std::string_view layer) {
    if (layer.empty()) {
        return;
    }
    std::size_t kept = 0;
    for (std::size_t i = 0; i < g_sorted_count; ++i) {
        const std::string_view file(g_sorted[i]->file);
        const std::size_t at = file.find(layer);
        // The file is absolute, or relative to the kit (a build with -ffile-prefix-map).
        const bool inside = at != std::string_view::npos && (at == 0 || file[at - 1] == '/') &&
                            at + layer.size() < file.size() && file[at + layer.size()] == '/';
        if (inside) {
            g_sorted[kept++] = g_sorted[i];
        }
    }
    g_sorted_count = kept;
}

void sort_tests() {
    const std::size_t n = static_cast<std::size_t>(__ktest_end - __ktest_start);
    g_sorted_count = n < kMaxTests ? n : kMaxTests;
    for (std::size_t i = 0; i < g_sorted_count; ++i) {  // insertion sort: a few hundred tests
        const TestCase* t = &__ktest_start[i];
        std::size_t j = i;
        for (; j > 0 && before(*t, *g_sorted[j - 1]); --j) {
            g_sorted[j] = g_sorted[j - 1];
        }
        g_sorted[j] = t;
    }
}
}  // namespace

std::span<const TestCase> all_tests() { return {__ktest_start, static_cast<std::size_t>(__ktest_end - __ktest_start)}; }

void count_check() { ++g_run.checks; }

void break_invariant() { g_run.invariant_broken = true; }

void report_failure(const char* file, int line, std::string_view message) {
    ++g_run.failures;
    console::println("#   {}:{}: {}", file, line, message);
}

}  // namespace cops::test

void cops::boot::keep_nonce(std::string_view nonce) {
    const std::size_t n = nonce.size() < sizeof test::g_nonce - 1 ? nonce.size() : sizeof test::g_nonce - 1;
    for (std::size_t i = 0; i < n; ++i) {
        test::g_nonce[i] = nonce[i];
    }
    test::g_nonce[n] = '\0';
}

void app_main() {
    using namespace cops;
    using namespace cops::test;
    sort_tests();
    keep_layer(boot::bootarg("ktest.layer").value_or(""));
    const std::span<const TestCase* const> tests(g_sorted, g_sorted_count);
    g_run.nonce = std::string_view(g_nonce);
    cops::panic_action = on_panic;  // then the panic powers off, as always
    const std::uint64_t from = boot::bootarg_u64("ktest.from", 1);
    const std::uint64_t scale = boot::bootarg_u64("ktest.budget", 1);
    const std::string_view only = boot::bootarg("ktest.only").value_or("");

    console::println("TAP version 13");
    console::println("1..{}", tests.size());
    unsigned failed = 0;
    bool ran_any = false;
    for (std::size_t i = 0; i < tests.size(); ++i) {
        const TestCase& t = *tests[i];
        if (i + 1 < from || (!only.empty() && only != t.name)) {
            continue;
        }
        ran_any = true;
        g_run.test = &t;
        g_run.number = static_cast<unsigned>(i + 1);
        g_run.failures = 0;
        g_run.checks = 0;
        g_run.invariant_broken = false;
        g_run.budget = t.budget * (scale > 0 ? scale : 1);
        console::println("#> {} {} {}", g_run.number, t.name, t.file);
        arm_watchdog(g_run.budget);
        t.fn();
        disarm_watchdog();
        if (t.expected_panic != nullptr) {
            report_failure(t.file, t.line,
                           lib::format_buffer(g_why, sizeof g_why, "expected a panic with '{}', but the test returned",
                                              t.expected_panic));
        }
        // Checks that held, of those evaluated (a REQUIRE that fails skips the rest).
        console::println("#   checks: {}/{}", g_run.invariant_broken ? 0 : g_run.checks - g_run.failures, g_run.checks);
        print_result(g_run.failures == 0);
        failed += g_run.failures != 0 ? 1 : 0;
    }
    if (!only.empty() && !ran_any) {
        // A mistyped name: list what this kernel has, so the harness can suggest one.
        console::println("# ktest: no test named '{}'", only);
        for (const TestCase* t : tests) {
            console::println("# ktest: have {}", t->name);
        }
        failed = 1;
    }
    // The closing line: a boot that ends without it (or with another status than this
    // one) did not end here, in the runner (harness/ktest.py).
    console::println("# ktest done: {} failed # nonce:{}", failed, g_run.nonce);
    dev::power_off(failed == 0 ? dev::ExitCode::Success : dev::ExitCode::TestFailure);
}
