"""Test results, as every part of the harness reports them."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Status(Enum):
    """How a test ended."""

    PASS = "pass"
    FAIL = "fail"          # ran and reported failure
    TIMEOUT = "timeout"    # exceeded its instruction budget (or the wall-clock backstop)
    PANIC = "panic"        # the kernel panicked while it ran
    CRASH = "crash"        # the kernel stopped without a result for it
    FLOOD = "flood"        # printed more console output than allowed
    FORGED = "forged"      # a result line without the run's nonce
    NOT_RUN = "not run"    # the image could not be built or booted

    @property
    def passed(self) -> bool:
        return self is Status.PASS


@dataclass
class TestResult:
    """One test's outcome."""

    suite: str                      # e.g. "ch1 kernel", "ch1 unit", "harness"
    name: str                       # e.g. "executor/picks-highest-priority"
    status: Status
    message: str = ""               # why it failed, in a sentence
    details: list[str] = field(default_factory=list)  # diagnostics, console tail, backtrace
    checks: tuple[int, int] | None = None
    file: str | None = None                         # the source file that defines the test           # (held, evaluated) checks, when the test reports them

    @property
    def passed(self) -> bool:
        return self.status.passed

    def to_json(self) -> dict:
        """The result as plain JSON values (a run in another process sends it back)."""
        return {"suite": self.suite, "name": self.name, "status": self.status.value, "message": self.message,
                "details": self.details, "checks": list(self.checks) if self.checks else None, "file": self.file}

    @staticmethod
    def from_json(d: dict) -> "TestResult":
        """The inverse of to_json()."""
        return TestResult(d["suite"], d["name"], Status(d["status"]), d.get("message", ""), d.get("details", []),
                          tuple(d["checks"]) if d.get("checks") else None, d.get("file"))


def summary_line(results: list[TestResult]) -> str:
    """The closing line every run ends with: 'N passed, N failed'."""
    passed = sum(1 for r in results if r.passed)
    return f"{passed} passed, {len(results) - passed} failed"
