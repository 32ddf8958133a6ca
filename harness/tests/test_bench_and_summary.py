"""Bench line parsing and the closing summary line."""
import unittest

from harness.bench import parse_bench
from harness.results import Status, TestResult, summary_line


class BenchAndSummaryTest(unittest.TestCase):
    def test_bench_lines(self):
        rows = parse_bench(["noise", "# bench executor/pick ready=10 37.50 insn", "# bench x y 1 z extra"])
        self.assertEqual(rows, [("executor/pick", "ready=10", 37.5, "insn")])

    def test_summary_counts(self):
        rs = [TestResult("s", "a", Status.PASS), TestResult("s", "b", Status.FAIL),
              TestResult("s", "c", Status.TIMEOUT)]
        self.assertEqual(summary_line(rs), "1 passed, 2 failed")
