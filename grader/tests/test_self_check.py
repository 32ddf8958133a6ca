"""The self-check (`make grade` without SUBMISSION) says what it covers."""
import unittest

from grader.grade import Grade, TestScore
from grader.rubric import Rubric, Rule
from grader.self_check import UnitOutcome, coverage_lines, parse_catch2


def graded(score: float, max_score: float) -> Grade:
    g = Grade(3)
    g.tests = [TestScore(1, "proc/x", 3, "pass", score, max_score, "visible", "")]
    return g


class Catch2SummaryTest(unittest.TestCase):
    def test_all_passed(self):
        u = parse_catch2("...\n===\nAll tests passed (3192142 assertions in 169 test cases)\n")
        self.assertEqual((u.passed, u.total, u.problem), (169, 169, ""))

    def test_some_failed_with_where(self):
        out = ("/kit/ch1-executor/tests/unit/test_executor.cpp:40: FAILED:\n  REQUIRE( x )\n"
               "/kit/ch1-executor/tests/unit/test_executor.cpp:40: FAILED:\n"
               "===\ntest cases: 12 | 9 passed | 3 failed\nassertions: 50 | 45 passed | 5 failed\n")
        u = parse_catch2(out)
        self.assertEqual((u.passed, u.total), (9, 12))
        self.assertEqual(u.failures, ("/kit/ch1-executor/tests/unit/test_executor.cpp:40",))

    def test_no_summary_is_a_problem(self):
        self.assertIn("no summary", parse_catch2("Segmentation fault\n").problem)


class CoverageTest(unittest.TestCase):
    def test_hidden_points_are_the_rubric_total_less_the_public_tests(self):
        rubric = Rubric(chapter=3, rules=[Rule("*", 1.0)], max_points=399.5)
        text = "\n".join(coverage_lines(graded(300, 340), rubric, UnitOutcome(10, 12)))
        self.assertIn("300 of 340 points", text)
        self.assertIn("10 of 12 test cases passed", text)
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
