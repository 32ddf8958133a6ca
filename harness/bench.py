"""Running a bench kernel under `-icount shift=0` and tabulating its figures.

The kernel prints `# bench <bench> <metric> <value> <unit>` lines; all figures of
one run come from the same boot, so ratios between them are exact.
"""
from __future__ import annotations

import csv
import os
import re
import time

from harness import qemu

_LINE = re.compile(r"^# bench (\S+) (\S+) ([0-9.]+) (\S+)\s*$")


def parse_bench(lines: list[str]) -> list[tuple[str, str, float, str]]:
    """(bench, metric, value, unit) for every figure line."""
    return [(m.group(1), m.group(2), float(m.group(3)), m.group(4)) for line in lines if (m := _LINE.match(line))]


def run_bench(kernel: str, csv_path: str, smp: int = 1, wall_timeout: float = 600.0,
              extra: list[str] | None = None, bootargs: str = "", figures: str | None = None) -> int:
    """Boots the bench kernel (with the QEMU devices @extra: the chapter's disk and NICs;
    kernel command line @bootargs), prints a table, writes @csv_path. With @figures, the
    server experiments' figures among them become CSV files and plots there
    (harness/figures.py). Returns an exit status."""
    if not os.path.exists(kernel):
        print(f"bench: {kernel} was not built (run `make bench`)")
        return 1
    # sleep=off: time spent idle jumps to the next timer instead of following the wall
    # clock, so multi-hart figures repeat from run to run (benchmarks read no input).
    started = time.monotonic()
    outcome = qemu.run(qemu.QemuConfig(smp=smp, icount_sleep=False, extra=extra or []).argv(kernel, bootargs),
                       wall_timeout, idle=True, total_cap=6 * 3600.0)
    rows = parse_bench(outcome.lines)
    if outcome.stopped != "exited" or outcome.exit_code != 0 or "# bench done" not in outcome.output:
        print("\n".join(outcome.lines[-20:]))
        print(f"bench: the bench kernel did not finish cleanly ({outcome.stopped}, status {outcome.exit_code})")
        return 1
    width = max((len(f"{b} {m}") for b, m, _, _ in rows), default=10)
    print(f"Benchmarks ({os.path.basename(kernel)}, qemu -icount shift=0: 1 instruction = 1 ns virtual time)")
    print(f"  {'benchmark / metric':<{width}}  {'value':>12}  unit")
    for b, m, v, u in rows:
        print(f"  {b + ' ' + m:<{width}}  {v:>12.2f}  {u}")
    os.makedirs(os.path.dirname(os.path.abspath(csv_path)), exist_ok=True)
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["benchmark", "metric", "value", "unit"])
        w.writerows(rows)
    print(f"bench: {len(rows)} figures written to {csv_path} ({time.monotonic() - started:.0f} s)")
    if figures is not None:
        from harness import figures as figs
        return figs.write_all(rows, figures)
    return 0
