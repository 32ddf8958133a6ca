"""What `make grade` without SUBMISSION (the student's self-check) covers, said plainly.

The self-check runs the chapter's public kernel tests and scores them. Two things
it does not score, and a student must not mistake its total for a grade:

* the host unit tests (Catch2): run here too and reported, but not scored,
  because the instructor's grading scores kernel tests only;
* the hidden tests: the instructor's grading adds them. How many points they are
  worth is the rubric's `max_points` less the public tests' total; their names
  and contents stay hidden.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass

from grader.grade import Grade
from grader.rubric import Rubric

_ALL_PASSED = re.compile(r"All tests passed \(\d+ assertions? in (\d+) test cases?\)")
_SOME_FAILED = re.compile(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed")
_FAILED_CASE = re.compile(r"^(.+?):(\d+): FAILED:")


@dataclass
class UnitOutcome:
    """The host unit tests of a self-check."""
    passed: int = 0
    total: int = 0
    problem: str = ""  # set when they did not build or run: why
    failures: tuple[str, ...] = ()  # "file:line" of the first failed checks


def parse_catch2(output: str) -> UnitOutcome:
    """Test-case counts from Catch2's summary line (the last one that matches)."""
    failures = tuple(dict.fromkeys(f"{m.group(1)}:{m.group(2)}" for line in output.splitlines()
                                   if (m := _FAILED_CASE.match(line.strip()))))[:5]
    for line in reversed(output.splitlines()):
        if m := _ALL_PASSED.search(line):
            n = int(m.group(1))
            return UnitOutcome(n, n, failures=failures)
        if m := _SOME_FAILED.search(line):
            return UnitOutcome(int(m.group(2)), int(m.group(1)), failures=failures)
    return UnitOutcome(problem="the unit-test binary printed no summary (did it crash?)", failures=failures)


def run_unit_tests(kit: str, chapter: int, timeout: float = 900) -> UnitOutcome:
    """Builds and runs chapter @chapter's host unit tests in @kit."""
    build = ["make", "--no-print-directory", "-f", "mk/kernel.mk", f"CH={chapter}", f"-j{os.cpu_count() or 2}",
             "unit-tests"]
    try:
        made = subprocess.run(build, cwd=kit, capture_output=True, text=True, timeout=timeout, check=False)
        if made.returncode != 0:
            return UnitOutcome(problem=f"they did not build (see `make test CH={chapter}`)")
        ran = subprocess.run([os.path.join(kit, "build", f"ch{chapter}", "unit-tests")], cwd=kit,
                             capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return UnitOutcome(problem=f"they did not finish in {timeout:.0f} s")
    return parse_catch2(ran.stdout + ran.stderr)


def coverage_lines(g: Grade, rubric: Rubric, unit: UnitOutcome | None) -> list[str]:
    """What the self-check ran and what it leaves to the instructor's grading."""
    public = g.max_score
    lines = [f"grader: this self-check ran chapter {g.chapter}'s public kernel tests: {g.score:g} of "
             f"{public:g} points."]
    if unit is not None:
        if unit.problem:
            lines.append(f"grader: host unit tests (not scored): {unit.problem}.")
        else:
            lines.append(f"grader: host unit tests (not scored; `make test` runs them too): {unit.passed} of "
                         f"{unit.total} test cases passed.")
            lines += [f"grader:   failed at {where}" for where in unit.failures]
    if rubric.max_points and rubric.max_points > public:
        hidden = round(rubric.max_points - public, 2)
        lines.append(f"grader: the instructor's grading also runs hidden tests, worth {hidden:g} more points "
                     f"(the chapter's total is {rubric.max_points:g}). They check what the chapter guide's "
                     "mistakes sections describe, so full marks here are not yet full marks there.")
    return lines
