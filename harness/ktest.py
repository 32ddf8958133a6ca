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


def run_kernel_tests(run: KernelRun) -> list[TestResult]:
    """Boots @run.kernel as often as needed and returns one result per test."""
    results: dict[int, TestResult] = {}
    names: dict[int, str] = {}
    files: dict[int, str | None] = {}
    forged: set[int] = set()
    plan: int | None = None
    start_from = 1
    boots = 0
    while True:
        boots += 1
        append = f"nonce={run.nonce} ktest.from={start_from} ktest.budget={run.budget_scale}"
        if run.only:
            append += f" ktest.only={run.only}"
        if run.layer:
            append += f" ktest.layer={run.layer}"
        if run.extra_args:
            append += " " + run.extra_args
        outcome = qemu.run(run.config.argv(run.kernel, append), run.wall_timeout, run.output_cap,
                           type_on=(TYPE_REQUEST, run.serial_input) if run.serial_input else None, idle=True,
                           preexec=run.limits)
        lines = outcome.lines
        in_flight: tap.Start | None = None
        diags: list[str] = []
        checks: tuple[int, int] | None = None
        console: list[str] = []  # what the running test printed
        last_reported = start_from - 1
        closed: tap.Done | None = None  # the runner's closing line, with this run's nonce
        expected_panic: str | None = None  # KTEST_PANICS: what the running test's panic must say
        last_result: int | None = None  # the last test this boot reported
        for event in tap.parse(lines):
            if isinstance(event, tap.Plan):
                plan = event.count
            elif isinstance(event, tap.Start):
                in_flight, diags, checks, console = event, [], None, []
                expected_panic = None
                names[event.number] = event.name
                files[event.number] = event.file
            elif isinstance(event, tap.Diagnostic):
                if (m := _EXPECTED_PANIC.match(event.text)) and in_flight is not None:
                    if m.group(2) == run.nonce:  # the runner's word that this test wants a panic
                        expected_panic = m.group(1)
                elif m := _CHECKS.match(event.text):
                    checks = (int(m.group(1)), int(m.group(2)))
                else:
                    diags.append(event.text)
            elif isinstance(event, tap.Done):
                if event.nonce == run.nonce:
                    closed = event
            elif isinstance(event, tap.Result):
                names.setdefault(event.number, event.name)
                last_result = event.number
                last_reported = max(last_reported, event.number)
                if event.number in forged:
                    continue  # once forged, always forged
                if in_flight is None or (event.number, event.name) != (in_flight.number, in_flight.name):
                    # Only the runner prints results, and only for the test it is running.
                    forged.add(event.number)
                    results[event.number] = TestResult(
                        run.suite, names[event.number], Status.FORGED,
                        "a result line appeared for a test that was not running (printed by the code under test)")
                    continue
                if event.nonce != run.nonce:
                    forged.add(event.number)
                    results[event.number] = TestResult(
                        run.suite, event.name, Status.FORGED,
                        "result line does not carry this run's nonce (printed by something other than the runner)",
                        diags[:])
                elif event.ok:
                    results[event.number] = TestResult(run.suite, event.name, Status.PASS, checks=checks)
                else:
                    timeout = any(d.startswith("timeout:") for d in diags)
                    message = next((d for d in diags if d), "failed")
                    if timeout:  # the status says "timeout" already: the message says the rest once
                        message = next(d for d in diags if d.startswith("timeout:")).removeprefix("timeout:").strip()
                    printed = [c for c in console if c.strip()][-8:]
                    shown = diags + (where_pc(message, run.kernel) if timeout else []) + \
                        (["last console lines of the test:"] + printed if printed else [])
                    results[event.number] = TestResult(run.suite, event.name,
                                                       Status.TIMEOUT if timeout else Status.FAIL, message, shown,
                                                       checks=None if timeout else checks)
                in_flight, diags = None, []
            elif isinstance(event, tap.Other) and in_flight is not None:
                console.append(event.text)

        tail = lines[-TAIL_LINES:]
        if plan is None:
            reason = {"wall-timeout": f"no test output within {run.wall_timeout:.0f} s",
                      "flood": "console flood before any test"}.get(outcome.stopped,
                                                                   f"QEMU exited with status {outcome.exit_code}")
            return [TestResult(run.suite, "boot", Status.NOT_RUN,
                               f"the test kernel did not start its tests: {reason}", tail)]

        if in_flight is not None and in_flight.number not in results:
            message, trace = _panic_report(lines, run.kernel)
            if message and expected_panic is not None:
                # A KTEST_PANICS test: the panic is its pass, if it says what the test expects.
                # Its report is the last one before the runner's line (not one printed earlier).
                message = _report_before(lines, f"#   expected panic: {expected_panic} # nonce:{run.nonce}")
                if expected_panic in message:
                    results[in_flight.number] = TestResult(run.suite, in_flight.name, Status.PASS)
                else:
                    results[in_flight.number] = TestResult(
                        run.suite, in_flight.name, Status.FAIL,
                        f"it panicked as expected, but with '{message}', not with '{expected_panic}'", diags + trace)
            elif message:
                results[in_flight.number] = TestResult(run.suite, in_flight.name, Status.PANIC,
                                                       f"kernel panic: {message}", diags + trace)
            elif outcome.stopped == "wall-timeout":
                results[in_flight.number] = TestResult(
                    run.suite, in_flight.name, Status.TIMEOUT,
                    f"no result after {run.wall_timeout:.0f} s of wall-clock time (interrupts off?)", diags + tail)
            elif outcome.stopped == "flood":
                results[in_flight.number] = TestResult(
                    run.suite, in_flight.name, Status.FLOOD,
                    f"printed more than {run.output_cap} bytes; output cut off", tail)
            else:
                results[in_flight.number] = TestResult(
                    run.suite, in_flight.name, Status.CRASH,
                    f"the kernel stopped (QEMU status {outcome.exit_code}) before reporting this test", diags + tail)
            last_reported = max(last_reported, in_flight.number)

        if in_flight is None and last_result is not None and results.get(last_result) is not None \
                and results[last_result].status is Status.PASS and outcome.stopped == "exited":
            # The runner ends a boot only with its closing line, and then with the status
            # it names; any other end right after a result means the result was not its.
            expected = 0 if closed is not None and closed.failed == 0 else 1
            if closed is None or outcome.exit_code != expected:
                why = ("without the test runner's closing line" if closed is None else
                       f"with QEMU status {outcome.exit_code}, not the runner's {expected}")
                results[last_result] = TestResult(
                    run.suite, results[last_result].name, Status.CRASH,
                    f"the kernel stopped right after this test's result, {why}: the result is not counted "
                    "(something other than the runner ended the boot)", tail)

        if plan == 0 and not run.only:
            # A kernel with nothing to run is a broken build or filter, never a pass.
            return [TestResult(run.suite, "plan", Status.NOT_RUN,
                               "the test kernel ran no tests: its plan was 1..0"
                               + (f" (ktest.layer={run.layer} matched no test's file)" if run.layer else ""), tail)]
        if run.only or last_reported >= plan:
            break
        if last_reported < start_from or boots > plan + 1:
            # No progress: the kernel dies between tests. Report the rest and stop.
            for k in range(start_from, plan + 1):
                if k not in results:
                    results[k] = TestResult(run.suite, names.get(k, f"test {k}"), Status.CRASH,
                                            "not reached: the kernel stops before this test starts", tail)
            break
        start_from = last_reported + 1

    if run.only and not results and plan is not None:
        return [_unknown_test(run, lines)]
    for k, r in results.items():
        r.file = files.get(k)
    ordered = [results[k] for k in sorted(results)]
    if plan is not None and not run.only:
        for k in range(1, plan + 1):
            if k not in results:
                ordered.append(TestResult(run.suite, names.get(k, f"test {k}"), Status.CRASH,
                                          "no result was printed for this test"))
    return ordered
