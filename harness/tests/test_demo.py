"""The demo check: `make run`'s kernel must power off with 0 and print its lines in order."""
import os
import tempfile
import unittest

from harness import chapters, qemu
from harness.demo import check_demo_output, read_expectations, run_demo
from harness.results import Status

FAKE = os.path.join(os.path.dirname(__file__), "fake_qemu.py")
ROOT = os.environ.get("COPS_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def boot(scenario, expected, **kw):
    os.environ["FAKE_QEMU_SCENARIO"] = scenario
    config = qemu.QemuConfig(qemu=FAKE, icount=False)
    return run_demo(__file__, expected, "fake demo", "make-run", config, **kw)


class DemoCheckTest(unittest.TestCase):
    def test_lines_in_order_pass(self):
        self.assertIsNone(check_demo_output(["a", "x b y", "c"], ["a", "b", "c"]))

    def test_a_missing_line_names_it_and_where_the_search_stopped(self):
        why = check_demo_output(["a", "b"], ["a", "c"])
        self.assertIn("'c'", why)
        self.assertIn("after line 1: 'a'", why)

    def test_order_matters(self):
        self.assertIsNotNone(check_demo_output(["b", "a"], ["a", "b"]))

    def test_one_console_line_meets_one_expectation(self):
        self.assertIsNotNone(check_demo_output(["a b"], ["a", "b"]))

    def test_comments_and_blank_lines_are_not_expectations(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("# a comment\n\nfirst\n  # indented comment\nsecond line\n")
        try:
            self.assertEqual(read_expectations(f.name), ["first", "second line"])
        finally:
            os.unlink(f.name)


class DemoBootTest(unittest.TestCase):
    def test_a_good_demo_passes(self):
        self.assertEqual(boot("demo-0", ["demo: start", "demo: done"]).status, Status.PASS)

    def test_a_nonzero_exit_is_a_crash_with_its_status(self):
        r = boot("demo-3", ["demo: done"])
        self.assertEqual(r.status, Status.CRASH)
        self.assertIn("status 3", r.message)
        self.assertIn("make run", r.message)

    def test_a_missing_line_fails_with_the_console_tail(self):
        r = boot("demo-0", ["demo: start", "demo: never"])
        self.assertEqual(r.status, Status.FAIL)
        self.assertIn("demo: never", r.message)
        self.assertIn("demo: done", r.details)

    def test_a_panic_is_reported_as_one(self):
        r = boot("demo-panic", ["demo: done"])
        self.assertEqual(r.status, Status.PANIC)
        self.assertIn("demo broke", r.message)

    def test_a_demo_that_never_powers_off_times_out(self):
        r = boot("demo-hang", ["demo: done"], wall_timeout=1.5)
        self.assertEqual(r.status, Status.TIMEOUT)
        self.assertIn("demo: middle", r.details)

    def test_an_image_not_built_is_not_run(self):
        config = qemu.QemuConfig(qemu=FAKE, icount=False)
        r = run_demo("/nonexistent/kernel.elf", ["x"], "fake demo", "make-run", config)
        self.assertEqual(r.status, Status.NOT_RUN)


class DemoFilesTest(unittest.TestCase):
    def test_every_chapter_has_demo_expectations(self):
        layers = chapters.layer_dirs(ROOT, 99)
        self.assertTrue(layers, f"no chapters found under {ROOT}")
        for ch in range(1, len(layers) + 1):
            path = chapters.demo_expectations(ROOT, ch)
            self.assertIsNotNone(path, f"chapter {ch} has no tests/demo_expect.txt")
            self.assertTrue(read_expectations(path), f"{path} expects nothing")
