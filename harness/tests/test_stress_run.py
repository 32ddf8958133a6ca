"""`make stress` on the reference: a real run of a ch2 test on parallel harts (the
kit's build; not in handouts, whose stubs fail it)."""
import os
import unittest

from harness import stress

ROOT = os.environ.get("COPS_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))


class StressRunTest(unittest.TestCase):
    def test_a_test_runs_as_often_as_asked_and_one_verdict_comes_back(self):
        kernel = os.path.join(ROOT, "build", "ch2", "test-kernel.elf")
        self.assertTrue(os.path.exists(kernel), "make test builds build/ch2/test-kernel.elf first")
        results = stress.run_stress(ROOT, 2, kernel, 2, ["sync/mutex-excludes-across-harts", "no/such-test"])
        self.assertEqual([r.name for r in results], ["sync/mutex-excludes-across-harts x2", "no/such-test x2"])
        self.assertTrue(results[0].passed, results[0].message)
        self.assertFalse(results[1].passed)
        self.assertIn("2 of 2 runs failed", results[1].message)


if __name__ == "__main__":
    unittest.main()
