"""Running a Catch2 host test binary and reading its JUnit report."""
from __future__ import annotations

import os
import subprocess
import tempfile
import xml.etree.ElementTree as ET

from harness.results import Status, TestResult


def run_unit_tests(binary: str, suite: str, timeout: float = 300.0) -> list[TestResult]:
    """Runs every TEST_CASE of @binary; one result per test case."""
    if not os.path.exists(binary):
        return [TestResult(suite, "build", Status.NOT_RUN, f"{binary} was not built")]
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "junit.xml")
        try:
            proc = subprocess.run([binary, "-r", "junit", "-o", report], capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return [TestResult(suite, "run", Status.TIMEOUT, f"{binary} did not finish in {timeout:.0f} s")]
        try:
            root = ET.parse(report).getroot()
        except (OSError, ET.ParseError):
            tail = (proc.stdout + proc.stderr).splitlines()[-20:]
            return [TestResult(suite, "run", Status.CRASH,
                               f"{os.path.basename(binary)} stopped (status {proc.returncode}) without a report "
                               "(a sanitizer error or a crash; details below)", tail)]
    results = []
    for case in root.iter("testcase"):
        name = case.get("name", "?")
        problems = list(case.iter("failure")) + list(case.iter("error"))
        if problems:
            details = []
            for p in problems:
                details += (p.text or p.get("message", "")).strip().splitlines()
            results.append(TestResult(suite, name, Status.FAIL, problems[0].get("message", "failed"), details))
        else:
            results.append(TestResult(suite, name, Status.PASS))
    if proc.returncode != 0 and all(r.passed for r in results):
        results.append(TestResult(suite, "exit-status", Status.CRASH,
                                  f"exited with status {proc.returncode} though every test passed",
                                  proc.stderr.splitlines()[-20:]))
    return results
