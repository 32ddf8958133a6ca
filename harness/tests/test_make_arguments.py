"""The top Makefile refuses bad arguments up front and passes the kernel command line
through unchanged (checked with `make -n`, which runs nothing)."""
from __future__ import annotations

import os
import subprocess
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_n(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-n", "run", "CH=1", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


class MakeArgumentsTest(unittest.TestCase):
    def test_smp_outside_1_to_8_is_refused_with_the_range(self):
        for bad in ("99", "0", "9", "x", "-1"):
            with self.subTest(smp=bad):
                p = make_n(f"SMP={bad}")
                self.assertNotEqual(p.returncode, 0)
                self.assertIn("choose SMP between 1 and 8", p.stderr)
        self.assertEqual(make_n("SMP=8").returncode, 0)

    def test_init_words_reach_the_kernel_unexpanded(self):
        p = make_n("INIT=hello,$(id),it's")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("-append 'init=hello,$(id),it'\\''s'", p.stdout)

    def test_bench_runs_the_experiments_three_times_unless_told(self):
        def bench(*args):
            p = subprocess.run(["make", "--no-print-directory", "-n", "bench", "CH=6", *args], cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            return p.stdout
        self.assertIn("--runs 3", bench())
        self.assertIn("--runs 1", bench("SHORT=1"))
        self.assertIn("--runs 5", bench("RUNS=5"))
        self.assertNotIn("--runs", bench("SCALING=1"))

    def test_the_harness_refuses_a_run_count_that_is_not_one_or_more(self):
        for bad in ("0", "-2", "x"):
            with self.subTest(runs=bad):
                p = subprocess.run(["python3", "-m", "harness", "bench", "--chapter", "6", "--csv", "/dev/null",
                                    "--runs", bad], cwd=ROOT, capture_output=True, text=True, timeout=60,
                                   env=dict(os.environ, PYTHONPATH=ROOT))
                self.assertEqual(p.returncode, 2)
                self.assertIn("is not a whole number from 1", p.stderr)


if __name__ == "__main__":
    unittest.main()
