"""harness/lwip.py reads the check library's XML report of lwIP's unit tests: a
passing and a failing test, a crash before the report, a missing binary."""
from __future__ import annotations

import os
import stat
import tempfile
import textwrap
import unittest

from harness.lwip import run_lwip_unit_tests
from harness.results import Status

_REPORT = """<?xml version="1.0"?>
<testsuites xmlns="http://check.sourceforge.net/ns">
  <suite><title>MEM</title>
    <test result="success"><fn>test_mem.c:51</fn><id>test_mem_one</id><message>Passed</message></test>
    <test result="failure"><fn>test_mem.c:90</fn><id>test_mem_two</id><message>Assertion 'x' failed</message></test>
  </suite>
</testsuites>
"""


class LwipReportTest(unittest.TestCase):
    def _fake(self, body: str) -> str:
        path = os.path.join(self.tmp.name, "fake-lwip-tests")
        with open(path, "w", encoding="utf-8") as f:
            f.write("#!/usr/bin/env python3\n" + textwrap.dedent(body))
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return path

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def test_each_test_of_the_report_is_a_result(self):
        fake = self._fake(f"""
            import sys
            open("lwip_unittests.xml", "w").write({_REPORT!r})
            sys.exit(1)
        """)
        results = run_lwip_unit_tests(fake)
        self.assertEqual([(r.name, r.status) for r in results],
                         [("MEM/test_mem_one", Status.PASS), ("MEM/test_mem_two", Status.FAIL)])
        self.assertIn("test_mem.c:90", results[1].message)

    def test_a_crash_before_the_report_is_a_crash(self):
        fake = self._fake("""
            import sys
            print("lwIP assertion failed")
            sys.exit(134)
        """)
        (result,) = run_lwip_unit_tests(fake)
        self.assertEqual(result.status, Status.CRASH)
        self.assertIn("lwIP assertion failed", "\n".join(result.details))

    def test_a_missing_binary_says_how_to_get_it(self):
        (result,) = run_lwip_unit_tests(os.path.join(self.tmp.name, "nothing"))
        self.assertEqual(result.status, Status.NOT_RUN)
        self.assertIn("mk/fetch-lwip.sh", result.message)


if __name__ == "__main__":
    unittest.main()
