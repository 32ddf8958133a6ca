"""Booting a chapter's demo kernel the way `make run` does, and checking what it says.

A chapter's `tests/demo_expect.txt` lists lines the demo must print, in that order
(each is a substring of one console line; blank lines and `#` comments are skipped).
The demo passes when QEMU exits with status 0 and every expected line appeared in
order. A chapter without the file uses the nearest lower chapter's (its demo is the
same kernel main).
"""
from __future__ import annotations

import os

from harness import qemu
from harness.results import Status, TestResult
from harness.symbolize import symbolize_lines


def read_expectations(path: str) -> list[str]:
    """The expected lines of @path, without blanks and comments."""
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip() and not line.lstrip().startswith("#")]


def check_demo_output(lines: list[str], expected: list[str]) -> str | None:
    """None if every expected line appears in @lines in order, else why not."""
    at = 0
    for want in expected:
        found = next((i for i in range(at, len(lines)) if want in lines[i]), None)
        if found is None:
            after = f" after line {at}: '{lines[at - 1].strip()}'" if at > 0 else ""
            return f"expected a line containing '{want}'{after}, but none came"
        at = found + 1
    return None


def run_demo(kernel: str, expected: list[str], suite: str, name: str, config: qemu.QemuConfig,
             wall_timeout: float = 60.0, rerun: str = "make run") -> TestResult:
    """Boots @kernel without a command line and checks its console against @expected.
    The demos run on the wall clock (no -icount); chapter 6's takes about 5 s alone and
    over 20 s beside make test's other runs on two cores, so the limit is 60 s.
    @rerun is the command that boots the same image for a person to look at."""
    if not os.path.exists(kernel):
        return TestResult(suite, name, Status.NOT_RUN, f"{kernel} was not built (make run builds it)")
    outcome = qemu.run(config.argv(kernel), wall_timeout=wall_timeout)
    tail = outcome.lines[-20:]
    how = f"`{rerun}` boots this image: run it to see the whole output"
    if outcome.stopped == "wall-timeout":
        return TestResult(suite, name, Status.TIMEOUT,
                          f"the demo did not power off within {wall_timeout:.0f} s ({how})", tail)
    if outcome.stopped == "flood":
        return TestResult(suite, name, Status.FLOOD, f"the demo printed more than the output cap ({how})", tail)
    if "PANIC:" in outcome.output:
        at = next(i for i, line in enumerate(outcome.lines) if "PANIC:" in line)
        return TestResult(suite, name, Status.PANIC, outcome.lines[at].strip(),
                          symbolize_lines(outcome.lines[max(at - 5, 0):at + 20], kernel))
    if outcome.exit_code != 0:
        return TestResult(suite, name, Status.CRASH,
                          f"QEMU exited with status {outcome.exit_code}; the demo powers off with 0 when "
                          f"it went well ({how})", tail)
    problem = check_demo_output(outcome.lines, expected)
    if problem is not None:
        return TestResult(suite, name, Status.FAIL, f"{problem} ({how})", tail)
    return TestResult(suite, name, Status.PASS)
