"""lwIP's own unit tests (its test/unit suite, Debian's `check` library), built on the
host from the fetched upstream tree by mk/lwip-unit.mk: one result per check test."""
from __future__ import annotations

import os
import subprocess
import tempfile
import xml.etree.ElementTree as ET

from harness.results import Status, TestResult

SUITE = "lwip unit"
_NS = "{http://check.sourceforge.net/ns}"


def run_lwip_unit_tests(binary: str, timeout: float = 300.0) -> list[TestResult]:
    """Runs @binary in a scratch folder (it writes lwip_unittests.xml there) and turns
    each <test> of the report into a result named "<suite title>/<test id>"."""
    if not os.path.exists(binary):
        return [TestResult(SUITE, "build", Status.NOT_RUN,
                           f"{binary} was not built: lwIP's source could not be fetched or did not compile "
                           "(see the lines starting 'lwip:' above; `bash mk/fetch-lwip.sh` says what to do)")]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            proc = subprocess.run([os.path.abspath(binary)], cwd=tmp, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return [TestResult(SUITE, "run", Status.TIMEOUT, f"{binary} ran longer than {timeout:.0f} s")]
        report = os.path.join(tmp, "lwip_unittests.xml")
        try:
            root = ET.parse(report).getroot()
        except (OSError, ET.ParseError):
            return [TestResult(SUITE, "run", Status.CRASH, f"{binary} exited with status {proc.returncode} "
                               "and left no readable report", (proc.stdout + proc.stderr).splitlines()[-20:])]
    results = []
    for suite in root.iter(f"{_NS}suite"):
        title = (suite.findtext(f"{_NS}title") or "?").strip()
        for test in suite.iter(f"{_NS}test"):
            name = f"{title}/{(test.findtext(f'{_NS}id') or '?').strip()}"
            where = (test.findtext(f"{_NS}fn") or "").strip()
            message = (test.findtext(f"{_NS}message") or "").strip()
            if test.get("result") == "success":
                results.append(TestResult(SUITE, name, Status.PASS))
            else:
                results.append(TestResult(SUITE, name, Status.FAIL, f"{where}: {message}"))
    if not results:
        results.append(TestResult(SUITE, "run", Status.FAIL, "the report lists no tests"))
    elif proc.returncode != 0 and all(r.passed for r in results):
        results.append(TestResult(SUITE, "exit-status", Status.CRASH,
                                  f"exited with status {proc.returncode} though every test passed",
                                  proc.stderr.splitlines()[-20:]))
    return results
