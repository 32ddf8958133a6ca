"""The server experiments' figures (chapter 6): bench lines to CSV files and plots.

The guest's load client prints its figures as bench lines labelled
`exp1-MODEL-CONNS` (models against connections), `exp2-workK` (priorities with a
server CPU K times slower) and `exp3-workK` (the latency distribution). This module
groups them into three CSV files and draws them with gnuplot (PNG and SVG), in the
layout of the COPS paper's figures 5-7:

    exp1_models.csv       model, connections, runs, responses, throughput_per_s (and its
                          lowest and highest), mean_us (and its lowest and highest), sd_us
    exp2_priorities.csv   work, priority, runs, responses (and lowest, highest), mean_us, sd_us
    exp3_latency.csv      work, priority, bucket_le_us, runs, responses
    exp4_memory.csv       model, connections, the bytes of each part, total, per connection

An experiment can be booted several times (`make bench CH=6 RUNS=K`: the client's seeds
1 to K). Each figure is then the median of the runs, with the lowest and highest beside
it; the memory table comes from the first run. check_shape() is the loose check
`make test` runs on the short mode's figures.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess

# Upper bounds of the client's histogram buckets in µs (matrix_client.cpp's kBuckets;
# the last is open).
BUCKETS_US = [500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, None]
MODELS = ["kcuc", "ktuc", "kcut", "ktut", "ktut-sleep"]

_EXP1 = re.compile(r"^exp1-(.+)-(\d+)$")
_MEM = re.compile(r"^mem-(.+)-(\d+)$")
MEMORY_PARTS = ["user_heap", "user_stacks", "kernel_calls", "kernel_threads", "kernel_waits"]
_WORK = re.compile(r"^exp([23])-work(\d+)$")


def _runs(rows) -> dict[str, dict[str, float]]:
    """Label -> metric -> value, for the experiment labels only."""
    runs: dict[str, dict[str, float]] = {}
    for bench, metric, value, _unit in rows:
        if bench.startswith("exp"):
            runs.setdefault(bench, {})[metric] = value
    return runs


def tables(rows) -> tuple[list[dict], list[dict], list[dict]]:
    """The three tables (lists of dicts) from bench rows."""
    exp1, exp2, exp3 = [], [], []
    for label, m in _runs(rows).items():
        if (g := _EXP1.match(label)) is not None:
            seconds = m.get("duration", 0) / 1000.0
            exp1.append({"model": g.group(1), "connections": int(g.group(2)), "responses": int(m.get("responses", 0)),
                         "throughput_per_s": round(m.get("responses", 0) / seconds, 2) if seconds else 0.0,
                         "mean_us": int(m.get("mean", 0)), "sd_us": int(m.get("sd", 0)),
                         "failures": int(m.get("failures", 0))})
        elif (g := _WORK.match(label)) is not None:
            work = int(g.group(2))
            for p in range(int(m.get("levels", 0))):
                if g.group(1) == "2":
                    exp2.append({"work": work, "priority": p, "responses": int(m.get(f"p{p}_responses", 0)),
                                 "mean_us": int(m.get(f"p{p}_mean", 0)), "sd_us": int(m.get(f"p{p}_sd", 0))})
                else:
                    for b, bound in enumerate(BUCKETS_US):
                        exp3.append({"work": work, "priority": p, "bucket_le_us": bound if bound else "more",
                                     "responses": int(m.get(f"p{p}_hist{b}", 0))})
    exp1.sort(key=lambda r: (MODELS.index(r["model"]) if r["model"] in MODELS else 99, r["connections"]))
    exp2.sort(key=lambda r: (r["work"], r["priority"]))
    return exp1, exp2, exp3


def median(values: list[float]) -> float:
    """The median of @values (an even count: the mean of the middle two)."""
    v = sorted(values)
    mid = len(v) // 2
    return float(v[mid]) if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def _spread(rows: list[dict], key: str) -> tuple[float, float, float]:
    values = [r[key] for r in rows]
    return median(values), min(values), max(values)


def combined_tables(runs: list[list]) -> tuple[list[dict], list[dict], list[dict]]:
    """The three tables over several runs of the experiments (@runs: the bench rows of
    each boot): per point the number of runs, the median and the lowest and highest of
    each figure; failures are summed."""
    per_run = [tables(rows) for rows in runs]

    def grouped(index: int, key) -> dict:
        groups: dict = {}
        for t in per_run:
            for r in t[index]:
                groups.setdefault(key(r), []).append(r)
        return groups

    exp1 = []
    for rows in grouped(0, lambda r: (r["model"], r["connections"])).values():
        tput, tput_lo, tput_hi = _spread(rows, "throughput_per_s")
        mean, mean_lo, mean_hi = _spread(rows, "mean_us")
        exp1.append({"model": rows[0]["model"], "connections": rows[0]["connections"], "runs": len(rows),
                     "responses": median([r["responses"] for r in rows]), "throughput_per_s": round(tput, 2),
                     "throughput_min_per_s": tput_lo, "throughput_max_per_s": tput_hi, "mean_us": round(mean),
                     "mean_min_us": mean_lo, "mean_max_us": mean_hi,
                     "sd_us": round(median([r["sd_us"] for r in rows])),
                     "failures": sum(r["failures"] for r in rows)})
    exp2 = []
    for rows in grouped(1, lambda r: (r["work"], r["priority"])).values():
        responses, lo, hi = _spread(rows, "responses")
        exp2.append({"work": rows[0]["work"], "priority": rows[0]["priority"], "runs": len(rows),
                     "responses": responses, "responses_min": lo, "responses_max": hi,
                     "mean_us": round(median([r["mean_us"] for r in rows])),
                     "sd_us": round(median([r["sd_us"] for r in rows]))})
    exp3 = []
    for rows in grouped(2, lambda r: (r["work"], r["priority"], r["bucket_le_us"])).values():
        exp3.append({"work": rows[0]["work"], "priority": rows[0]["priority"],
                     "bucket_le_us": rows[0]["bucket_le_us"], "runs": len(rows),
                     "responses": median([r["responses"] for r in rows])})
    exp1.sort(key=lambda r: (MODELS.index(r["model"]) if r["model"] in MODELS else 99, r["connections"]))
    exp2.sort(key=lambda r: (r["work"], r["priority"]))
    return exp1, exp2, exp3


def headline_ratios(runs: list[list], connections: int = 64) -> list[float]:
    """KCUC's throughput over KTUT's at @connections, in each run that has both."""
    ratios = []
    for rows in runs:
        at = {r["model"]: r for r in tables(rows)[0] if r["connections"] == connections}
        if "kcuc" in at and "ktut" in at and at["ktut"]["responses"] > 0:
            ratios.append(at["kcuc"]["responses"] / at["ktut"]["responses"])
    return ratios


def memory_table(rows) -> list[dict]:
    """The memory table: per model, the sums over its server processes (labels
    `mem-MODEL-PORT`), the bytes per connection, and lwIP's own per-connection state."""
    sums: dict[str, dict[str, float]] = {}
    sizes = {}
    for bench, metric, value, _unit in rows:
        if (g := _MEM.match(bench)) is not None:
            model = sums.setdefault(g.group(1), {})
            model[metric] = model.get(metric, 0) + value
        elif bench == "server/experiments":
            sizes[metric] = value
    table = []
    for name in sorted(sums, key=lambda m: MODELS.index(m) if m in MODELS else 99):
        m = sums[name]
        n = int(m.get("connections", 0))
        total = int(sum(m.get(part, 0) for part in MEMORY_PARTS))
        row = {"model": name, "connections": n}
        row.update({part: int(m.get(part, 0)) for part in MEMORY_PARTS})
        row["total"] = total
        row["per_connection"] = total // n if n else 0
        row["lwip_per_connection"] = int(sizes.get("lwip_tcp_pcb", 0) + sizes.get("kernel_socket", 0))
        # Of the user heap: the coroutines' frames and control blocks (the rest is buffers).
        row["user_coroutines"] = int(m.get("user_coroutines", 0))
        row["user_coroutines_per_connection"] = int(m.get("user_coroutines", 0)) // n if n else 0
        table.append(row)
    return table


def _write_csv(path: str, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        if rows:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)


def check_shape(exp1: list[dict], exp2: list[dict]) -> list[str]:
    """Loose checks of the figures' shape; the problems found (empty: fine)."""
    problems = []
    if not exp1 or not exp2:
        return ["no experiment figures at all (did the bench kernel run server/experiments?)"]
    for r in exp1:
        if r["failures"] or r["responses"] == 0:
            problems.append(f"exp1 {r['model']} with {r['connections']} connections: "
                            f"{r['responses']} responses, {r['failures']} failures")
    most = max(r["connections"] for r in exp1)
    at_most = {r["model"]: r for r in exp1 if r["connections"] == most}
    if "kcuc" in at_most and "ktut" in at_most and at_most["kcuc"]["responses"] <= at_most["ktut"]["responses"]:
        problems.append(f"exp1: at {most} connections KCUC served {at_most['kcuc']['responses']} responses, "
                        f"not more than KTUT's {at_most['ktut']['responses']}")
    heaviest = max(r["work"] for r in exp2)
    by_p = {r["priority"]: r["responses"] for r in exp2 if r["work"] == heaviest}
    if by_p and by_p.get(0, 0) <= by_p.get(max(by_p), 0):
        problems.append(f"exp2: under overload (work={heaviest}) priority 0 got {by_p.get(0, 0)} responses, "
                        f"not more than priority {max(by_p)}'s {by_p.get(max(by_p), 0)}")
    return problems


def _plot(folder: str, name: str, body: str) -> None:
    """Draws @body (gnuplot commands after the terminal) as NAME.png and NAME.svg."""
    for ext, term in (("png", "png size 900,540"), ("svg", "svg size 900,540")):
        script = f"set terminal {term}\nset output '{os.path.join(folder, name + '.' + ext)}'\n" \
                 f"set datafile separator ','\nset grid\nset key outside right top\n{body}\n"
        subprocess.run(["gnuplot"], input=script.encode(), check=True, capture_output=True)


def draw(folder: str, exp1: list[dict], exp2: list[dict], exp3: list[dict]) -> list[str]:
    """Draws the figures into @folder; returns the files written."""
    written = []
    if exp1:
        models = [m for m in MODELS if any(r["model"] == m for r in exp1)]
        for metric, title, ylabel, extra in (
                ("throughput_per_s", "Models: throughput (15x15, period 100 ms)", "responses per virtual second", ""),
                ("mean_us", "Models: mean latency (15x15, period 100 ms)", "mean latency (virtual us)",
                 "set logscale y\n")):
            # exp1_models.csv's columns: the median, then its lowest and highest.
            cols = {"throughput_per_s": "5:6:7", "mean_us": "8:9:10"}[metric]
            plots = ", ".join(
                f"'< grep ^{m}, {os.path.join(folder, 'exp1_models.csv')}' using 2:{cols} with yerrorlines "
                f"title '{m.upper()}'" for m in models)
            name = "fig5_models_" + ("throughput" if metric.startswith("thr") else "latency")
            # Offsets: the first and last points' bars stay off the border.
            _plot(folder, name, f"set title '{title} (median, lowest to highest)'\nset xlabel 'connections'\n"
                                f"set ylabel '{ylabel}'\nset logscale x 2\nset offsets graph 0.04, graph 0.04, 0, 0\n"
                                f"{extra}plot {plots}")
            written += [name + ".png", name + ".svg"]
    if exp2:
        works = sorted({r["work"] for r in exp2})
        path = os.path.join(folder, "exp2_priorities.csv")
        plots = ", ".join(f"'< grep ^{w}, {path}' using 2:4:5:6 with yerrorlines title 'work={w}'" for w in works)
        _plot(folder, "fig6_priorities", "set title 'Priorities: 64 connections in 8 levels, period 50 ms'\n"
                                         "set xlabel 'priority (0 most urgent)'\n"
                                         "set ylabel 'responses (median, lowest to highest)'\n"
                                         f"set xtics 1\nset offsets 0.3, 0.3, 0, 0\nplot {plots}")
        written += ["fig6_priorities.png", "fig6_priorities.svg"]
    if exp3:
        path = os.path.join(folder, "exp3_latency.csv")
        levels = sorted({r["priority"] for r in exp3})
        work = exp3[0]["work"]
        plots = ", ".join(f"'< grep ^{work},{p}, {path}' using 0:5:xtic(3) with linespoints title 'priority {p}'"
                          for p in levels)
        _plot(folder, "fig7_latency_distribution",
              "set title 'Latency distribution: 64 connections in 4 levels, overloaded'\n"
              "set xlabel 'latency at most (virtual us)'\nset ylabel 'responses'\n"
              f"set xtics rotate by -30\nplot {plots}")
        written += ["fig7_latency_distribution.png", "fig7_latency_distribution.svg"]
    return written


def write_all(runs: list[list], folder: str, check: bool = False) -> int:
    """Writes the CSV files and (with gnuplot) the figures of one or more runs (@runs:
    the bench rows of each boot); with @check, also checks the shape. Returns an exit
    status."""
    exp1, exp2, exp3 = combined_tables(runs)
    memory = memory_table(runs[0])
    os.makedirs(folder, exist_ok=True)
    _write_csv(os.path.join(folder, "exp1_models.csv"), exp1)
    _write_csv(os.path.join(folder, "exp2_priorities.csv"), exp2)
    _write_csv(os.path.join(folder, "exp3_latency.csv"), exp3)
    _write_csv(os.path.join(folder, "exp4_memory.csv"), memory)
    print(f"bench: experiment tables in {folder}, {len(runs)} run(s) a point: exp1_models.csv ({len(exp1)} points), "
          f"exp2_priorities.csv ({len(exp2)} rows), exp3_latency.csv ({len(exp3)} rows), "
          f"exp4_memory.csv ({len(memory)} models)")
    for r in memory:
        print(f"bench: memory at {r['connections']} connections, {r['model']}: {r['total']} bytes "
              f"({r['per_connection']} per connection; lwIP and the socket {r['lwip_per_connection']} more)")
    ratios = headline_ratios(runs)
    if ratios:
        each = ", ".join(f"{r:.2f}" for r in ratios)
        print(f"bench: KCUC / KTUT at 64 connections: median {median(ratios):.2f}x "
              f"(from {min(ratios):.2f} to {max(ratios):.2f}; each run: {each})")
    status = 0
    if shutil.which("gnuplot") is None:
        print("bench: gnuplot not found, so no figures were drawn (install it: apt-get install gnuplot-nox)")
        status = 1
    else:
        try:
            print(f"bench: figures drawn: {', '.join(draw(folder, exp1, exp2, exp3))}")
        except subprocess.CalledProcessError as e:
            print(f"bench: gnuplot failed: {e.stderr.decode(errors='replace').strip()}")
            status = 1
    if check:
        for problem in check_shape(exp1, exp2):
            print(f"bench: shape: {problem}")
            status = 1
    return status


SHORT_BOOTARGS = "bench.only=server/experiments server.mode=1"


def short_run_results(root: str, ch: int) -> list["TestResult"]:
    """The experiments' short mode in chapter @ch's bench kernel: tables and figures
    into build/chN/figures-short, and their shape checked loosely (one result each)."""
    from harness import chapters, qemu
    from harness.bench import parse_bench
    from harness.results import Status, TestResult
    suite = f"ch{ch} server experiments"
    names = ["short-run-finishes", "tables-and-figures-are-written", "shape-kcuc-beats-ktut-and-priority-0-beats-7"]
    kernel = os.path.join(root, "build", f"ch{ch}", "bench-kernel.elf")
    if not os.path.exists(kernel):
        return [TestResult(suite, n, Status.NOT_RUN, f"{kernel} was not built") for n in names]
    config = qemu.QemuConfig(smp=chapters.test_smp(root, ch), icount_sleep=False, extra=chapters.devices(root, ch))
    run = qemu.run(config.argv(kernel, SHORT_BOOTARGS), 300, idle=True)
    tail = run.lines[-15:]
    rerun = f"make bench CH={ch} SHORT=1"
    if run.stopped != "exited" or run.exit_code != 0 or "# bench done" not in run.output:
        why = f"the bench kernel did not finish ({run.stopped}, status {run.exit_code}); rerun: {rerun}"
        return [TestResult(suite, n, Status.FAIL, why, tail) for n in names]
    results = [TestResult(suite, names[0], Status.PASS)]
    rows = parse_bench(run.lines)
    exp1, exp2, exp3 = combined_tables([rows])
    folder = os.path.join(root, "build", f"ch{ch}", "figures-short")
    os.makedirs(folder, exist_ok=True)
    for name, table in (("exp1_models.csv", exp1), ("exp2_priorities.csv", exp2), ("exp3_latency.csv", exp3),
                        ("exp4_memory.csv", memory_table(rows))):
        _write_csv(os.path.join(folder, name), table)
    try:
        drawn = draw(folder, exp1, exp2, exp3)
        ok = len(drawn) == 8 and all(os.path.getsize(os.path.join(folder, f)) > 0 for f in drawn)
        results.append(TestResult(suite, names[1], Status.PASS if ok else Status.FAIL,
                                  "" if ok else f"only {drawn} were drawn in {folder}"))
    except (OSError, subprocess.CalledProcessError) as e:
        results.append(TestResult(suite, names[1], Status.FAIL,
                                  f"gnuplot could not draw the figures ({e}); is gnuplot-nox installed? (make tools)"))
    problems = check_shape(exp1, exp2)
    results.append(TestResult(suite, names[2], Status.FAIL if problems else Status.PASS,
                              "; ".join(problems) + (f" (tables in {folder}; rerun: {rerun})" if problems else ""),
                              tail if problems else []))
    return results


SCALING_BOOTARGS = "bench.only=server/experiments server.mode=3"


def scaling_table(runs: dict[int, list[list]]) -> list[dict]:
    """Per model and hart count: the median, lowest and highest responses per second
    over the runs (@runs: harts -> the bench rows of each run)."""
    table = []
    for harts in sorted(runs):
        per_model: dict[str, list[float]] = {}
        for rows in runs[harts]:
            metrics: dict[str, dict[str, float]] = {}
            for bench, metric, value, _unit in rows:
                if bench.startswith("scale-"):
                    metrics.setdefault(bench[len("scale-"):], {})[metric] = value
            for model, m in metrics.items():
                seconds = m.get("duration", 0) / 1000.0
                per_model.setdefault(model, []).append(m.get("responses", 0) / seconds if seconds else 0.0)
        for model, values in sorted(per_model.items(), key=lambda kv: MODELS.index(kv[0]) if kv[0] in MODELS else 9):
            values.sort()
            median = values[len(values) // 2] if len(values) % 2 else (values[len(values) // 2 - 1] +
                                                                      values[len(values) // 2]) / 2
            table.append({"model": model, "harts": harts, "runs": len(values), "median_per_s": round(median, 1),
                          "min_per_s": round(values[0], 1), "max_per_s": round(values[-1], 1)})
    return table


def run_scaling(root: str, ch: int, folder: str, harts=(1, 2, 4), repeats: int = 3) -> int:
    """Boots the bench kernel's scaling point on plain QEMU (no -icount: harts run in
    parallel, timed by the wall clock) @repeats times per hart count; writes
    exp5_scaling.csv and fig8_scaling.{png,svg} into @folder."""
    from harness import chapters, qemu
    from harness.bench import parse_bench
    kernel = os.path.join(root, "build", f"ch{ch}", "bench-kernel.elf")
    if not os.path.exists(kernel):
        print(f"bench: {kernel} was not built (run `make bench CH={ch}`)")
        return 1
    runs: dict[int, list[list]] = {}
    for n in harts:
        for i in range(repeats):
            config = qemu.QemuConfig(smp=n, icount=False, extra=chapters.devices(root, ch))
            run = qemu.run(config.argv(kernel, SCALING_BOOTARGS), 600, idle=True)
            if run.stopped != "exited" or "# bench done" not in run.output:
                print("\n".join(run.lines[-15:]))
                print(f"bench: the scaling run with {n} hart(s) did not finish ({run.stopped})")
                return 1
            runs.setdefault(n, []).append(parse_bench(run.lines))
            print(f"bench: scaling, {n} hart(s), run {i + 1} of {repeats} done", flush=True)
    table = scaling_table(runs)
    os.makedirs(folder, exist_ok=True)
    _write_csv(os.path.join(folder, "exp5_scaling.csv"), table)
    for r in table:
        print(f"bench: scaling {r['model']} on {r['harts']} hart(s): median {r['median_per_s']} responses/s "
              f"(from {r['min_per_s']} to {r['max_per_s']}, {r['runs']} runs)")
    if shutil.which("gnuplot") is None:
        print("bench: gnuplot not found, so no figure was drawn (install it: apt-get install gnuplot-nox)")
        return 1
    path = os.path.join(folder, "exp5_scaling.csv")
    models = sorted({r["model"] for r in table}, key=lambda m: MODELS.index(m) if m in MODELS else 9)
    plots = ", ".join(f"'< grep ^{m}, {path}' using 2:4:5:6 with yerrorlines title '{m.upper()}'" for m in models)
    _plot(folder, "fig8_scaling", "set title 'Hart scaling: 64 connections, work=16, period 20 ms (wall clock)'\n"
                                  "set xlabel 'harts'\nset ylabel 'responses per second (median, lowest to highest)'\n"
                                  f"set xtics (1, 2, 4)\nset xrange [0.5:4.5]\nplot {plots}")
    print(f"bench: figure drawn: fig8_scaling.png, fig8_scaling.svg in {folder}")
    return 0
