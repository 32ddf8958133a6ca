"""Running a test kernel: boot, read TAP, attribute every failure to a test by name.

One boot runs every test. If the kernel stops early (panic, timeout, crash,
flood), the test that was running is recorded with the reason, and the kernel is
booted again from the next test (`ktest.from=k`), so every test gets a result and
one bad test never hides the others.
"""
from __future__ import annotations

import difflib
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Callable

from harness import qemu, tap
from harness.results import Status, TestResult
from harness.symbolize import symbolize_lines, where_pc

TAIL_LINES = 12
# A test that wants console input prints this line; the runner then types the
# chapter's serial_input.txt (see chapters.py).
TYPE_REQUEST = b"#< type"
_CHECKS = re.compile(r"^checks: (\d+)/(\d+)$")
_EXPECTED_PANIC = re.compile(r"^expected panic: (.*) # nonce:(\S+)$")


@dataclass
class KernelRun:
    """Settings for one test kernel."""

    kernel: str                         # path to test-kernel.elf
    suite: str                          # label, e.g. "ch1 kernel"
    config: qemu.QemuConfig = field(default_factory=qemu.QemuConfig)
    nonce: str = field(default_factory=lambda: secrets.token_hex(8))
    budget_scale: int = 1               # multiplies every KTEST budget
    wall_timeout: float = 180.0         # per boot, without console output (qemu.run's idle backstop)
    output_cap: int = 1 << 20           # bytes per boot
    only: str | None = None             # run one test by name
    layer: str | None = None            # keep only the tests of this chapter folder (ktest.layer)
    extra_args: str = ""                # more kernel command line
    serial_input: bytes | None = None   # typed into the console at boot (see chapters.py)
    limits: Callable[[], None] | None = None  # run in each QEMU child first (the grader's rlimits)
    deadline: float | None = None       # time.monotonic() by which every boot ends (the grader's time limit)


def _panic_report(lines: list[str], elf: str) -> tuple[str, list[str]]:
    """The panic message and its symbolized backtrace, if the console has one."""
    for i, line in enumerate(lines):
        if line.startswith("PANIC: "):
            trace = [ln for ln in lines[i + 1:] if ln.strip().startswith("bt#")]
            return line[len("PANIC: "):].strip(), symbolize_lines(trace, elf)
    return "", []


def _report_before(lines: list[str], marker: str) -> str:
    """The first line of the last panic report printed before @marker."""
    end = next((i for i, line in enumerate(lines) if line.strip() == marker), len(lines))
    for line in reversed(lines[:end]):
        if line.startswith("PANIC: "):
            return line[len("PANIC: "):].strip()
    return ""


_HAVE = "# ktest: have "


def _unknown_test(run: KernelRun, lines: list[str]) -> TestResult:
    """The result for --only NAME when the kernel has no test of that name."""
    have = [ln[len(_HAVE):].strip() for ln in lines if ln.startswith(_HAVE)]
    close = difflib.get_close_matches(run.only, have, n=3, cutoff=0.5)
    hint = (f"did you mean {' or '.join(close)}?" if close else
            f"it has {len(have)} tests; `grep -rn 'KTEST' ch*/tests` lists them")
    return TestResult(run.suite, run.only, Status.NOT_RUN, f"{run.kernel} has no test named '{run.only}': {hint}")


@dataclass
class _Tally:
    """What the boots of one run have found so far."""

    results: dict[int, TestResult] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    files: dict[int, str | None] = field(default_factory=dict)
    forged: set[int] = field(default_factory=set)  # once forged, always forged
    plan: int | None = None


class _BootReader:
    """Reads the console of one boot: which test runs, what it printed, its result
    line (and whether the runner printed it), the runner's closing line."""

    def __init__(self, run: KernelRun, tally: _Tally, start_from: int):
        self.run, self.tally = run, tally
        self.in_flight: tap.Start | None = None
        self.diags: list[str] = []
        self.checks: tuple[int, int] | None = None
        self.console: list[str] = []  # what the running test printed
        self.expected_panic: str | None = None  # KTEST_PANICS: what the running test's panic must say
        self.closed: tap.Done | None = None  # the runner's closing line, with this run's nonce
        self.last_result: int | None = None  # the last test this boot reported
        self.last_reported = start_from - 1

    def read(self, lines: list[str]) -> None:
        for event in tap.parse(lines):
            if isinstance(event, tap.Plan):
                self.tally.plan = event.count
            elif isinstance(event, tap.Start):
                self.in_flight, self.diags, self.checks, self.console = event, [], None, []
                self.expected_panic = None
                self.tally.names[event.number] = event.name
                self.tally.files[event.number] = event.file
            elif isinstance(event, tap.Diagnostic):
                self._diagnostic(event.text)
            elif isinstance(event, tap.Done):
                if event.nonce == self.run.nonce:
                    self.closed = event
            elif isinstance(event, tap.Result):
                self._result(event)
            elif isinstance(event, tap.Other) and self.in_flight is not None:
                self.console.append(event.text)

    def _diagnostic(self, text: str) -> None:
        if (m := _EXPECTED_PANIC.match(text)) and self.in_flight is not None:
            if m.group(2) == self.run.nonce:  # the runner's word that this test wants a panic
                self.expected_panic = m.group(1)
        elif m := _CHECKS.match(text):
            self.checks = (int(m.group(1)), int(m.group(2)))
        else:
            self.diags.append(text)

    def _result(self, event: tap.Result) -> None:
        run, tally = self.run, self.tally
        tally.names.setdefault(event.number, event.name)
        self.last_result = event.number
        self.last_reported = max(self.last_reported, event.number)
        if event.number in tally.forged:
            return
        if self.in_flight is None or (event.number, event.name) != (self.in_flight.number, self.in_flight.name):
            # Only the runner prints results, and only for the test it is running.
            tally.forged.add(event.number)
            tally.results[event.number] = TestResult(
                run.suite, tally.names[event.number], Status.FORGED,
                "a result line appeared for a test that was not running (printed by the code under test)")
            return
        if event.nonce != run.nonce:
            tally.forged.add(event.number)
            tally.results[event.number] = TestResult(
                run.suite, event.name, Status.FORGED,
                "result line does not carry this run's nonce (printed by something other than the runner)",
                self.diags[:])
        elif event.ok:
            tally.results[event.number] = TestResult(run.suite, event.name, Status.PASS, checks=self.checks)
        else:
            tally.results[event.number] = self._failure(event.name)
        self.in_flight, self.diags = None, []

    def _failure(self, name: str) -> TestResult:
        """The result of a `not ok` line: a failed check, or the watchdog's timeout."""
        diags = self.diags
        timeout = any(d.startswith("timeout:") for d in diags)
        message = next((d for d in diags if d), "failed")
        if timeout:  # the status says "timeout" already: the message says the rest once
            message = next(d for d in diags if d.startswith("timeout:")).removeprefix("timeout:").strip()
        printed = [c for c in self.console if c.strip()][-8:]
        shown = diags + (where_pc(message, self.run.kernel) if timeout else []) + \
            (["last console lines of the test:"] + printed if printed else [])
        return TestResult(self.run.suite, name, Status.TIMEOUT if timeout else Status.FAIL, message, shown,
                          checks=None if timeout else self.checks)


def _stopped_test(reader: _BootReader, outcome: qemu.RunOutcome, lines: list[str]) -> TestResult:
    """The result of the test that was running when the boot ended without its result."""
    run, test, diags = reader.run, reader.in_flight, reader.diags
    tail = lines[-TAIL_LINES:]
    message, trace = _panic_report(lines, run.kernel)
    if message and reader.expected_panic is not None:
        # A KTEST_PANICS test: the panic is its pass, if it says what the test expects.
        # Its report is the last one before the runner's line (not one printed earlier).
        expected = reader.expected_panic
        message = _report_before(lines, f"#   expected panic: {expected} # nonce:{run.nonce}")
        if expected in message:
            return TestResult(run.suite, test.name, Status.PASS)
        return TestResult(run.suite, test.name, Status.FAIL,
                          f"it panicked as expected, but with '{message}', not with '{expected}'", diags + trace)
    if message:
        return TestResult(run.suite, test.name, Status.PANIC, f"kernel panic: {message}", diags + trace)
    if outcome.stopped == "wall-timeout":
        return TestResult(run.suite, test.name, Status.TIMEOUT,
                          f"no result after {run.wall_timeout:.0f} s of wall-clock time (interrupts off?)", diags + tail)
    if outcome.stopped == "flood":
        return TestResult(run.suite, test.name, Status.FLOOD,
                          f"printed more than {run.output_cap} bytes; output cut off", tail)
    return TestResult(run.suite, test.name, Status.CRASH,
                      f"the kernel stopped (QEMU status {outcome.exit_code}) before reporting this test", diags + tail)


def _unclosed_pass(reader: _BootReader, outcome: qemu.RunOutcome, tail: list[str]) -> TestResult | None:
    """The runner ends a boot only with its closing line, and then with the status it
    names; a boot that ended otherwise right after a pass did not end in the runner, so
    that pass is not counted (the crash result that replaces it), else None."""
    results, last = reader.tally.results, reader.last_result
    if reader.in_flight is not None or last is None or outcome.stopped != "exited" \
            or results.get(last) is None or results[last].status is not Status.PASS:
        return None
    expected = 0 if reader.closed is not None and reader.closed.failed == 0 else 1
    if reader.closed is not None and outcome.exit_code == expected:
        return None
    why = ("without the test runner's closing line" if reader.closed is None else
           f"with QEMU status {outcome.exit_code}, not the runner's {expected}")
    return TestResult(reader.run.suite, results[last].name, Status.CRASH,
                      f"the kernel stopped right after this test's result, {why}: the result is not counted "
                      "(something other than the runner ended the boot)", tail)


def _boot(run: KernelRun, start_from: int) -> qemu.RunOutcome:
    """One boot of the test kernel, from test @start_from."""
    append = f"nonce={run.nonce} ktest.from={start_from} ktest.budget={run.budget_scale}"
    if run.only:
        append += f" ktest.only={run.only}"
    if run.layer:
        append += f" ktest.layer={run.layer}"
    if run.extra_args:
        append += " " + run.extra_args
    total = 3600.0 if run.deadline is None else max(1.0, min(3600.0, run.deadline - time.monotonic()))
    return qemu.run(run.config.argv(run.kernel, append), run.wall_timeout, run.output_cap,
                    type_on=(TYPE_REQUEST, run.serial_input) if run.serial_input else None, idle=True,
                    total_cap=total, preexec=run.limits)


# The message of a test that the grader's time limit left unrun (grader --time-limit).
DEADLINE_MESSAGE = "grading stopped at its time limit before this test ended"


def _past_deadline(run: KernelRun) -> bool:
    return run.deadline is not None and time.monotonic() >= run.deadline


def _cut_at_deadline(run: KernelRun, tally: _Tally, lines: list[str]) -> list[TestResult]:
    """The results so far; every test of the plan without one is NOT_RUN (time limit)."""
    for k in range(1, (tally.plan or 0) + 1):
        if k not in tally.results:
            tally.results[k] = TestResult(run.suite, tally.names.get(k, f"test {k}"), Status.NOT_RUN,
                                          DEADLINE_MESSAGE)
    if not tally.results:
        return [TestResult(run.suite, "boot", Status.NOT_RUN, DEADLINE_MESSAGE)]
    return _in_order(run, tally, lines)


def run_kernel_tests(run: KernelRun) -> list[TestResult]:
    """Boots @run.kernel as often as needed and returns one result per test."""
    tally = _Tally()
    start_from = 1
    boots = 0
    lines: list[str] = []
    while True:
        if _past_deadline(run):
            return _cut_at_deadline(run, tally, lines)
        boots += 1
        outcome = _boot(run, start_from)
        lines = outcome.lines
        reader = _BootReader(run, tally, start_from)
        reader.read(lines)
        tail = lines[-TAIL_LINES:]
        plan = tally.plan
        if outcome.stopped == "wall-timeout" and _past_deadline(run):
            return _cut_at_deadline(run, tally, lines)  # stopped by the time limit, not by the kernel
        if plan is None:
            reason = {"wall-timeout": f"no test output within {run.wall_timeout:.0f} s",
                      "flood": "console flood before any test"}.get(outcome.stopped,
                                                                   f"QEMU exited with status {outcome.exit_code}")
            return [TestResult(run.suite, "boot", Status.NOT_RUN,
                               f"the test kernel did not start its tests: {reason}", tail)]
        if reader.in_flight is not None and reader.in_flight.number not in tally.results:
            tally.results[reader.in_flight.number] = _stopped_test(reader, outcome, lines)
            reader.last_reported = max(reader.last_reported, reader.in_flight.number)
        if (crash := _unclosed_pass(reader, outcome, tail)) is not None:
            tally.results[reader.last_result] = crash
        if plan == 0 and not run.only:
            # A kernel with nothing to run is a broken build or filter, never a pass.
            return [TestResult(run.suite, "plan", Status.NOT_RUN,
                               "the test kernel ran no tests: its plan was 1..0"
                               + (f" (ktest.layer={run.layer} matched no test's file)" if run.layer else ""), tail)]
        if run.only or reader.last_reported >= plan:
            break
        if reader.last_reported < start_from or boots > plan + 1:
            # No progress: the kernel dies between tests. Report the rest and stop.
            for k in range(start_from, plan + 1):
                if k not in tally.results:
                    tally.results[k] = TestResult(run.suite, tally.names.get(k, f"test {k}"), Status.CRASH,
                                                  "not reached: the kernel stops before this test starts", tail)
            break
        start_from = reader.last_reported + 1
    return _in_order(run, tally, lines)


def _in_order(run: KernelRun, tally: _Tally, lines: list[str]) -> list[TestResult]:
    """Every test's result by number; a test the plan has but no boot reported is a crash."""
    if run.only and not tally.results and tally.plan is not None:
        return [_unknown_test(run, lines)]
    for k, r in tally.results.items():
        r.file = tally.files.get(k)
    ordered = [tally.results[k] for k in sorted(tally.results)]
    if tally.plan is not None and not run.only:
        for k in range(1, tally.plan + 1):
            if k not in tally.results:
                ordered.append(TestResult(run.suite, tally.names.get(k, f"test {k}"), Status.CRASH,
                                          "no result was printed for this test"))
    return ordered
