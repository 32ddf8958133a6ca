"""Command line of the harness.

    python3 -m harness test  --root R --chapters 1 2 --unit build/ch2/unit-tests
    python3 -m harness ktest build/ch1/test-kernel.elf [--only NAME] [--smp N]
    python3 -m harness bench --root R --chapter 1 --csv out.csv
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from harness import chapters, qemu, stress
from harness import figures
from harness.bench import run_bench
from harness.demo import read_expectations, run_demo
from harness.ktest import KernelRun, run_kernel_tests
from harness.lwip import run_lwip_unit_tests
from harness.net import host_matrix_http_results, host_network_results
from harness.report import print_result, print_summary
from harness.results import Status, TestResult
from harness.staleness import rebuild_command, stale_sources
from harness.unit import run_unit_tests


class _Collector(unittest.TextTestResult):
    """Turns the harness's own unittest results into TestResults."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.collected: list[TestResult] = []
        self.seconds: dict[str, float] = {}  # wall time of each test, by name
        self._started = 0.0

    def startTest(self, test):
        super().startTest(test)
        self._started = time.monotonic()

    def stopTest(self, test):
        super().stopTest(test)
        self.seconds[self._name(test)] = time.monotonic() - self._started

    def _name(self, test) -> str:
        return f"{test.__class__.__name__}.{test._testMethodName}"

    def addSuccess(self, test):
        super().addSuccess(test)
        self.collected.append(TestResult("harness", self._name(test), Status.PASS))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.collected.append(TestResult("harness", self._name(test), Status.FAIL, str(err[1]).splitlines()[0],
                                         self._exc_info_to_string(err, test).splitlines()[-12:]))

    def addError(self, test, err):
        super().addError(test, err)
        self.collected.append(TestResult("harness", self._name(test), Status.CRASH, repr(err[1]),
                                         self._exc_info_to_string(err, test).splitlines()[-12:]))

    def addSubTest(self, test, subtest, err):
        # A failing subtest fails its test, and unittest then never calls addSuccess:
        # without this the test would vanish from the results instead of failing.
        super().addSubTest(test, subtest, err)
        if err is not None:
            status = Status.FAIL if issubclass(err[0], test.failureException) else Status.CRASH
            self.collected.append(TestResult("harness", f"{self._name(test)} {subtest._subDescription()}", status,
                                             str(err[1]).splitlines()[0] if str(err[1]) else repr(err[1]),
                                             self._exc_info_to_string(err, test).splitlines()[-12:]))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.collected.append(TestResult("harness", self._name(test), Status.FAIL, f"skipped: {reason}"))


def selftest_files(root: str) -> list[str]:
    """The file names of the harness's and the grader's own tests."""
    names = []
    for folder in ("harness", "grader"):
        names += sorted(os.path.basename(p) for p in glob.glob(os.path.join(root, folder, "tests", "test*.py")))
    return names


def run_harness_selftests(root: str, files: list[str] | None = None,
                          seconds: dict[str, float] | None = None) -> list[TestResult]:
    """The harness's and the grader's own tests (harness/tests, grader/tests), only those
    in @files (file names) if given, run in-process."""
    os.environ["COPS_ROOT"] = root
    suite = unittest.TestSuite()
    for folder in ("harness", "grader"):
        tests = os.path.join(root, folder, "tests")
        for path in sorted(glob.glob(os.path.join(tests, "test*.py"))):
            if files is None or os.path.basename(path) in files:
                suite.addTests(unittest.defaultTestLoader.discover(tests, pattern=os.path.basename(path),
                                                                   top_level_dir=root))
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        result = unittest.TextTestRunner(stream=devnull, resultclass=_Collector, verbosity=0).run(suite)
    if seconds is not None:
        seconds.update(result.seconds)
    return result.collected


# The self-tests that grade or build whole kits run in processes of their own, beside
# the kernel tests (each QEMU run takes one core), so `make test` ends sooner.
SLOW_SELFTESTS = ("test_submissions.py", "test_labs.py", "test_bundle_in_container.py")


def selftest_env(root: str) -> dict[str, str]:
    """The self-tests' environment. They build many copies of the kit (handouts, grading
    copies) that differ in a few files: with ccache there (mk/toolchain.mk, COPS_CCACHE),
    each copy compiles only what differs from those before it."""
    env = dict(os.environ, PYTHONPATH=root)
    if shutil.which("ccache") and "COPS_CCACHE" not in env:
        env["COPS_CCACHE"] = os.path.join(root, "build", "ccache")  # as make test's own builds (Makefile)
        env.setdefault("CCACHE_MAXSIZE", "2G")
    lwip_cache = os.path.join(root, "third_party", "cache")  # lwIP's tarball, fetched once (mk/fetch-lwip.sh)
    if os.path.isdir(lwip_cache) and "COPS_LWIP_CACHE" not in env:
        env["COPS_LWIP_CACHE"] = lwip_cache
    return env


class SelftestsInBackground:
    """Runs the self-tests in other processes: one per slow file, one for the rest."""

    def __init__(self, root: str):
        self.tmp = tempfile.mkdtemp(prefix="cops-selftests-")
        rest = [f for f in selftest_files(root) if f not in SLOW_SELFTESTS]
        self.runs = []
        for i, files in enumerate([[f] for f in SLOW_SELFTESTS] + [rest]):
            out = os.path.join(self.tmp, f"{i}.json")
            argv = [sys.executable, "-m", "harness", "selftest", "--root", root, "--out", out, "--files", *files]
            log = open(os.path.join(self.tmp, f"{i}.log"), "w", encoding="utf-8")
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=root, env=selftest_env(root))
            self.runs.append((proc, out, log, files))
        self.started = time.monotonic()
        self.timings: list[str] = []  # what took the time, for the end of the run

    def results(self) -> list[TestResult]:
        """Waits for every run; their results (a run that crashed is one failed result)."""
        found: list[TestResult] = []
        seconds: dict[str, float] = {}
        ended: dict[int, float] = {}  # run -> when it was seen to end
        while len(ended) < len(self.runs):
            for i, (proc, _, _, _) in enumerate(self.runs):
                if i not in ended and proc.poll() is not None:
                    ended[i] = time.monotonic() - self.started
            time.sleep(0.5)
        for i, (proc, out, log, files) in enumerate(self.runs):
            code = proc.wait()
            log.close()
            label = files[0] if len(files) == 1 else f"the other {len(files)} files"
            self.timings.append(f"{label} ended {ended[i]:.0f} s after the start")
            try:
                with open(out + ".seconds", encoding="utf-8") as f:
                    seconds.update(json.load(f))
            except (OSError, ValueError):
                pass
            try:
                with open(out, encoding="utf-8") as f:
                    found += [TestResult.from_json(d) for d in json.load(f)]
            except (OSError, ValueError):
                with open(log.name, encoding="utf-8") as f:
                    tail = f.read().splitlines()[-12:]
                found.append(TestResult("harness", " ".join(files), Status.CRASH,
                                        f"the self-test process ended with status {code} and no results", tail))
        slowest = sorted(seconds.items(), key=lambda kv: -kv[1])[:8]
        self.timings.append("slowest: " + ", ".join(f"{name} {sec:.0f} s" for name, sec in slowest))
        shutil.rmtree(self.tmp, ignore_errors=True)
        return found


def cmd_selftest(args) -> int:
    seconds: dict[str, float] = {}
    results = run_harness_selftests(args.root, args.files, seconds)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump([r.to_json() for r in results], f)
    with open(args.out + ".seconds", "w", encoding="utf-8") as f:
        json.dump(seconds, f)
    return 0 if all(r.passed for r in results) else 1


def demo_results(root: str, ch: int) -> list[TestResult]:
    """Chapter @ch's demo booted as `make run` does: on one hart, and on the harts its
    tests use when that is more than one."""
    expect = chapters.demo_expectations(root, ch)
    if expect is None:
        return []
    kernel = os.path.join(root, "build", f"ch{ch}", "kernel.elf")
    expected = read_expectations(expect)
    found = []
    for smp in sorted({1, chapters.test_smp(root, ch)}):
        config = qemu.QemuConfig(smp=smp, icount=False, extra=chapters.devices(root, ch))
        found.append(run_demo(kernel, expected, f"ch{ch} demo", f"make-run-smp-{smp}", config,
                              rerun=f"make run CH={ch} SMP={smp}"))
    return found


def cmd_test(args) -> int:
    results: list[TestResult] = []

    clock = [time.monotonic()]

    def section(title: str, found: list[TestResult]) -> None:
        now = time.monotonic()
        print(f"\n== {title} [{now - clock[0]:.0f} s]", flush=True)
        clock[0] = now
        for r in found:
            print_result(r)
        sys.stdout.flush()
        results.extend(found)

    selftests = SelftestsInBackground(args.root)  # beside everything below; reported last
    if args.unit:
        section(f"host unit tests ({args.unit})", run_unit_tests(args.unit, f"ch{args.chapters[-1]} unit"))
    if args.lwip:
        section(f"lwIP's own unit tests ({args.lwip})", run_lwip_unit_tests(args.lwip))
    for ch in args.chapters:
        kernel = os.path.join(args.root, "build", f"ch{ch}", "test-kernel.elf")
        config = qemu.QemuConfig(smp=chapters.test_smp(args.root, ch), extra=chapters.devices(args.root, ch))
        # Every test runs in the newest kernel; an earlier chapter's kernel runs only its
        # own layer's tests (the lower layers' ran in their own kernels already).
        layer = chapters.folder(args.root, ch) if ch != args.chapters[-1] else None
        which = f"its layer's tests, {config.smp} hart(s)" if layer else f"every layer's tests, {config.smp} hart(s)"
        section(f"chapter {ch} kernel tests ({kernel}, {which})",
                run_kernel_tests(KernelRun(kernel=kernel, suite=f"ch{ch} kernel", config=config, layer=layer,
                                           serial_input=chapters.serial_input(args.root, ch))))
        section(f"chapter {ch} demo (build/ch{ch}/kernel.elf, as `make run` boots it)", demo_results(args.root, ch))
        if chapters.nic_count(args.root, ch) > 0 and layer is None:  # the newest chapter's kernel only
            section(f"chapter {ch} from the host (QEMU user networking, a forwarded port, a pcap)",
                    host_network_results(args.root, ch) + host_matrix_http_results(args.root, ch))
        if layer is None and os.path.exists(os.path.join(args.root, chapters.folder(args.root, ch), "bench",
                                                         "server_experiments.cpp")):
            section(f"chapter {ch} server experiments, short mode (build/ch{ch}/bench-kernel.elf, -icount)",
                    figures.short_run_results(args.root, ch))
    section("harness and grader self-tests (run beside the sections above)", selftests.results())
    print("self-test timings (wall clock, beside the runs above):")
    for line in selftests.timings:
        print(f"  {line}")
    print()
    print_summary(results)
    return 0 if all(r.passed for r in results) else 1


def cmd_ktest(args) -> int:
    stale = stale_sources(args.kernel)
    if stale:
        more = f" and {len(stale) - 1} more" if len(stale) > 1 else ""
        print(f"harness: {args.kernel} is older than {os.path.relpath(stale[0], args.root)}{more}, so it would "
              f"test the code as it was before the edit. Rebuild it first: {rebuild_command(args.kernel)}",
              file=sys.stderr)
        return 2
    smp, typed, extra = args.smp, None, []
    if args.chapter:
        smp = args.smp or chapters.test_smp(args.root, args.chapter)
        typed = chapters.serial_input(args.root, args.chapter)
        extra = chapters.devices(args.root, args.chapter)
    run = KernelRun(kernel=args.kernel, suite=args.suite, config=qemu.QemuConfig(smp=smp or 1, extra=extra),
                    only=args.only, budget_scale=args.budget_scale, serial_input=typed, extra_args=args.bootargs)
    results = run_kernel_tests(run)
    for r in results:
        print_result(r)
    print_summary(results)
    return 0 if all(r.passed for r in results) else 1


def cmd_stress(args) -> int:
    kernel = os.path.join(args.root, "build", f"ch{args.chapter}", "test-kernel.elf")
    names = [args.only] if args.only else stress.stress_tests(args.root, args.chapter)
    if not names:
        print(f"harness: chapters 1 to {args.chapter} name no STRESS_TESTS in their chapter.mk", file=sys.stderr)
        return 2
    if args.runs < 1:
        print(f"harness: --runs must be at least 1 (got {args.runs})", file=sys.stderr)
        return 2
    print(f"harness: {len(names)} tests, {args.runs} runs each, on {chapters.test_smp(args.root, args.chapter)} "
          "harts of multi-threaded QEMU (no -icount: every run interleaves differently)", flush=True)
    results = stress.run_stress(args.root, args.chapter, kernel, args.runs, names)
    for r in results:
        print_result(r)
    print_summary(results)
    return 0 if all(r.passed for r in results) else 1


def _positive(text: str) -> int:
    """An argparse type: a whole number from 1 (a clear error otherwise)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number from 1")
    return value


def cmd_bench(args) -> int:
    if args.scaling:
        return figures.run_scaling(args.root, args.chapter, args.figures or os.path.join("docs", "figures"))
    kernel = os.path.join(args.root, "build", f"ch{args.chapter}", "bench-kernel.elf")
    return run_bench(kernel, args.csv, smp=args.smp or chapters.test_smp(args.root, args.chapter),
                     devices=lambda: chapters.devices(args.root, args.chapter), bootargs=args.bootargs,
                     wall_timeout=args.timeout, figures=args.figures, runs=args.runs)


def cmd_figures(args) -> int:
    from harness.bench import read_rows
    runs = []
    for path in args.csv:
        try:
            runs.append(read_rows(path))
        except (OSError, KeyError, ValueError) as e:
            print(f"harness: cannot read bench figures from {path} ({e}); these are the CSV files `make bench` "
                  "writes (build/chN/bench.csv, bench-run2.csv, ...)")
            return 2
    return figures.write_all(runs, args.out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m harness", description="COPS kit test harness")
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("test", help="run host unit tests, harness self-tests and chapter kernel tests")
    t.add_argument("--root", default=os.getcwd())
    t.add_argument("--chapters", type=int, nargs="+", required=True)
    t.add_argument("--unit", help="Catch2 binary with the host unit tests")
    t.add_argument("--lwip", help="lwIP's own unit-test binary (mk/lwip-unit.mk)")
    t.set_defaults(func=cmd_test)

    st = sub.add_parser("selftest", help="run the harness's and the grader's own tests; results as JSON")
    st.add_argument("--root", default=os.getcwd())
    st.add_argument("--out", required=True, help="file for the results (JSON)")
    st.add_argument("--files", nargs="*", help="only these test files (names, e.g. test_labs.py)")
    st.set_defaults(func=cmd_selftest)

    k = sub.add_parser("ktest", help="run one test kernel")
    k.add_argument("kernel")
    k.add_argument("--suite", default="kernel")
    k.add_argument("--only", help="run only the test with this name")
    k.add_argument("--smp", type=int, default=0, help="harts (default: the chapter's TEST_SMP, else 1)")
    k.add_argument("--chapter", type=int, help="boot as chapter N's tests do (harts, serial input)")
    k.add_argument("--root", default=os.getcwd())
    k.add_argument("--budget-scale", type=int, default=1)
    k.add_argument("--bootargs", default="", help="more kernel command-line words (e.g. fuzz.calls=200000)")
    k.set_defaults(func=cmd_ktest)

    st = sub.add_parser("stress", help="run a chapter's STRESS_TESTS again and again on real parallel harts")
    st.add_argument("--root", default=os.getcwd())
    st.add_argument("--chapter", type=int, required=True)
    st.add_argument("--runs", type=int, default=5)
    st.add_argument("--only", help="stress only this test (any kernel test of the chapter)")
    st.set_defaults(func=cmd_stress)

    b = sub.add_parser("bench", help="run a chapter's bench kernel under -icount and print its figures")
    b.add_argument("--root", default=os.getcwd())
    b.add_argument("--chapter", type=int, required=True)
    b.add_argument("--csv", required=True)
    b.add_argument("--smp", type=int, default=0)
    b.add_argument("--bootargs", default="", help="kernel command-line words (e.g. bench.only=net/costs)")
    b.add_argument("--timeout", type=float, default=600.0, help="wall seconds without output before giving up")
    b.add_argument("--figures", help="folder for the server experiments' CSV files and figures (chapter 6)")
    b.add_argument("--runs", type=_positive, default=1,
                   help="chapter 6: boot the server experiments this many times (seeds 1..N); median and range")
    b.add_argument("--scaling", action="store_true",
                   help="chapter 6: the hart-scaling runs on plain QEMU (wall clock), 3 per hart count")
    b.set_defaults(func=cmd_bench)

    f = sub.add_parser("figures", help="chapter 6: the experiments' tables and figures again, from bench CSV files")
    f.add_argument("csv", nargs="+", help="one CSV file per run (build/ch6/bench.csv, bench-run2.csv, ...)")
    f.add_argument("--out", required=True, help="folder for the tables and figures (e.g. docs/figures)")
    f.set_defaults(func=cmd_figures)

    args = parser.parse_args(argv)
    return args.func(args)
