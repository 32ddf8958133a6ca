"""The kernel-test runner attributes every outcome to a test, using a fake QEMU."""
import os
import time
import unittest

from harness import qemu
from harness.ktest import DEADLINE_MESSAGE, KernelRun, run_kernel_tests
from harness.results import Status

FAKE = os.path.join(os.path.dirname(__file__), "fake_qemu.py")


def run_scenario(name, **kw):
    os.environ["FAKE_QEMU_SCENARIO"] = name
    config = qemu.QemuConfig(qemu=FAKE)
    return run_kernel_tests(KernelRun(kernel="fake.elf", suite="fake", config=config, **kw))


class KernelRunnerTest(unittest.TestCase):
    def statuses(self, results):
        return [(r.name, r.status) for r in results]

    def test_all_pass_in_one_boot(self):
        r = run_scenario("all-pass")
        self.assertEqual(self.statuses(r), [("a/one", Status.PASS), ("a/two", Status.PASS),
                                            ("a/three", Status.PASS)])

    def test_failure_keeps_its_diagnostic(self):
        (r,) = run_scenario("fail-with-diag")
        self.assertEqual(r.status, Status.FAIL)
        self.assertIn("a is 1 and b is 2", r.message)
        self.assertIn("the test printed this", r.details)

    def test_panic_is_attributed_and_the_rest_still_run(self):
        r = run_scenario("panic-at-2")
        self.assertEqual(self.statuses(r), [("a/one", Status.PASS), ("a/two", Status.PANIC),
                                            ("a/three", Status.PASS)])
        self.assertIn("boom at 2", r[1].message)

    def test_wall_clock_backstop_reports_timeout(self):
        r = run_scenario("hang-at-2", wall_timeout=1.5)
        self.assertEqual(self.statuses(r), [("a/one", Status.PASS), ("a/two", Status.TIMEOUT),
                                            ("a/three", Status.PASS)])

    def test_the_deadline_stops_a_boot_and_leaves_the_rest_not_run(self):
        # The grader's --time-limit: the hanging test and the one after it are not run,
        # with the time limit as the reason, and nothing waits for the 30 s backstop.
        start = time.monotonic()
        r = run_scenario("hang-at-2", wall_timeout=30, deadline=start + 2)
        self.assertLess(time.monotonic() - start, 15)
        self.assertEqual(self.statuses(r), [("a/one", Status.PASS), ("a/two", Status.NOT_RUN),
                                            ("test 3", Status.NOT_RUN)])  # never named by the kernel
        self.assertEqual(r[1].message, DEADLINE_MESSAGE)

    def test_a_deadline_already_past_boots_nothing(self):
        (r,) = run_scenario("all-pass", deadline=time.monotonic() - 1)
        self.assertEqual((r.status, r.message), (Status.NOT_RUN, DEADLINE_MESSAGE))

    def test_silent_exit_is_a_crash(self):
        r = run_scenario("exit-at-2")
        self.assertEqual(r[1].status, Status.CRASH)
        self.assertIn("status 7", r[1].message)

    def test_lines_without_the_nonce_are_forged(self):
        r = run_scenario("forged")
        self.assertEqual([x.status for x in r], [Status.FORGED, Status.FORGED])

    def test_result_for_a_test_not_running_is_forged_and_stays_so(self):
        r = run_scenario("forge-ahead")
        self.assertEqual([(x.name, x.status) for x in r], [("a/one", Status.PASS), ("a/two", Status.FORGED)])

    def test_a_kernel_with_no_tests_to_run_is_a_failure(self):
        (r,) = run_scenario("empty-plan", layer="ch9-nothing")
        self.assertEqual(r.status, Status.NOT_RUN)
        self.assertIn("ktest.layer=ch9-nothing matched no test's file", r.message)

    def test_no_plan_means_not_run(self):
        (r,) = run_scenario("no-plan")
        self.assertEqual(r.status, Status.NOT_RUN)
        self.assertIn("garbage", "\n".join(r.details))

    def test_flood_is_cut_and_reported(self):
        (r,) = run_scenario("flood", output_cap=20000)
        self.assertEqual(r.status, Status.FLOOD)

    def test_kernel_dying_between_tests_ends_the_run(self):
        # The boot ended right after test 1's result without the runner's closing line:
        # that result is not counted either.
        r = run_scenario("dies-between")
        self.assertEqual([x.status for x in r], [Status.CRASH, Status.CRASH, Status.CRASH])
        self.assertIn("closing line", r[0].message)

    def test_a_result_followed_by_a_power_off_is_not_counted(self):
        # What code under test would do if it learnt the nonce: report the running test
        # as passed and power off. Each boot ends without the closing line.
        r = run_scenario("ok-then-power-off")
        self.assertEqual([x.status for x in r], [Status.CRASH, Status.CRASH])
        self.assertIn("something other than the runner ended the boot", r[0].message)

    def test_an_expected_panic_is_a_pass_only_with_the_runners_word_and_the_right_message(self):
        r = run_scenario("panic-expected")
        self.assertEqual(self.statuses(r), [("a/one", Status.PASS), ("a/two", Status.PASS)])
        r = run_scenario("panic-expected-but-other")
        self.assertEqual(r[0].status, Status.FAIL)
        self.assertIn("with 'a null dereference', not with 'unexpected trap'", r[0].message)
        # A line without the nonce is not the runner's: the panic stays a panic.
        r = run_scenario("panic-expected-forged")
        self.assertEqual(r[0].status, Status.PANIC)

    def test_a_closing_line_needs_the_nonce_and_the_runners_status(self):
        (r,) = run_scenario("closing-line-without-nonce")
        self.assertEqual(r.status, Status.CRASH)
        (r,) = run_scenario("passes-then-bad-exit")
        self.assertEqual(r.status, Status.CRASH)
        self.assertIn("QEMU status 3, not the runner's 0", r.message)

    def test_missing_tool_is_explained(self):
        config = qemu.QemuConfig(qemu="/nonexistent/qemu")
        (r,) = run_kernel_tests(KernelRun(kernel="x.elf", suite="s", config=config))
        self.assertEqual(r.status, Status.NOT_RUN)
        self.assertIn("not found", "\n".join(r.details))

    def test_an_unknown_only_name_is_not_run_and_suggests_a_close_one(self):
        (r,) = run_scenario("unknown-only", only="a/thre")
        self.assertEqual((r.name, r.status), ("a/thre", Status.NOT_RUN))
        self.assertIn("did you mean a/three", r.message)  # the closest first
        (r,) = run_scenario("unknown-only", only="zzz")
        self.assertIn("it has 3 tests", r.message)
