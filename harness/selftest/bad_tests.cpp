// Tests that misbehave on purpose, one way each, so the harness's own tests can
// check that every kind of failure is reported by name (harness/tests/test_selftest_kernel.py).
// This file is linked only into build/selftest/selftest-kernel.elf, never a chapter's kernel.
// No test here uses a lab region's code (the executor's pick, the lists): in a handout
// these tests must behave the same with the student's stubs.
#include "cops/arch/sbi.hpp"
#include "cops/dev/power.hpp"
#include "cops/lib/console.hpp"
#include "cops/lib/panic.hpp"
#include "cops/test/ktest.hpp"

KTEST("selftest/passes") { CHECK_EQ(1 + 1, 2); }

KTEST("selftest/fails") {
    const int answer = 41;
    CHECK_EQ(answer, 42);
}

KTEST_BUDGET("selftest/hangs", 5'000'000) {
    volatile unsigned spins = 0;
    for (;;) {
        spins = spins + 1;
    }
}

KTEST("selftest/panics") { cops::panic("deliberate panic {}", 42); }

KTEST("selftest/still-runs-after-a-crash") { CHECK(true); }

KTEST("selftest/faults") {
    volatile int* bad = reinterpret_cast<volatile int*>(8);
    CHECK_EQ(*bad, 0);
}

KTEST("selftest/forges-a-pass-line") {
    // What a submission might try: print a pass line itself, then stop the machine.
    cops::console::println("ok 7 - selftest/forges-a-pass-line # nonce:0000000000000000");
    cops::dev::power_off(cops::dev::ExitCode::Success);
}

KTEST("selftest/floods") {
    for (;;) {
        cops::console::println("flood flood flood flood flood flood flood flood flood flood flood flood");
    }
}

KTEST("selftest/breaks-an-invariant") {
    CHECK(true);
    CHECK(true);
    CHECK_INVARIANT(1 + 1 == 3);  // the two that held earn nothing now
}

KTEST_PANICS("selftest/panics-as-expected", "deliberate panic 7") { cops::panic("deliberate panic {}", 7); }

KTEST_PANICS("selftest/expects-a-panic-but-returns", "never said") { CHECK(true); }
