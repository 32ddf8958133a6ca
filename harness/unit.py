"""Running a Catch2 host test binary and reading its JUnit report."""
from __future__ import annotations

import os
import subprocess
import tempfile
import xml.etree.ElementTree as ET

from harness.results import Status, TestResult


def _run_binary(binary: str, args: list[str], timeout: float):
    """Runs @binary with a JUnit report; returns (process or None on timeout, parsed root or None)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "junit.xml")
        try:
            proc = subprocess.run([binary, *args, "-r", "junit", "-o", report], capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, None
        try:
            return proc, ET.parse(report).getroot()
        except (OSError, ET.ParseError):
            return proc, None


def _cases(root, suite: str) -> list[TestResult]:
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
    return results


def _spec(name: str) -> str:
    """A Catch2 test spec matching exactly @name (commas and brackets escaped)."""
    return "".join("\\" + c if c in ",[]\\" else c for c in name)


def run_unit_tests(binary: str, suite: str, timeout: float = 300.0) -> list[TestResult]:
    """Runs every TEST_CASE of @binary; one result per test case. If the binary
    crashes (a segfault, a sanitizer report), each test runs in its own process so
    the crash is pinned on the test that caused it and the others still count."""
    if not os.path.exists(binary):
        return [TestResult(suite, "build", Status.NOT_RUN, f"{binary} was not built")]
    proc, root = _run_binary(binary, [], timeout)
    if proc is not None and root is not None:
        results = _cases(root, suite)
        if proc.returncode != 0 and all(r.passed for r in results):
            results.append(TestResult(suite, "exit-status", Status.CRASH,
                                      f"exited with status {proc.returncode} though every test passed",
                                      proc.stderr.splitlines()[-20:]))
        return results
    listing = subprocess.run([binary, "--list-test-names-only"], capture_output=True, text=True, timeout=60)
    names = [n for n in listing.stdout.splitlines() if n.strip()]
    results = []
    for name in names:
        one, one_root = _run_binary(binary, [_spec(name)], timeout=60)
        if one is None:
            results.append(TestResult(suite, name, Status.TIMEOUT, "did not finish in 60 s"))
        elif one_root is None:
            tail = (one.stdout + one.stderr).splitlines()[-20:]
            results.append(TestResult(suite, name, Status.CRASH,
                                      f"crashed (status {one.returncode}): a segfault or a sanitizer error; "
                                      "the report is below", tail))
        else:
            found = _cases(one_root, suite)
            results.extend(found if found else [TestResult(suite, name, Status.CRASH, "no result")])
    return results
