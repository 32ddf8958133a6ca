"""Running a bench kernel under `-icount shift=0` and tabulating its figures.

The kernel prints `# bench <bench> <metric> <value> <unit>` lines; all figures of
one run come from the same boot, so ratios between them are exact.
"""
from __future__ import annotations

import concurrent.futures
import csv
import os
import re
import time
from typing import Callable

from harness import qemu

_LINE = re.compile(r"^# bench (\S+) (\S+) ([0-9.]+) (\S+)\s*$")


def parse_bench(lines: list[str]) -> list[tuple[str, str, float, str]]:
    """(bench, metric, value, unit) for every figure line."""
    return [(m.group(1), m.group(2), float(m.group(3)), m.group(4)) for line in lines if (m := _LINE.match(line))]


def run_csv_path(csv_path: str, seed: int) -> str:
    """Where run @seed's figures go: @csv_path itself for the first, NAME-runK.csv beside it for the others."""
    stem, ext = os.path.splitext(csv_path)
    return csv_path if seed == 1 else f"{stem}-run{seed}{ext}"


def write_rows(path: str, rows: list[tuple[str, str, float, str]]) -> None:
    """Writes bench rows as a CSV file (benchmark, metric, value, unit)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["benchmark", "metric", "value", "unit"])
        w.writerows(rows)


def read_rows(path: str) -> list[tuple[str, str, float, str]]:
    """The bench rows of a CSV file write_rows wrote."""
    with open(path, newline="", encoding="utf-8") as f:
        return [(r["benchmark"], r["metric"], float(r["value"]), r["unit"]) for r in csv.DictReader(f)]


def _experiment_bootargs(bootargs: str, seed: int) -> str:
    """@bootargs for a further run of the server experiments only, with the client's seed @seed."""
    words = [w for w in bootargs.split() if not w.startswith(("bench.only=", "server.seed="))]
    return " ".join(words + ["bench.only=server/experiments", f"server.seed={seed}"])


def run_bench(kernel: str, csv_path: str, smp: int = 1, wall_timeout: float = 600.0,
              devices: Callable[[], list[str]] | None = None, bootargs: str = "", figures: str | None = None,
              runs: int = 1) -> int:
    """Boots the bench kernel (with the QEMU devices @devices() gives, called once a boot:
    the chapter's NICs and a disk image of its own; kernel command line @bootargs),
    prints a table, writes @csv_path. With @figures, the
    server experiments' figures among them become CSV files and plots there
    (harness/figures.py); with @runs above 1, the experiments are booted that many times
    in all (the client's seeds 1 to @runs, two boots at a time), and each figure is
    their median and range. Returns an exit status."""
    if not os.path.exists(kernel):
        print(f"bench: {kernel} was not built (run `make bench`)")
        return 1
    only = next((w.split("=", 1)[1] for w in bootargs.split() if w.startswith("bench.only=")), None)
    if runs > 1 and (figures is None or only not in (None, "server/experiments")):
        print(f"bench: RUNS={runs} repeats the server experiments only, and this run has none "
              f"({'bench.only=' + only if only else 'no figures folder'}): one run")
        runs = 1
    # sleep=off: time spent idle jumps to the next timer instead of following the wall
    # clock, so multi-hart figures repeat from run to run (benchmarks read no input).
    started = time.monotonic()

    def boot(seed: int):
        words = bootargs if seed == 1 else _experiment_bootargs(bootargs, seed)
        extra = devices() if devices is not None else []
        outcome = qemu.run(qemu.QemuConfig(smp=smp, icount_sleep=False, extra=extra).argv(kernel, words),
                           wall_timeout, idle=True, total_cap=6 * 3600.0)
        if runs > 1:
            print(f"bench: run {seed} of {runs} (seed {seed}) ended after {time.monotonic() - started:.0f} s",
                  flush=True)
        return outcome

    workers = max(1, min(runs, 2, os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(boot, range(1, runs + 1)))
    for seed, outcome in enumerate(outcomes, start=1):
        if outcome.stopped != "exited" or outcome.exit_code != 0 or "# bench done" not in outcome.output:
            print("\n".join(outcome.lines[-20:]))
            print(f"bench: the bench kernel did not finish cleanly ({outcome.stopped}, status {outcome.exit_code})"
                  + (f" in run {seed} (kernel command line: {_experiment_bootargs(bootargs, seed)})"
                     if seed > 1 else ""))
            return 1
    rows = parse_bench(outcomes[0].lines)
    width = max((len(f"{b} {m}") for b, m, _, _ in rows), default=10)
    print(f"Benchmarks ({os.path.basename(kernel)}, qemu -icount shift=0: 1 instruction = 1 ns virtual time)")
    print(f"  {'benchmark / metric':<{width}}  {'value':>12}  unit")
    for b, m, v, u in rows:
        print(f"  {b + ' ' + m:<{width}}  {v:>12.2f}  {u}")
    paths = [run_csv_path(csv_path, seed) for seed in range(1, runs + 1)]
    for path, outcome in zip(paths, outcomes):
        write_rows(path, parse_bench(outcome.lines))
    print(f"bench: {len(rows)} figures written to {csv_path} ({time.monotonic() - started:.0f} s)"
          + (f"; the other runs' in {', '.join(paths[1:])} (python3 -m harness figures redraws from them)"
             if runs > 1 else ""))
    if figures is not None:
        from harness import figures as figs
        return figs.write_all([parse_bench(o.lines) for o in outcomes], figures)
    return 0
