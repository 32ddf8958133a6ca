"""The self-tests' collector reports every test: a test whose subtest fails must
come out as a failure, never vanish (unittest calls no addSuccess for it)."""
import os
import unittest

from harness.cli import _Collector


def _cases():
    """Test cases to run under the collector (made here, so discovery does not run them)."""

    class WithSubtests(unittest.TestCase):
        def test_second_subtest_fails(self):
            for i in range(3):
                with self.subTest(i=i):
                    self.assertNotEqual(i, 1)

        def test_all_subtests_pass(self):
            for i in range(2):
                with self.subTest(i=i):
                    self.assertGreaterEqual(i, 0)

    return unittest.defaultTestLoader.loadTestsFromTestCase(WithSubtests)


class CollectorTest(unittest.TestCase):
    def test_a_failing_subtest_is_a_failure_and_a_passing_test_a_pass(self):
        with open(os.devnull, "w", encoding="utf-8") as devnull:
            collected = unittest.TextTestRunner(stream=devnull, resultclass=_Collector).run(_cases()).collected
        by_name = {r.name: r for r in collected}
        failed = by_name["WithSubtests.test_second_subtest_fails (i=1)"]
        self.assertFalse(failed.passed)
        self.assertIn("1 == 1", failed.message)
        self.assertTrue(by_name["WithSubtests.test_all_subtests_pass"].passed)
        self.assertEqual(len(collected), 2)
