"""Printing results for a person: one line per test, details under failures."""
from __future__ import annotations

import sys
from typing import TextIO

from harness.results import TestResult, summary_line


def print_result(r: TestResult, out: TextIO = sys.stdout, verbose_pass: bool = True) -> None:
    """One line per test; a failure adds its reason and details, indented."""
    if r.passed:
        if verbose_pass:
            print(f"  ok      {r.suite:<14} {r.name}", file=out)
        return
    print(f"  {r.status.value.upper():<7} {r.suite:<14} {r.name}", file=out)
    if r.message:
        print(f"          why: {r.message}", file=out)
    for line in [d for d in r.details if d.strip() != r.message.strip()][-20:]:
        print(f"          | {line}", file=out)


def print_summary(results: list[TestResult], out: TextIO = sys.stdout) -> None:
    """The failures again (so they are not lost in a long run), then 'N passed, N failed'."""
    failed = [r for r in results if not r.passed]
    if failed:
        print("\nFailures:", file=out)
        for r in failed:
            print(f"  {r.status.value.upper():<7} {r.suite:<14} {r.name}: {r.message}", file=out)
    print(summary_line(results), file=out)
