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


if __name__ == "__main__":
    unittest.main()
