"""The self-check (`make grade` without SUBMISSION) says what it covers."""
import os
import tempfile
import unittest

from grader.grade import Grade, TestScore
from grader.rubric import Rubric, Rule
from grader.self_check import UnitOutcome, coverage_lines, outcome_of
from harness.results import Status, TestResult
from harness.unit import run_unit_tests


def graded(score: float, max_score: float) -> Grade:
    g = Grade(3)
    g.tests = [TestScore(1, "proc/x", 3, "pass", score, max_score, "visible", "")]
    return g


class UnitOutcomeTest(unittest.TestCase):
    def test_counts_and_why_each_failed(self):
        u = outcome_of([TestResult("ch1 unit", "list: fifo", Status.PASS),
                        TestResult("ch1 unit", "list: remove", Status.FAIL, "test_list.cpp:40: x == 1"),
                        TestResult("ch1 unit", "bitmap: set", Status.CRASH, "crashed (status 1)")])
        self.assertEqual((u.passed, u.total, u.problem), (1, 3, ""))
        self.assertEqual(u.failures, ("list: remove: test_list.cpp:40: x == 1", "bitmap: set: crashed (status 1)"))

    def test_a_binary_that_was_not_built_is_a_problem(self):
        u = outcome_of([TestResult("ch1 unit", "build", Status.NOT_RUN, "unit-tests was not built")])
        self.assertEqual((u.total, u.problem), (0, "unit-tests was not built"))

    def test_a_crash_is_pinned_on_its_test_case_and_the_others_count(self):
        """A stubbed lab region that crashes the binary (a sanitizer's abort) must not
        hide the counts: the self-check used to say only "printed no summary"."""
        with tempfile.TemporaryDirectory() as tmp:
            binary = os.path.join(tmp, "unit-tests")
            with open(binary, "w") as f:
                f.write(FAKE_CATCH2)
            os.chmod(binary, 0o755)
            u = outcome_of(run_unit_tests(binary, "ch1 unit", timeout=60))
        self.assertEqual((u.passed, u.total, u.problem), (1, 2, ""), u)
        self.assertIn("crashes", u.failures[0])


# A Catch2 binary in miniature: two test cases; run whole (or as "crashes") it dies
# before it writes its JUnit report, run as "holds" alone it reports a pass.
FAKE_CATCH2 = """#!/bin/sh
out=; case_=; prev=
for a in "$@"; do
  [ "$prev" = "-o" ] && out="$a"
  [ "$a" = "--list-test-names-only" ] && { printf 'holds\\ncrashes\\n'; exit 0; }
  [ "$a" = "holds" ] && case_=holds
  prev="$a"
done
if [ "$case_" = holds ]; then
  printf '<testsuites><testsuite name="u"><testcase name="holds"/></testsuite></testsuites>' > "$out"
  exit 0
fi
echo "runtime error: member access within null pointer" >&2
exit 1
"""


class CoverageTest(unittest.TestCase):
    def test_hidden_points_are_the_rubric_total_less_the_public_tests(self):
        rubric = Rubric(chapter=3, rules=[Rule("*", 1.0)], max_points=399.5)
        text = "\n".join(coverage_lines(graded(300, 340), rubric, UnitOutcome(10, 12)))
        self.assertIn("300 of 340 points", text)
        self.assertIn("10 of 12 test cases passed", text)
        self.assertIn("and 2 more", text)  # two failed, none named
        self.assertIn("hidden tests, worth 59.5 more points", text)
        self.assertIn("total is 399.5", text)

    def test_unit_tests_that_did_not_build_are_said(self):
        rubric = Rubric(chapter=3, rules=[Rule("*", 1.0)], max_points=10)
        text = "\n".join(coverage_lines(graded(10, 10), rubric, UnitOutcome(problem="they did not build")))
        self.assertIn("not scored", text)
        self.assertIn("they did not build", text)
        self.assertNotIn("hidden tests", text)  # nothing hidden beyond the public total


if __name__ == "__main__":
    unittest.main()
