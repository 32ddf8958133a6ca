"""Grading one submission: pristine kit + the student's files, build, run public
and hidden tests, score by the rubric.

Everything a submission can do wrong ends in a score and a reason, never a crash
of the grader: a missing or foreign file, a build error (score 0, first compiler
error shown), a hang (timeout by instruction budget), a panic, a console flood,
forged result lines (no credit: each run has a fresh nonce).
"""
from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

from harness import chapters, labs, qemu
from harness.ktest import DEADLINE_MESSAGE, KernelRun, run_kernel_tests
from harness.results import Status, TestResult
from grader import limits, source_check, symbol_check
from grader.rubric import Rubric, load_rubric

_CHAPTER_IN_PATH = re.compile(r"(?:^|/)(?:ch(\d+)-[^/]+|hidden/ch(\d+))/")


@dataclass
class TestScore:
    """One graded test."""
    number: int
    name: str
    chapter: int
    status: str
    score: float
    max_score: float
    visibility: str
    output: str
    checks_held: int = 0   # of a plain failure: how many of its checks held


@dataclass
class Grade:
    """The outcome of grading one submission."""
    chapter: int
    tests: list[TestScore] = field(default_factory=list)
    build_ok: bool = True
    build_output: str = ""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cut_short: bool = False  # the time limit stopped grading before every test ended

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 2)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 2)


def chapter_of(path: str | None, default: int) -> int:
    """The chapter a test belongs to, from its source path."""
    if path:
        m = _CHAPTER_IN_PATH.search(path.replace("\\", "/"))
        if m:
            return int(m.group(1) or m.group(2))
    return default


def student_files(root: str, chapter: int) -> list[str]:
    """STUDENT_FILES of chapters 1..chapter, relative to the kit's root."""
    out = subprocess.run(["make", "--no-print-directory", "-s", "-f", "mk/kernel.mk", f"CH={chapter}", "print-vars"],
                         cwd=root, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("STUDENT_FILES="):
            return line.split("=", 1)[1].split()
    return []


def overlay(kit: str, submission: str, files: list[str]) -> list[str]:
    """Copies @files from @submission into @kit. Returns notes about what was odd.
    Only regular files inside the submission are taken; links are refused."""
    notes = []
    sub_root = os.path.realpath(submission)
    for rel in files:
        src = os.path.join(submission, rel)
        if not os.path.lexists(src):
            notes.append(f"{rel}: not in the submission; the handout's stub is used")
            continue
        real = os.path.realpath(src)
        if os.path.islink(src) or not real.startswith(sub_root + os.sep) or not os.path.isfile(real):
            notes.append(f"{rel}: not a regular file inside the submission; ignored")
            continue
        if os.path.getsize(real) > 1 << 20:
            notes.append(f"{rel}: larger than 1 MiB; ignored")
            continue
        shutil.copyfile(real, os.path.join(kit, rel))
    return notes


def first_compiler_error(output: str) -> str:
    """The first `error:` line and a little context, for the student (after the limit
    that stopped the build, if one did)."""
    lines = output.splitlines()
    if lines and lines[0].startswith("the build ran out of"):
        return lines[0] + "\n" + first_compiler_error("\n".join(lines[1:]))
    for i, line in enumerate(lines):
        if "error:" in line or ("***" in line and "Error" in line):
            return "\n".join(lines[max(0, i - 2):i + 6])
    return "\n".join(lines[-15:])


def build_test_kernel(kit: str, chapter: int, hidden: bool, timeout: float = 900) -> tuple[bool, str, str]:
    """Builds the chapter's test kernel (with hidden tests if @hidden). Returns (ok, output, elf)."""
    build = os.path.join(kit, "build", f"grade-ch{chapter}")
    extra = []
    if hidden:
        for c in range(1, chapter + 1):
            extra += sorted(os.path.relpath(p, kit) for p in glob.glob(os.path.join(kit, "grader", "hidden", f"ch{c}", "*.cpp")))
    cmd = ["make", "--no-print-directory", "-f", "mk/kernel.mk", f"CH={chapter}", f"BUILD={build}",
           f"EXTRA_KTEST_SRCS={' '.join(extra)}", f"-j{limits.build_jobs()}", "test-kernel"]
    try:
        # A submission's build gets memory and CPU limits (grader/limits.py); the
        # reference's own build (no hidden tests, the instructor's tree) does not need them.
        proc = subprocess.Popen(cmd, cwd=kit, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=limits.build_limiter() if hidden else None,
                                env=limits.sandbox_env() if hidden else None, start_new_session=True)
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # make and every compiler it started
        proc.communicate()
        return False, f"the build did not finish in {timeout:.0f} s", ""
    output = stdout + stderr
    if proc.returncode != 0 and (why := limits.explain(output, proc.returncode)):
        output = f"{why}\n{output}"
    return proc.returncode == 0, output, os.path.join(build, "test-kernel.elf")


# What a report may show of one test: a console flood or a huge line never makes
# results.json or junit.xml large (at most 25 lines of MAX_LINE characters).
MAX_LINE = 300


def score_results(results: list[TestResult], rubric: Rubric, chapter: int,
                  baseline: dict[str, int] | None = None) -> list[TestScore]:
    """Points for each result: full on a pass; on a plain failure, the share of its
    checks that held beyond those that hold with the untouched stubs (@baseline:
    test name -> checks held by the stubs); nothing for a timeout, panic, crash, flood
    or forged line."""
    baseline = baseline or {}
    scores = []
    for number, r in enumerate(results, 1):
        ch = chapter_of(r.file, chapter)
        rule = rubric.rule_for(r.name)
        weight = 1.0 if ch >= chapter else rubric.regression_weight
        max_score = round(rule.points * weight, 2)
        if r.passed:
            score = max_score
        elif r.status is Status.FAIL and r.checks and r.checks[1] > 0:
            free = min(baseline.get(r.name, 0), r.checks[1])
            earned = max(0, r.checks[0] - free)
            # Rounded down: a failing test never shows full marks (10001 of 10005 checks is not all).
            score = math.floor(100 * max_score * earned / (r.checks[1] - free)) / 100 if r.checks[1] > free else 0.0
        else:
            score = 0.0
        lines = [f"{r.status.value}" + (f": {r.message}" if r.message else "")]
        if r.checks:
            free = min(baseline.get(r.name, 0), r.checks[1])
            lines.append(f"checks held: {r.checks[0]}/{r.checks[1]}" +
                         (f" ({free} of them hold with the untouched stubs too and earn nothing)" if free else ""))
        # The details often repeat the message (the console's own report line): once is enough.
        lines += [d for d in r.details[-25:] if d.strip() not in (r.message.strip(), lines[0])]
        lines = [ln if len(ln) <= MAX_LINE else ln[:MAX_LINE] + " [...]" for ln in lines]
        scores.append(TestScore(number, r.name, ch, r.status.value, score, max_score, rule.visibility, "\n".join(lines),
                                r.checks[0] if r.checks else 0))
    return scores


def _kit_key(root: str, chapter: int) -> str:
    """A hash of the kit's tracked files and the chapter: the stubs' baseline is valid
    while none of them changes."""
    h = hashlib.sha256(f"ch{chapter}".encode())
    for rel in sorted(labs.tracked_files(root) or []):
        path = os.path.join(root, rel)
        if os.path.isfile(path) and not os.path.islink(path):
            h.update(rel.encode())
            with open(path, "rb") as f:
                h.update(f.read())
    return h.hexdigest()[:16]


def stub_baseline(root: str, chapter: int, rubric_path: str | None, budget_scale: int,
                  time_limit: float | None = None) -> dict[str, int] | None:
    """How many checks of each test hold with the untouched handout (public and hidden
    tests): graded once per kit state and kept in build/grade-baseline/ (the Gradescope
    image makes it in setup.sh). None if @time_limit seconds were not enough."""
    cache = os.path.join(root, "build", "grade-baseline", f"ch{chapter}-{_kit_key(root, chapter)}.json")
    try:
        with open(cache, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        pass
    with tempfile.TemporaryDirectory(prefix="cops-stubs-") as empty:
        g = grade(root, chapter, empty, rubric_path, budget_scale, stubs_earn=True, time_limit=time_limit)
    if g.cut_short:
        return None
    held = {t.name: t.checks_held if t.status != Status.PASS.value else -1 for t in g.tests}
    held = {name: n for name, n in held.items() if n > 0}
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    with open(cache, "w", encoding="utf-8") as f:
        json.dump(held, f)
    return held


def grade(root: str, chapter: int, submission: str | None, rubric_path: str | None = None,
          budget_scale: int = 1, keep: str | None = None, stubs_earn: bool = False,
          time_limit: float | None = None) -> Grade:
    """Grades @submission (a folder) for @chapter; without one, the working tree with
    public tests. A submission's failing tests earn only for checks beyond those the
    untouched stubs pass (stub_baseline), unless @stubs_earn. With @time_limit, grading
    ends within that many seconds: the build and boots are stopped in time, and the
    tests not reached score 0 with a message that says so."""
    start = time.monotonic()
    deadline = None if time_limit is None else start + time_limit
    rubric = load_rubric(rubric_path or os.path.join(root, "grader", "rubric", f"ch{chapter}.toml"))
    result = Grade(chapter)
    tmp = None
    if submission is None:
        kit, hidden = root, False
    else:
        if not os.path.isdir(submission):
            result.build_ok = False
            what = "is a file, not a folder" if os.path.exists(submission) else "does not exist"
            result.build_output = f"submission {submission} {what}"
            result.tests = [TestScore(1, "submission", chapter, "missing", 0.0, 1.0, "visible",
                                      f"{result.build_output}: nothing was graded. The submission is a "
                                      "folder laid out like the kit (e.g. ch1-executor/kernel/sched/executor.cpp).")]
            return result
        tmp = tempfile.mkdtemp(prefix="cops-grade-")
        kit = os.path.join(tmp, "kit")
        labs.copy_kit(root, kit)
        labs.drop_later_chapters(kit, chapter)  # no reference code of a chapter to come...
        for path in glob.glob(os.path.join(kit, "grader", "hidden", "ch[0-9]*")):
            if int(os.path.basename(path)[2:]) > chapter:
                shutil.rmtree(path)  # ...nor its hidden tests
        labs.cut_tree(kit, chapter)  # the pristine handout...
        result.notes += overlay(kit, submission, student_files(kit, chapter))  # ...plus the student's files
        lwip_cache = os.path.join(root, "third_party", "cache")  # lwIP's tarball: no download per grade
        if os.path.isdir(lwip_cache) and os.path.exists(os.path.join(kit, "mk", "fetch-lwip.sh")):
            shutil.copytree(lwip_cache, os.path.join(kit, "third_party", "cache"), dirs_exist_ok=True)
        limits.give_to_grade_user(tmp)  # COPS_GRADE_USER: the copy is its own, the kit is not
        hidden = True
    try:
        if hidden and (refused := source_check.check(kit, chapter, student_files(kit, chapter))):
            # Checked before the build, so that nothing the files read reaches the report.
            result.build_ok = False
            result.build_output = "\n".join(refused)
            result.tests = [TestScore(1, "build", chapter, "refused", 0.0, rubric.max_points or 1.0, "visible",
                                      "the submission was not built:\n" + "\n".join(refused))]
            result.seconds = time.monotonic() - start
            return result
        build_time = 900.0 if deadline is None else max(1.0, min(900.0, deadline - time.monotonic()))
        ok, output, elf = build_test_kernel(kit, chapter, hidden, timeout=build_time)
        if ok and hidden and (refused := symbol_check.check(kit, chapter, os.path.dirname(elf),
                                                            student_files(kit, chapter))):
            # It built, but its code reaches what only the runner and the boot may use.
            result.build_ok = False
            result.build_output = "\n".join(refused)
            result.tests = [TestScore(1, "build", chapter, "refused", 0.0, rubric.max_points or 1.0, "visible",
                                      "the submission was built but not run:\n" + "\n".join(refused))]
            result.seconds = time.monotonic() - start
            return result
        result.build_ok, result.build_output = ok, output
        if not ok and deadline is not None and time.monotonic() >= deadline:
            result.cut_short = True
            result.notes.append(f"grading stopped at its time limit ({time_limit:.0f} s) during the build; "
                                "tell your instructor")
        if not ok:
            # Nothing can run: every test the rubric would have counted scores 0.
            # The score is out of the chapter's real total (the rubric's max_points).
            result.tests = [TestScore(1, "build", chapter, "build error", 0.0, rubric.max_points or 1.0, "visible",
                                      "the submission does not compile:\n" + first_compiler_error(output))]
        else:
            run = KernelRun(kernel=elf, suite=f"ch{chapter}", config=qemu.QemuConfig(smp=chapters.test_smp(kit, chapter),
                                                                                 extra=chapters.devices(kit, chapter)),
                            budget_scale=budget_scale, serial_input=chapters.serial_input(kit, chapter),
                            limits=limits.qemu_limiter() if hidden else None, deadline=deadline)
            raw = run_kernel_tests(run)
            cut = [r for r in raw if r.status is Status.NOT_RUN and r.message == DEADLINE_MESSAGE]
            if cut:
                result.cut_short = True
                result.notes.append(f"grading stopped at its time limit ({time_limit:.0f} s): {len(cut)} "
                                    "test(s) were not reached and score 0; tell your instructor")
            # The stubs' baseline matters only for partial credit: skip it when nothing earns any.
            partial = any(r.status is Status.FAIL and r.checks and r.checks[0] > 0 for r in raw)
            baseline: dict[str, int] | None = {}
            if hidden and partial and not stubs_earn:
                left = None if deadline is None else max(1.0, deadline - time.monotonic())
                baseline = stub_baseline(root, chapter, rubric_path, budget_scale, left)
                if baseline is None:
                    # No time to learn what the stubs pass: failing tests earn nothing (never too much).
                    baseline = {r.name: r.checks[1] for r in raw if r.checks}
                    result.notes.append("partial credit withheld: the time limit left no time to grade "
                                        "the untouched stubs")
            result.tests = score_results(raw, rubric, chapter, baseline)
            if cut and all(r.name == "boot" for r in raw):  # cut before the plan: out of the real total
                result.tests = [TestScore(1, "time limit", chapter, Status.NOT_RUN.value, 0.0, rubric.max_points or 1.0,
                                          "visible", DEADLINE_MESSAGE)]
    finally:
        if tmp and not keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp and keep:
            shutil.move(kit, keep)
            shutil.rmtree(tmp, ignore_errors=True)
    result.seconds = time.monotonic() - start
    return result
