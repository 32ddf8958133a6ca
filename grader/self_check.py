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
import subprocess
from dataclasses import dataclass

from grader.grade import Grade
from grader.rubric import Rubric
from harness.unit import run_unit_tests as run_unit_binary
from harness.results import Status, TestResult


@dataclass
class UnitOutcome:
    """The host unit tests of a self-check."""
    passed: int = 0
    total: int = 0
    problem: str = ""  # set when they did not build or run: why
    failures: tuple[str, ...] = ()  # the first failed test cases, each with why


def outcome_of(results: list[TestResult]) -> UnitOutcome:
    """Counts and the first failures of the unit tests' results (harness.unit: a crash
    is pinned on the test case that caused it, and the other cases still count)."""
    if len(results) == 1 and results[0].status is Status.NOT_RUN:
        return UnitOutcome(problem=results[0].message)
    failed = [r for r in results if not r.passed]
    failures = tuple(f"{r.name}: {r.message}" if r.message else r.name for r in failed)[:5]
    return UnitOutcome(len(results) - len(failed), len(results), failures=failures)


def run_unit_tests(kit: str, chapter: int, timeout: float = 900) -> UnitOutcome:
    """Builds and runs chapter @chapter's host unit tests in @kit."""
    build = ["make", "--no-print-directory", "-f", "mk/kernel.mk", f"CH={chapter}", f"-j{os.cpu_count() or 2}",
             "unit-tests"]
    try:
        made = subprocess.run(build, cwd=kit, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return UnitOutcome(problem=f"they did not build in {timeout:.0f} s")
    if made.returncode != 0:
        return UnitOutcome(problem=f"they did not build (see `make test CH={chapter}`)")
    binary = os.path.join(kit, "build", f"ch{chapter}", "unit-tests")
    return outcome_of(run_unit_binary(binary, f"ch{chapter} unit", timeout=timeout))


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
            lines += [f"grader:   failed: {why}" for why in unit.failures]
            more = unit.total - unit.passed - len(unit.failures)
            if more > 0:
                lines.append(f"grader:   and {more} more (`make test CH={g.chapter}` lists them all)")
    if rubric.max_points and rubric.max_points > public:
        hidden = round(rubric.max_points - public, 2)
        lines.append(f"grader: the instructor's grading also runs hidden tests, worth {hidden:g} more points "
                     f"(the chapter's total is {rubric.max_points:g}). They check what the chapter guide's "
                     "mistakes sections describe, so full marks here are not yet full marks there.")
    return lines
