"""Races on real parallel harts: a chapter's stress tests, run again and again on
multi-threaded QEMU without -icount.

Under `-icount` QEMU runs the harts in turns, one long slice each, so two harts
almost never touch a lock or a semaphore in the same few instructions, and a race
there is almost never seen. Here each hart is a host thread (`-accel tcg,thread=multi`)
and time is the host's clock: the interleavings are real, and different on every run.
So a pass proves little, while a failure is a real bug. Every run of a test boots its
own QEMU; the kernel's watchdog then counts wall-clock time (its budget, times
STRESS_BUDGET_SCALE), and the host stops a boot that prints nothing for
wall_timeout seconds.

The tests are named in each chapter.mk by `STRESS_TESTS := name ...` (the lists of
chapters 1..N together).
"""
from __future__ import annotations

import os
import re

from harness import chapters, qemu
from harness.ktest import KernelRun, run_kernel_tests
from harness.results import Status, TestResult

# The kernel's budgets are instruction counts, read as nanoseconds of the virtual
# clock; here that clock is the host's, and four harts share two host cores.
STRESS_BUDGET_SCALE = 50


def stress_tests(root: str, chapter: int) -> list[str]:
    """The test names the `STRESS_TESTS :=` lines of chapters 1..@chapter list, in order."""
    names: list[str] = []
    for layer in chapters.layer_dirs(root, chapter):
        with open(os.path.join(layer, "chapter.mk"), encoding="utf-8") as f:
            text = f.read().replace("\\\n", " ")
        for m in re.finditer(r"^STRESS_TESTS\s*:?=(.*)$", text, re.MULTILINE):
            names += [n for n in m.group(1).split() if n not in names]
    return names


def stress_config(smp: int, extra: list[str]) -> qemu.QemuConfig:
    """QEMU with one host thread per hart and the host's clock."""
    return qemu.QemuConfig(smp=smp, icount=False, extra=["-accel", "tcg,thread=multi", *extra])


def run_stress(root: str, chapter: int, kernel: str, runs: int, names: list[str],
               wall_timeout: float = 120.0) -> list[TestResult]:
    """Runs each of @names @runs times on chapter @chapter's @kernel; one result per test:
    a pass only if every run passed, else the first failure and how many runs failed."""
    config = stress_config(chapters.test_smp(root, chapter), chapters.devices(root, chapter))
    typed = chapters.serial_input(root, chapter)
    results = []
    for name in names:
        failures: list[TestResult] = []
        for _ in range(runs):
            found = run_kernel_tests(KernelRun(kernel=kernel, suite=f"ch{chapter} stress", config=config, only=name,
                                               budget_scale=STRESS_BUDGET_SCALE, wall_timeout=wall_timeout,
                                               serial_input=typed))
            mine = [r for r in found if r.name == name] or found
            failures += [r for r in mine if not r.passed]
        label = f"{name} x{runs}"
        if not failures:
            results.append(TestResult(f"ch{chapter} stress", label, Status.PASS))
        else:
            first = failures[0]
            results.append(TestResult(f"ch{chapter} stress", label, first.status,
                                      f"{len(failures)} of {runs} runs failed; the first: {first.message}",
                                      first.details))
    return results
