"""Lab regions: the cutter's text rules, and a real cut of chapter 1 that must
build while the tests covering the stubbed parts fail."""
import os
import re
import subprocess
import tempfile
import unittest

from harness import labs
from harness.ktest import KernelRun, run_kernel_tests
from harness.unit import run_unit_tests

ROOT = os.environ.get("COPS_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))

SAMPLE = """int f() {
    // LAB(ch1): compute the answer
    return 42;
    // LAB-STUB: return 0;
    // END-LAB
}
    // LAB(ch2): later
    later();
    // END-LAB
"""


class CutTextTest(unittest.TestCase):
    def test_region_becomes_todo_and_stub(self):
        text, n = labs.cut_text(SAMPLE, 1)
        self.assertEqual(n, 1)
        self.assertIn("    // TODO(ch1): compute the answer\n    return 0;\n}", text)
        self.assertNotIn("return 42", text)
        self.assertIn("later();", text)  # chapter 2 stays

    def test_the_hint_comment_stays_and_the_code_goes(self):
        sample = ("    // LAB(ch1): add\n"
                  "    // Return the sum of a and b.\n"
                  "    //   (both are small)\n"
                  "    // the answer:\n"
                  "    return a + b;\n"
                  "    // a comment after code is part of the answer\n"
                  "    // LAB-STUB: return 0;\n"
                  "    // END-LAB\n")
        text, n = labs.cut_text(sample, 1)
        self.assertEqual(n, 1)
        self.assertEqual(text, "    // TODO(ch1): add\n    // Return the sum of a and b.\n    //   (both are small)\n"
                               "    // the answer:\n    return 0;\n")

    def test_only_one_chapter(self):
        text, n = labs.cut_text(SAMPLE, 2, only_chapter=True)
        self.assertEqual(n, 1)
        self.assertIn("return 42", text)
        self.assertIn("// TODO(ch2): later", text)

    def test_unclosed_region_is_an_error(self):
        with self.assertRaises(labs.LabRegionError):
            labs.cut_text("// LAB(ch1): x\nfoo();\n", 1)

    def test_stray_end_is_an_error(self):
        with self.assertRaises(labs.LabRegionError):
            labs.cut_text("foo();\n// END-LAB\n", 1)


class EveryChapterHandoutBuildsTest(unittest.TestCase):
    """Each chapter's handout (its own regions and all below stubbed) must build."""

    def test_handouts_build(self):
        import glob
        import re
        chapters = sorted(int(re.match(r"ch(\d+)-", os.path.basename(os.path.dirname(p))).group(1))
                          for p in glob.glob(os.path.join(ROOT, "ch[0-9]*-*", "chapter.mk")))
        for chapter in chapters:
            if chapter == 1:
                continue  # built (and run) by Chapter1HandoutTest
            # The host unit tests (the slowest build by far) only for the newest handout:
            # it holds every chapter's stubbed portable code, which is what they compile.
            targets = ["kernel", "test-kernel"] + (["unit-tests"] if chapter == chapters[-1] else [])
            with self.subTest(chapter=chapter), tempfile.TemporaryDirectory() as tmp:
                kit = os.path.join(tmp, "kit")
                labs.copy_kit(ROOT, kit)
                labs.cut_tree(kit, chapter)
                proc = subprocess.run(["make", "--no-print-directory", "-f", "mk/kernel.mk", f"CH={chapter}",
                                       f"-j{os.cpu_count() or 2}", *targets],
                                      cwd=kit, capture_output=True, text=True)
                self.assertEqual(proc.returncode, 0, proc.stdout[-3000:] + proc.stderr[-3000:])


class Chapter1HandoutTest(unittest.TestCase):
    """Cuts ch1 into a temporary kit, builds it, and checks which tests fail."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.kit = os.path.join(cls.tmp.name, "kit")
        labs.copy_kit(ROOT, cls.kit)
        cls.regions = labs.cut_tree(cls.kit, 1)
        build = os.path.join(cls.kit, "build", "ch1")
        cls.proc = subprocess.run(["make", "--no-print-directory", "-f", "mk/kernel.mk", "CH=1", f"BUILD={build}",
                                   f"-j{os.cpu_count() or 2}", "unit-tests", "test-kernel"],
                                  cwd=cls.kit, capture_output=True, text=True)
        cls.build = build

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_region_was_cut(self):
        self.assertGreaterEqual(self.regions, 8)

    def test_stubs_compile(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stdout[-3000:] + self.proc.stderr[-3000:])

    def test_unit_tests_fail_where_stubs_stand(self):
        results = {r.name: r for r in run_unit_tests(os.path.join(self.build, "unit-tests"), "handout")}
        self.assertFalse(results["executor: picks the most urgent priority first"].passed)
        self.assertFalse(results["bitmap: set, test and clear each of the 64 levels"].passed)
        self.assertFalse(results["list: first in, first out"].passed)
        self.assertFalse(results["leveled queue: most urgent level first, FIFO within a level"].passed)
        # Code outside lab regions still works in the handout.
        self.assertTrue(results["heap: accounting tracks requested bytes and peak"].passed)
        self.assertTrue(results["fdt: bootarg finds key=value words"].passed)

    def test_kernel_tests_fail_where_stubs_stand(self):
        results = {r.name: r for r in run_kernel_tests(
            KernelRun(kernel=os.path.join(self.build, "test-kernel.elf"), suite="handout", wall_timeout=120))}
        self.assertFalse(results["executor/picks-highest-priority"].passed)
        self.assertFalse(results["executor/block-and-wake"].passed)
        self.assertTrue(results["boot/device-tree-memory"].passed)
        self.assertTrue(results["heap/new-delete-accounting"].passed)


class Chapter1HandoutAsAStudentTest(unittest.TestCase):
    """The ch1 handout as a student gets it (`make handout CH=1`): `make run` and `make
    grade` inside it build chapter 1 and fail only at its stubs, saying so. (`make test`
    inside a handout runs the whole harness again beside this one, too long for
    `make test` on two cores; the chapter guides give its measured results.)"""

    @classmethod
    def setUpClass(cls):
        from grader.cli import make_handout
        cls.tmp = tempfile.TemporaryDirectory()
        cls.kit = os.path.join(cls.tmp.name, "h")
        make_handout(ROOT, 1, cls.kit)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def make(self, target: str, timeout: float) -> subprocess.CompletedProcess:
        return subprocess.run(["make", "--no-print-directory", target], cwd=self.kit, capture_output=True,
                              text=True, timeout=timeout)

    def test_make_run_says_what_is_missing(self):
        run = self.make("run", 600)
        self.assertIn("COPS ch1-executor", run.stdout, run.stdout[-2000:] + run.stderr[-2000:])
        self.assertIn("did not run the demo to its end", run.stdout)
        self.assertIn("TODO(ch1) regions", run.stdout)

    def test_make_grade_scores_chapter_1_and_names_what_it_leaves_out(self):
        grade = self.make("grade", 900)
        out = grade.stdout + grade.stderr
        self.assertIn("chapter 1's public kernel tests", out, out[-3000:])
        self.assertRegex(out, r"host unit tests \(not scored.*\): \d+ of \d+ test cases passed")
        self.assertIn("hidden tests, worth", out)
        score = re.search(r"public kernel tests: ([\d.]+) of ([\d.]+) points", out)
        self.assertIsNotNone(score, out[-3000:])
        self.assertLess(float(score.group(1)), float(score.group(2)))  # the stubs lose points

