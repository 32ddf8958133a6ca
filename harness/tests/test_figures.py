"""The server experiments' tables and shape check (harness/figures.py), on bench lines
made here: what the guest's client prints becomes the right rows, and a figure of
the wrong shape is reported."""
import os
import shutil
import tempfile
import unittest

from harness import figures


def _run(label: str, responses: int, per_priority: list[int], duration_ms: int = 500, failures: int = 0):
    """The bench rows one labelled client run prints."""
    rows = [(label, "connections", 64.0, "count"), (label, "failures", float(failures), "count"),
            (label, "duration", float(duration_ms), "ms"), (label, "levels", float(len(per_priority)), "count"),
            (label, "responses", float(responses), "count"), (label, "mean", 1234.0, "us"),
            (label, "sd", 56.0, "us")]
    for p, n in enumerate(per_priority):
        rows += [(label, f"p{p}_responses", float(n), "count"), (label, f"p{p}_mean", 100.0 * (p + 1), "us"),
                 (label, f"p{p}_sd", 7.0, "us")]
        rows += [(label, f"p{p}_hist{b}", float(b == p), "count") for b in range(len(figures.BUCKETS_US))]
    return rows


class FiguresTest(unittest.TestCase):
    def rows(self, kcuc=300, ktut=100, p0=80, p7=8):
        return (_run("exp1-kcuc-64", kcuc, [kcuc // 8] * 8) + _run("exp1-ktut-64", ktut, [ktut // 8] * 8) +
                _run("exp1-kcuc-1", 6, [6] + [0] * 7) + _run("exp2-work32", 200, [p0, 40, 30, 20, 10, 9, 9, p7]) +
                _run("exp3-work16", 100, [40, 30, 20, 10]) + [("net/costs", "rtt", 5.0, "insn")])

    def test_tables_hold_every_run_and_throughput_is_per_second(self):
        exp1, exp2, exp3 = figures.tables(self.rows())
        self.assertEqual([(r["model"], r["connections"]) for r in exp1], [("kcuc", 1), ("kcuc", 64), ("ktut", 64)])
        self.assertEqual(exp1[1]["throughput_per_s"], 600.0)  # 300 responses in 500 ms
        self.assertEqual([r["responses"] for r in exp2], [80, 40, 30, 20, 10, 9, 9, 8])
        self.assertEqual(len(exp3), 4 * len(figures.BUCKETS_US))
        self.assertEqual([r["responses"] for r in exp3 if r["priority"] == 2][2], 1)  # its bucket 2

    def test_several_runs_give_each_point_its_median_and_range(self):
        runs = [self.rows(kcuc=300, ktut=100, p0=80), self.rows(kcuc=500, ktut=100, p0=60),
                self.rows(kcuc=400, ktut=200, p0=90)]
        exp1, exp2, exp3 = figures.combined_tables(runs)
        at = {(r["model"], r["connections"]): r for r in exp1}
        kcuc = at[("kcuc", 64)]
        self.assertEqual(kcuc["runs"], 3)
        self.assertEqual((kcuc["throughput_per_s"], kcuc["throughput_min_per_s"], kcuc["throughput_max_per_s"]),
                         (800.0, 600.0, 1000.0))  # 400, 300 and 500 responses in 500 ms
        self.assertEqual(at[("ktut", 64)]["responses"], 100)
        p0 = [r for r in exp2 if r["priority"] == 0][0]
        self.assertEqual((p0["responses"], p0["responses_min"], p0["responses_max"]), (80, 60, 90))
        self.assertEqual(len(exp3), 4 * len(figures.BUCKETS_US))
        self.assertEqual({r["runs"] for r in exp3}, {3})
        self.assertEqual(figures.check_shape(exp1, exp2), [])
        self.assertEqual([round(r, 2) for r in figures.headline_ratios(runs)], [3.0, 5.0, 2.0])

    def test_a_failure_in_any_run_is_kept(self):
        bad = _run("exp1-kcuc-64", 300, [300 // 8] * 8, failures=1) + _run("exp2-work32", 200, [80] + [10] * 7)
        exp1, exp2, _ = figures.combined_tables([self.rows(), bad])
        self.assertEqual([r["failures"] for r in exp1 if r["model"] == "kcuc" and r["connections"] == 64], [1])
        self.assertTrue(any("failures" in p for p in figures.check_shape(exp1, exp2)))

    def test_each_runs_csv_reads_back_as_the_rows_written(self):
        from harness import bench
        folder = tempfile.mkdtemp(prefix="cops-runs-")
        try:
            first = os.path.join(folder, "bench.csv")
            self.assertEqual(bench.run_csv_path(first, 1), first)
            self.assertEqual(bench.run_csv_path(first, 3), os.path.join(folder, "bench-run3.csv"))
            rows = self.rows()
            bench.write_rows(bench.run_csv_path(first, 2), rows)
            self.assertEqual(bench.read_rows(bench.run_csv_path(first, 2)), rows)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def test_the_right_shape_passes(self):
        exp1, exp2, _ = figures.tables(self.rows())
        self.assertEqual(figures.check_shape(exp1, exp2), [])

    def test_ktut_ahead_of_kcuc_is_reported(self):
        exp1, exp2, _ = figures.tables(self.rows(kcuc=100, ktut=300))
        problems = figures.check_shape(exp1, exp2)
        self.assertEqual(len(problems), 1)
        self.assertIn("KCUC", problems[0])

    def test_priority_7_served_as_much_as_priority_0_is_reported(self):
        exp1, exp2, _ = figures.tables(self.rows(p0=20, p7=20))
        problems = figures.check_shape(exp1, exp2)
        self.assertEqual(len(problems), 1)
        self.assertIn("priority 0", problems[0])

    def test_no_experiment_lines_at_all_is_reported(self):
        exp1, exp2, _ = figures.tables([("net/costs", "rtt", 5.0, "insn")])
        self.assertTrue(figures.check_shape(exp1, exp2))

    def test_memory_sums_a_models_processes_and_divides_by_connections(self):
        rows = [("mem-kcut-9000", "connections", 31.0, "count"), ("mem-kcut-9000", "user_stacks", 31 * 65536.0, "bytes"),
                ("mem-kcut-9001", "connections", 33.0, "count"), ("mem-kcut-9001", "user_stacks", 33 * 65536.0, "bytes"),
                ("mem-kcuc-9008", "connections", 64.0, "count"), ("mem-kcuc-9008", "user_heap", 6400.0, "bytes"),
                ("mem-kcuc-9008", "kernel_calls", 640.0, "count"),
                ("server/experiments", "lwip_tcp_pcb", 200.0, "bytes"),
                ("server/experiments", "kernel_socket", 300.0, "bytes")]
        table = {r["model"]: r for r in figures.memory_table(rows)}
        self.assertEqual(list(table), ["kcuc", "kcut"])
        self.assertEqual(table["kcut"]["connections"], 64)
        self.assertEqual(table["kcut"]["per_connection"], 65536)
        self.assertEqual(table["kcuc"]["total"], 7040)
        self.assertEqual(table["kcuc"]["per_connection"], 110)
        self.assertEqual(table["kcuc"]["lwip_per_connection"], 500)

    def test_scaling_takes_the_median_and_the_range_of_the_runs(self):
        def run(kcuc, ktut):
            return [("scale-kcuc", "duration", 2000.0, "ms"), ("scale-kcuc", "responses", kcuc, "count"),
                    ("scale-ktut", "duration", 2000.0, "ms"), ("scale-ktut", "responses", ktut, "count")]
        table = figures.scaling_table({1: [run(100, 50), run(300, 70), run(200, 60)], 2: [run(400, 80), run(600, 90)]})
        rows = {(r["model"], r["harts"]): r for r in table}
        self.assertEqual((rows[("kcuc", 1)]["median_per_s"], rows[("kcuc", 1)]["min_per_s"],
                          rows[("kcuc", 1)]["max_per_s"]), (100.0, 50.0, 150.0))
        self.assertEqual(rows[("kcuc", 2)]["median_per_s"], 250.0)  # an even count: the mean of the middle two
        self.assertEqual(rows[("ktut", 1)]["runs"], 3)

    @unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed")
    def test_gnuplot_draws_eight_files(self):
        folder = tempfile.mkdtemp(prefix="cops-figures-")
        try:
            self.assertEqual(figures.write_all([self.rows(), self.rows(kcuc=350)], folder, check=True), 0)
            drawn = [f for f in os.listdir(folder) if f.endswith((".png", ".svg"))]
            self.assertEqual(len(drawn), 8)
            self.assertTrue(all(os.path.getsize(os.path.join(folder, f)) > 1000 for f in drawn))
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
