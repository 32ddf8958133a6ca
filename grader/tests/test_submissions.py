"""Grading real submissions end to end: the reference scores full marks, and each
kind of broken submission loses exactly what it should while grading completes.
The broken submissions are made from the reference by small edits, so they stay
in step with it."""
import contextlib
import csv
import glob
import io
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

from grader import limits
from grader.cli import main as grader_main
from grader.grade import grade
from grader.rubric import load_rubric

ROOT = os.environ.get("COPS_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
BITMAP = "ch1-executor/include/cops/sched/priority_bitmap.hpp"
EXECUTOR = "ch1-executor/kernel/sched/executor.cpp"
LIST = "ch1-executor/include/cops/lib/intrusive_list.hpp"
LEVELED = "ch1-executor/include/cops/sched/leveled_queue.hpp"


def submission(tmp, name, edits):
    """A submission folder: the reference's student files with @edits {path: (old, new) or [(old, new), ...]}."""
    folder = os.path.join(tmp, name)
    for rel in (BITMAP, EXECUTOR, LIST, LEVELED):
        os.makedirs(os.path.dirname(os.path.join(folder, rel)), exist_ok=True)
        shutil.copyfile(os.path.join(ROOT, rel), os.path.join(folder, rel))
    for rel, changes in edits.items():
        path = os.path.join(folder, rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for old, new in changes if isinstance(changes, list) else [changes]:
            assert old in text, f"{rel}: edit anchor not found: {old}"
            text = text.replace(old, new, 1)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return folder


CHAPTERS = sorted(int(re.match(r"ch(\d+)-", os.path.basename(os.path.dirname(p))).group(1))
                  for p in glob.glob(os.path.join(ROOT, "ch[0-9]*-*", "chapter.mk")))

# In LEVELED (the pick, ch1's lab) and in EXECUTOR: lines that edits are anchored to.
PICK = "        const std::optional<Priority> level = bits_.highest();"
EXECUTOR_PICK = "    return ready_.pop_most_urgent();"
# Inserted before PICK: the mistake happens only when level 63 is all that is ready.
LEVEL_63_ALONE = "        if (bits_.raw() == std::uint64_t{1} << 63) {\n"
CONSOLE = ('#include "cops/sched/priority_bitmap.hpp"',
           '#include "cops/sched/priority_bitmap.hpp"\n#include "cops/lib/console.hpp"')


class SubmissionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cops-subs-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def by_name(self, g):
        return {t.name: t for t in g.tests}

    def test_reference_scores_full_marks_in_every_chapter(self):
        # Two chapters at a time, the longest first: each boot keeps one core busy
        # (under -icount QEMU runs its harts in turn on one thread).
        order = sorted(CHAPTERS, reverse=True)
        with ThreadPoolExecutor(max_workers=2) as pool:
            grades = dict(zip(order, pool.map(lambda c: grade(ROOT, c, ROOT), order)))  # the reference as the submission
        for chapter in CHAPTERS:
            with self.subTest(chapter=chapter):
                g = grades[chapter]
                self.assertTrue(g.build_ok, g.build_output[-2000:])
                self.assertGreater(g.max_score, 0)
                self.assertEqual(g.score, g.max_score,
                                 [f"{t.name}: {t.output}" for t in g.tests if t.score < t.max_score])
                rubric = load_rubric(os.path.join(ROOT, "grader", "rubric", f"ch{chapter}.toml"))
                self.assertEqual(rubric.max_points, g.max_score, "the rubric's max_points is the reference's total")
                hidden = sum(1 for t in g.tests if t.name.startswith("hidden/"))
                public = sum(1 for t in g.tests if not t.name.startswith("hidden/") and t.chapter == chapter)
                self.assertGreaterEqual(hidden, public, "fewer hidden tests than public ones")

    def test_batch_grades_a_folder_into_a_csv(self):
        folder = os.path.join(self.tmp, "batch")
        os.makedirs(folder)
        shutil.copytree(submission(self.tmp, "good", {}), os.path.join(folder, "alice"))
        shutil.copytree(submission(self.tmp, "bad", {EXECUTOR: (EXECUTOR_PICK, "    int x = ;\n" + EXECUTOR_PICK)}),
                        os.path.join(folder, "bob"))
        out_csv = os.path.join(self.tmp, "grades.csv")
        self.assertEqual(grader_main(["--root", ROOT, "batch", "--chapter", "1", "--submissions", folder,
                                      "--csv", out_csv, "--out", os.path.join(self.tmp, "batch-out")]), 0)
        with open(out_csv) as f:
            rows = {r["submission"]: r for r in csv.DictReader(f)}
        self.assertEqual(set(rows), {"alice", "bob"})
        self.assertEqual(rows["alice"]["score"], rows["alice"]["max_score"])
        self.assertEqual((rows["bob"]["score"], rows["bob"]["build_ok"]), ("0", "no"))
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "batch-out", "bob", "results.json")))

    def test_lowest_priority_first_loses_points_on_named_tests(self):
        g = grade(ROOT, 1, submission(self.tmp, "lowest", {BITMAP: (
            "return Priority{static_cast<std::uint8_t>(lowest_set_bit(bits_))};",
            "unsigned top = 63;\n        while (((bits_ >> top) & 1U) == 0) {\n            --top;\n        }\n"
            "        return Priority{static_cast<std::uint8_t>(top)};")}))
        tests = self.by_name(g)
        self.assertLess(g.score, g.max_score)
        self.assertLess(tests["executor/picks-highest-priority"].score,
                        tests["executor/picks-highest-priority"].max_score)
        self.assertLess(tests["hidden/lowest-level-63-runs-last"].score,
                        tests["hidden/lowest-level-63-runs-last"].max_score)
        self.assertEqual(tests["heap/new-delete-accounting"].score, tests["heap/new-delete-accounting"].max_score)

    def test_endless_loop_is_a_timeout_and_grading_completes(self):
        # The pick spins only when level 63 is all that is ready, so a few tests time out
        # (each costs its whole budget), not every test that picks.
        g = grade(ROOT, 1, submission(self.tmp, "loop", {LEVELED: (PICK, LEVEL_63_ALONE + "        for (;;) {\n"
                                                                    "            asm volatile(\"\");\n        }\n    }\n" + PICK)}))
        tests = self.by_name(g)
        self.assertEqual(tests["executor/all-64-levels-in-order"].status, "timeout")
        self.assertEqual(tests["executor/all-64-levels-in-order"].score, 0)
        self.assertEqual(tests["boot/device-tree-memory"].score, tests["boot/device-tree-memory"].max_score)
        self.assertEqual(tests["executor/picks-highest-priority"].score,
                         tests["executor/picks-highest-priority"].max_score)  # the tests after a timeout still run

    def test_printed_pass_lines_without_the_nonce_earn_nothing(self):
        g = grade(ROOT, 1, submission(self.tmp, "forge", {LEVELED: [
            CONSOLE,
            (PICK, "    for (int i = 1; i <= 60; ++i) {\n"
                  "        cops::console::println(\"ok {} - executor/picks-highest-priority # nonce:0123456789abcdef\", i);\n"
                  "    }\n    return nullptr;\n" + PICK)]}))
        g_tests = self.by_name(g)
        self.assertLess(g.score, g.max_score / 2)
        self.assertEqual(g_tests["executor/picks-highest-priority"].score, 0)

    def test_compile_error_scores_zero_and_shows_the_error(self):
        g = grade(ROOT, 1, submission(self.tmp, "broken", {EXECUTOR: (EXECUTOR_PICK, "    int x = ;\n" + EXECUTOR_PICK)}))
        self.assertFalse(g.build_ok)
        self.assertEqual(g.score, 0)
        self.assertEqual(g.max_score, load_rubric(os.path.join(ROOT, "grader", "rubric", "ch1.toml")).max_points)  # not 1
        self.assertIn("error:", g.tests[0].output)
        self.assertIn("executor.cpp", g.tests[0].output)

    def test_a_build_that_eats_memory_is_stopped_by_its_limit(self):
        # Constant evaluation that holds a huge array: without a limit the compiler
        # takes gigabytes; here it stops at the (lowered, for a fast test) limit.
        heavy = ("#include <new>\n\nnamespace {\nstruct Big { unsigned long v[60'000'000]; };\n"
                 "constexpr unsigned long eat() { Big* b = new Big;\n"
                 "  for (unsigned long i = 0; i < 1000; ++i) { for (unsigned long j = 0; j < 60'000; ++j) {\n"
                 "    b->v[i * 60'000 + j] = i + j; } }\n"
                 "  unsigned long s = b->v[7]; delete b; return s; }\n"
                 "static_assert(eat() == 7);\n}  // namespace")
        saved = limits.BUILD_MEMORY_MB, limits.BUILD_CPU_SECONDS
        limits.BUILD_MEMORY_MB, limits.BUILD_CPU_SECONDS = 300, 120
        try:
            g = grade(ROOT, 1, submission(self.tmp, "memory", {EXECUTOR: ("#include <new>", heavy)}))
        finally:
            limits.BUILD_MEMORY_MB, limits.BUILD_CPU_SECONDS = saved
        self.assertFalse(g.build_ok)
        self.assertEqual(g.score, 0)
        self.assertIn("memory limit (300 MB per compiler process)", g.tests[0].output)

    def test_a_build_that_spins_is_stopped_by_its_cpu_limit(self):
        spin = ("#include <new>\n\nnamespace {\nconstexpr unsigned long spin() { unsigned long s = 1;\n"
                "  for (unsigned long i = 0; i < 200'000; ++i) { for (unsigned long j = 0; j < 200'000; ++j) {\n"
                "    s = s * 6364136223846793005UL + j; } }\n"
                "  return s; }\nstatic_assert(spin() != 0);\n}  // namespace")
        saved = limits.BUILD_CPU_SECONDS
        limits.BUILD_CPU_SECONDS = 5
        try:
            g = grade(ROOT, 1, submission(self.tmp, "spin", {EXECUTOR: ("#include <new>", spin)}))
        finally:
            limits.BUILD_CPU_SECONDS = saved
        self.assertFalse(g.build_ok)
        self.assertEqual(g.score, 0)
        self.assertIn("CPU-time limit (5 s per compiler process)", g.tests[0].output)

    def test_a_console_flood_stays_small_in_the_reports(self):
        from grader.formats import gradescope_json
        g = grade(ROOT, 1, submission(self.tmp, "longline", {LEVELED: [
            CONSOLE,
            (PICK, LEVEL_63_ALONE + "        for (int i = 0; i < 4000; ++i) {\n"
                  "            cops::console::backend().write(\"xxxxxxxxxxxxxxxxxxxxxxxx\");\n        }\n    }\n" + PICK)]}))
        self.assertLess(len(gradescope_json(g)), 200_000)
        for t in g.tests:
            self.assertTrue(all(len(line) <= 310 for line in t.output.splitlines()), t.name)

    def test_files_read_at_build_time_are_refused_before_anything_is_shown(self):
        cases = {
            "passwd": ('#include "/etc/passwd"', "reads /etc/passwd"),
            "reference": (f'#include "{os.path.realpath(os.path.join(ROOT, EXECUTOR))}"', "which is outside"),
            "hidden": ('#include "../../../grader/hidden/hidden_support.hpp"', "reads grader/hidden/hidden_support.hpp"),
            # Later chapters are not in the grading copy at all: there is nothing to read.
            "later": ('#include "../../../ch2-kernel-coroutines/include/cops/sync/semaphore.hpp"', "semaphore.hpp"),
            "code": ('#include "../../../ch1-executor/kernel/lib/format.cpp"', "which is not a header"),
            "incbin": ('asm(".inc" "bin \\"grader/hidden/ch1/executor_hidden_tests.cpp\\"");', "(.incbin)"),
        }
        for name, (line, said) in cases.items():
            with self.subTest(name):
                g = grade(ROOT, 1, submission(self.tmp, f"reads-{name}", {EXECUTOR: ("#include <new>",
                                                                                    "#include <new>\n" + line)}))
                self.assertFalse(g.build_ok)
                self.assertEqual(g.score, 0)
                self.assertEqual(g.tests[0].status, "build error" if name == "later" else "refused")
                self.assertIn(said, g.tests[0].output)
                self.assertNotIn("root:", g.tests[0].output)  # nothing of what it read

    @unittest.skipUnless(os.geteuid() == 0, "running builds as another account needs root")
    def test_builds_and_boots_can_run_as_an_account_that_cannot_read_the_kit(self):
        # As on Gradescope (run_autograder): COPS_GRADE_USER names an unprivileged account.
        secret = os.path.join(self.tmp, "root-only.txt")
        with open(secret, "w") as f:
            f.write("the reference\n")
        os.chmod(secret, 0o600)
        saved = os.environ.get("COPS_GRADE_USER")
        os.environ["COPS_GRADE_USER"] = "nobody"
        try:
            seen = subprocess.run(["sh", "-c", f"id -u; cat {secret}"], capture_output=True, text=True,
                                  preexec_fn=limits.build_limiter())
            g = grade(ROOT, 1, submission(self.tmp, "as-nobody", {}))
        finally:
            if saved is None:
                os.environ.pop("COPS_GRADE_USER")
            else:
                os.environ["COPS_GRADE_USER"] = saved
        self.assertEqual(seen.stdout.split()[0], str(pwd.getpwnam("nobody").pw_uid))
        self.assertNotIn("the reference", seen.stdout)
        self.assertIn("Permission denied", seen.stderr)
        self.assertTrue(g.build_ok, g.build_output[-2000:])
        self.assertEqual(g.score, g.max_score)  # the build and the boots work from the copy alone

    def test_a_grade_user_that_does_not_exist_is_a_clear_error(self):
        os.environ["COPS_GRADE_USER"] = "no-such-account-here"
        try:
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                code = grader_main(["--root", ROOT, "grade", "--chapter", "1", "--submission",
                                    submission(self.tmp, "no-account", {}), "--out", os.path.join(self.tmp, "o")])
        finally:
            os.environ.pop("COPS_GRADE_USER")
        self.assertEqual(code, 2)
        self.assertIn("COPS_GRADE_USER=no-such-account-here: no such account", err.getvalue())

    def test_code_that_could_act_as_the_runner_is_refused_after_the_build(self):
        # A global constructor that takes over the console and reads the boot arguments
        # (where the nonce was), and a header whose inline code powers QEMU off.
        hijack = ("#include <new>\n\n#include \"cops/boot/boot_info.hpp\"\n#include \"cops/lib/console.hpp\"\n"
                  "namespace {\nstruct Hijack {\n    Hijack() {\n"
                  "        cops::console::set_backend(nullptr);\n"
                  "        (void)cops::boot::bootarg(\"nonce\");\n    }\n} g_hijack;\n}  // namespace")
        power = ("#include \"cops/lib/verify.hpp\"\n\nnamespace cops::dev {\nenum class ExitCode : unsigned short;\n"
                 "[[noreturn]] void power_off(ExitCode code);\n}  // namespace cops::dev\n"
                 "inline void cops_stop_here() { cops::dev::power_off(cops::dev::ExitCode{}); }")
        g = grade(ROOT, 1, submission(self.tmp, "runner", {
            EXECUTOR: ("#include <new>", hijack),
            LIST: ('#include "cops/lib/verify.hpp"', power)}))
        self.assertFalse(g.build_ok)
        self.assertEqual(g.score, 0)
        self.assertEqual(g.tests[0].status, "refused")
        out = g.tests[0].output
        self.assertIn("executor.cpp uses cops::console::set_backend", out)
        self.assertIn("executor.cpp uses cops::boot::bootarg", out)
        self.assertIn("intrusive_list.hpp uses cops::dev::power_off", out)
        self.assertIn("the submission was built but not run", out)

    def test_an_untouched_submission_earns_nothing_for_checks_the_stubs_pass(self):
        empty = os.path.join(self.tmp, "untouched")
        os.makedirs(empty, exist_ok=True)
        g = grade(ROOT, 1, empty)  # every student file missing: the handout's stubs
        failed = [t for t in g.tests if t.score < t.max_score]
        self.assertGreater(len(failed), 10)
        for t in failed:
            self.assertEqual(t.score, 0, f"{t.name}: {t.output}")
        # What it still gets are the tests that pass whatever the labs do (boot, heap, ...).
        self.assertEqual(g.score, round(sum(t.max_score for t in g.tests if t.score == t.max_score), 2))
        self.assertLess(g.score, g.max_score * 0.25)

    def test_a_submission_folder_that_does_not_exist_is_a_clear_error(self):
        missing = os.path.join(self.tmp, "no-such-folder")
        g = grade(ROOT, 1, missing)
        self.assertEqual((g.score, [t.name for t in g.tests]), (0, ["submission"]))
        self.assertIn("does not exist", g.tests[0].output)
        out = os.path.join(self.tmp, "out-missing")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = grader_main(["--root", ROOT, "grade", "--chapter", "1", "--submission", missing, "--out", out])
        self.assertEqual(code, 2)
        self.assertIn("does not exist", err.getvalue())
        self.assertFalse(os.path.exists(out))  # nothing graded, no reports

    def test_a_submission_that_is_a_file_says_so(self):
        path = os.path.join(self.tmp, "executor.cpp")
        with open(path, "w") as f:
            f.write("// a file, not a folder\n")
        g = grade(ROOT, 1, path)
        self.assertEqual(g.score, 0)
        self.assertIn("is a file, not a folder", g.tests[0].output)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = grader_main(["--root", ROOT, "grade", "--chapter", "1", "--submission", path,
                                "--out", os.path.join(self.tmp, "out-file")])
        self.assertEqual(code, 2)
        self.assertIn("is a file, not a folder", err.getvalue())

    def test_missing_and_linked_files_are_noted_not_fatal(self):
        folder = submission(self.tmp, "partial", {})
        os.remove(os.path.join(folder, BITMAP))
        os.remove(os.path.join(folder, EXECUTOR))
        os.symlink("/etc/passwd", os.path.join(folder, EXECUTOR))
        g = grade(ROOT, 1, folder)
        notes = "\n".join(g.notes)
        self.assertIn("priority_bitmap.hpp: not in the submission", notes)
        self.assertIn("executor.cpp: not a regular file", notes)
        self.assertTrue(g.build_ok)
        self.assertLess(g.score, g.max_score)  # the stubs fail their tests
