"""A real kernel with tests that fail on purpose (harness/selftest/bad_tests.cpp):
each failure must be reported by name, with the right reason, and the tests
after a crash must still run."""
import os
import unittest

from harness.ktest import KernelRun, run_kernel_tests
from harness.results import Status

ROOT = os.environ.get("COPS_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
KERNEL = os.path.join(ROOT, "build", "selftest", "selftest-kernel.elf")


class SelftestKernelTest(unittest.TestCase):
    results = None

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(KERNEL):
            raise unittest.SkipTest(f"{KERNEL} not built: run `make test`")
        cls.results = {r.name: r for r in run_kernel_tests(
            KernelRun(kernel=KERNEL, suite="selftest", output_cap=64 * 1024, wall_timeout=120))}

    def test_every_test_has_a_result(self):
        self.assertEqual(sorted(self.results), sorted([
            "selftest/passes", "selftest/fails", "selftest/hangs", "selftest/panics",
            "selftest/still-runs-after-a-crash", "selftest/faults", "selftest/forges-a-pass-line",
            "selftest/floods", "selftest/breaks-an-invariant",
            "selftest/panics-as-expected", "selftest/expects-a-panic-but-returns"]))

    def test_a_mistyped_only_name_gets_the_closest_real_one(self):
        (r,) = run_kernel_tests(KernelRun(kernel=KERNEL, suite="selftest", only="selftest/pases", wall_timeout=60))
        self.assertEqual(r.status, Status.NOT_RUN)
        self.assertIn("did you mean selftest/passes", r.message)

    def test_pass(self):
        self.assertEqual(self.results["selftest/passes"].status, Status.PASS)
        self.assertEqual(self.results["selftest/passes"].checks, (1, 1))

    def test_failure_names_the_values(self):
        r = self.results["selftest/fails"]
        self.assertEqual(r.status, Status.FAIL)
        self.assertIn("answer is 41", r.message)
        self.assertIn("bad_tests.cpp", r.message)
        self.assertEqual(r.checks, (0, 1))

    def test_a_broken_invariant_reports_no_check_as_held(self):
        r = self.results["selftest/breaks-an-invariant"]
        self.assertEqual(r.status, Status.FAIL)
        self.assertEqual(r.checks, (0, 3))  # so a grade gives it no partial credit
        self.assertIn("an invariant: the whole test fails", r.message)

    def test_a_panic_a_test_expects_is_its_pass_and_a_return_is_not(self):
        self.assertEqual(self.results["selftest/panics-as-expected"].status, Status.PASS)
        r = self.results["selftest/expects-a-panic-but-returns"]
        self.assertEqual(r.status, Status.FAIL)
        self.assertIn("expected a panic with 'never said', but the test returned", r.message)

    def test_hang_is_a_timeout_by_instruction_budget(self):
        r = self.results["selftest/hangs"]
        self.assertEqual(r.status, Status.TIMEOUT)
        self.assertIn("budget of 5000000 instructions", r.message)
        # The pc is named: the spinning loop is the test's own line in bad_tests.cpp.
        where = [d for d in r.details if d.startswith("where the pc was:")]
        self.assertTrue(where and "bad_tests.cpp" in "\n".join(r.details), r.details)
        self.assertFalse(any(d == "last console lines of the test:" for d in r.details), r.details)

    def test_panic_has_message_and_symbolized_backtrace(self):
        r = self.results["selftest/panics"]
        self.assertEqual(r.status, Status.PANIC)
        self.assertIn("deliberate panic 42", r.message)
        self.assertTrue(any("bad_tests.cpp" in line for line in r.details), r.details)

    def test_tests_after_a_crash_still_run(self):
        self.assertEqual(self.results["selftest/still-runs-after-a-crash"].status, Status.PASS)

    def test_fault_is_a_panic_naming_the_trap(self):
        r = self.results["selftest/faults"]
        self.assertEqual(r.status, Status.PANIC)
        self.assertIn("load access fault", r.message)

    def test_forged_pass_line_gets_no_credit(self):
        self.assertEqual(self.results["selftest/forges-a-pass-line"].status, Status.FORGED)

    def test_flood_is_reported(self):
        self.assertEqual(self.results["selftest/floods"].status, Status.FLOOD)
