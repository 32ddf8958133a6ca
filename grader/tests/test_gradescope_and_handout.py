"""The Gradescope bundle's contents, and a run of its run_autograder in a fake
/autograder layout; the handout leaves out hidden tests and says what it is."""
import contextlib
import io
import json
import os
import subprocess
import tempfile
import unittest
import zipfile

from grader.cli import HANDOUT_MARK, HandoutError, make_handout
from grader.cli import main as grader_main
from grader.gradescope import SETUP, RUN, make_bundle

ROOT = os.environ.get("COPS_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))


def later_reference_lines(chapter: int) -> list[str]:
    """The distinctive code lines inside the lab regions of chapters above @chapter."""
    import glob as _glob
    import re as _re
    lines = []
    for folder in _glob.glob(os.path.join(ROOT, "ch[0-9]*-*")):
        m = _re.match(r"ch(\d+)-", os.path.basename(folder))
        if not m or int(m.group(1)) <= chapter:
            continue
        for dirpath, _, files in os.walk(folder):
            for name in files:
                if not name.endswith((".cpp", ".hpp", ".S")):
                    continue
                inside = False
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    for raw in f:
                        line = raw.strip()
                        if "// LAB(" in line:
                            inside = True
                        elif "// LAB-STUB" in line or "// END-LAB" in line:
                            inside = False
                        elif inside and len(line) > 30 and not line.startswith("//"):
                            lines.append(line)
    # Keep only lines that nothing of chapters 1..@chapter (or the shared folders) has.
    shared = []
    for top in ("mk", "harness", "grader", "docs") + tuple(
            os.path.basename(p) for p in _glob.glob(os.path.join(ROOT, "ch[0-9]*-*"))
            if int(_re.match(r"ch(\d+)-", os.path.basename(p)).group(1)) <= chapter):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith((".cpp", ".hpp", ".S", ".py", ".mk")):
                    with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as f:
                        shared.append(f.read())
    everything = "\n".join(shared)
    return [line for line in lines if line not in everything]


class GradescopeBundleTest(unittest.TestCase):
    def test_bundle_has_scripts_and_kit(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = make_bundle(ROOT, 1, os.path.join(tmp, "ag.zip"))
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                self.assertIn("setup.sh", names)
                self.assertIn("run_autograder", names)
                self.assertIn("kit/grader/hidden/ch1/executor_hidden_tests.cpp", names)
                self.assertIn("kit/Makefile", names)
                self.assertFalse(any(n.startswith("kit/build/") for n in names))
                self.assertEqual(zf.getinfo("run_autograder").external_attr >> 16 & 0o111, 0o111)
                self.assertIn("mk/check-tools.sh", zf.read("setup.sh").decode())

    def test_an_image_with_an_old_qemu_fails_its_setup_and_says_what_to_choose(self):
        # Gradescope's default Ubuntu 22.04 image has QEMU 6.2: setup.sh must stop there.
        with tempfile.TemporaryDirectory() as tmp:
            fake = os.path.join(tmp, "qemu-system-riscv64")
            with open(fake, "w") as f:
                f.write("#!/bin/sh\necho 'QEMU emulator version 6.2.0 (Debian 1:6.2+dfsg-2ubuntu6)'\n")
            os.chmod(fake, 0o755)
            script = SETUP.format(chapter=1).replace("/autograder/source/kit", os.path.abspath(ROOT)).replace("apt-get update\n", "")
            script = script.split("# Submissions are built")[0]  # the check, not the account
            run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300,
                                 env=dict(os.environ, PATH=tmp + os.pathsep + os.environ["PATH"]))
        self.assertEqual(run.returncode, 1)
        self.assertIn("is version 6.2.0; the kit needs 7.2 or newer", run.stderr)
        self.assertIn("choose a newer base image", run.stderr)

    def test_run_autograder_writes_results_json(self):
        with tempfile.TemporaryDirectory() as tmp:
            script = RUN.format(chapter=1).replace("/autograder", tmp)
            os.makedirs(os.path.join(tmp, "source"))
            os.symlink(os.path.abspath(ROOT), os.path.join(tmp, "source", "kit"))
            sub = os.path.join(tmp, "submission", "ch1-executor", "kernel", "sched")
            os.makedirs(sub)
            with open(os.path.join(sub, "executor.cpp"), "w") as f:
                f.write("this does not compile\n")
            subprocess.run(["bash", "-c", script], check=True, capture_output=True, timeout=600)
            with open(os.path.join(tmp, "results", "results.json")) as f:
                doc = json.load(f)
            self.assertEqual(doc["score"], 0)
            self.assertIn("does not compile", doc["tests"][0]["output"])


class HandoutTest(unittest.TestCase):
    def test_handout_never_replaces_a_folder_it_did_not_make(self):
        with tempfile.TemporaryDirectory() as tmp:
            keep = os.path.join(tmp, "notes.txt")
            with open(keep, "w") as f:
                f.write("mine")
            with self.assertRaises(HandoutError):
                make_handout(ROOT, 1, tmp)
            self.assertTrue(os.path.exists(keep))
            with self.assertRaises(HandoutError):
                make_handout(ROOT, 1, ROOT)
            with self.assertRaises(HandoutError):
                make_handout(ROOT, 1, os.path.dirname(os.path.abspath(ROOT)))
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                self.assertEqual(grader_main(["--root", ROOT, "handout", "--chapter", "1", "--out", tmp]), 2)
            self.assertIn("is not a handout cut before", err.getvalue())

    def test_a_handout_cut_before_is_replaced(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "h")
            make_handout(ROOT, 1, out)
            stale = os.path.join(out, "stale.txt")
            with open(stale, "w") as f:
                f.write("from the last cut")
            make_handout(ROOT, 1, out)
            self.assertFalse(os.path.exists(stale))
            self.assertTrue(os.path.exists(os.path.join(out, HANDOUT_MARK)))

    def test_out_inside_the_kit_is_refused(self):
        for inside in (os.path.join(ROOT, "ch1-executor", "x"), os.path.join(ROOT, "build", "h")):
            with self.subTest(out=inside), self.assertRaises(HandoutError):
                make_handout(ROOT, 1, inside)
            self.assertFalse(os.path.exists(inside))

    def test_a_git_kit_is_copied_from_its_tracked_files(self):
        from harness import labs
        with tempfile.TemporaryDirectory() as tmp:
            src, dst = os.path.join(tmp, "src"), os.path.join(tmp, "dst")
            os.makedirs(os.path.join(src, "deep", "er"))
            for name in ("tracked.txt", os.path.join("deep", "er", "also.txt"), "stray.txt"):
                with open(os.path.join(src, name), "w") as f:
                    f.write(name)
            git = ["git", "-C", src, "-c", "user.name=kit", "-c", "user.email=kit@localhost"]
            subprocess.run(git + ["init", "-q"], check=True)
            subprocess.run(git + ["add", "tracked.txt", "deep/er/also.txt"], check=True)
            labs.copy_kit(src, dst)
            found = sorted(os.path.relpath(os.path.join(d, f), dst) for d, _, fs in os.walk(dst) for f in fs)
            self.assertEqual(found, [os.path.join("deep", "er", "also.txt"), "tracked.txt"])

    def test_a_handout_holds_no_later_chapter(self):
        """A chapter-1 handout has no folder, rubric or lab-region reference line of chapters 2 and up."""
        reference = later_reference_lines(1)
        self.assertGreater(len(reference), 20)  # the later chapters do have regions to leak
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "h")
            make_handout(ROOT, 1, out)
            self.assertEqual(sorted(d for d in os.listdir(out) if d.startswith("ch")), ["ch1-executor"])
            self.assertEqual(os.listdir(os.path.join(out, "grader", "rubric")), ["ch1.toml"])
            leaked = []
            for dirpath, _, files in os.walk(out):
                for name in files:
                    with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as f:
                        text = f.read()
                    leaked += [(name, line) for line in reference if line in text]
            self.assertEqual(leaked, [])
            with open(os.path.join(out, "docs", "Doxyfile"), encoding="utf-8") as f:
                self.assertNotIn("ch2-kernel-coroutines", f.read())

    def test_every_handouts_commands_default_to_its_chapter(self):
        """In a chapter-N handout, run, test, grade, gdb and bench name chapter N (a ch1
        handout's `make run` once built chapter 3, and its `make test` ran chapter 3's tests)."""
        import glob
        import re
        chapters = sorted(int(re.match(r"ch(\d+)-", os.path.basename(p)).group(1))
                          for p in glob.glob(os.path.join(ROOT, "ch[0-9]*-*")) if os.path.isdir(p))
        for chapter in chapters:
            with self.subTest(chapter=chapter), tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "h")
                make_handout(ROOT, chapter, out)
                for target in ("run", "test", "grade", "gdb", "bench"):
                    dry = subprocess.run(["make", "-n", target], cwd=out, capture_output=True, text=True)
                    named = set(re.findall(r"\bCH=(\d+)|--chapters? ((?:\d+ ?)+)", dry.stdout))
                    chapters_named = {int(n) for a, b in named for n in (a + " " + b).split()}
                    self.assertEqual(chapters_named, {chapter} if target != "test" else set(range(1, chapter + 1)),
                                     f"make -n {target} in the ch{chapter} handout:\n{dry.stdout[-1500:]}")

    def test_handout_has_no_hidden_tests_and_a_banner(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "h")
            n = make_handout(ROOT, 1, out)
            self.assertGreaterEqual(n, 8)
            self.assertFalse(os.path.exists(os.path.join(out, "grader", "hidden")))
            self.assertFalse(os.path.exists(os.path.join(out, "grader", "tests")))
            self.assertFalse(os.path.exists(os.path.join(out, "harness", "tests", "test_labs.py")))
            with open(os.path.join(out, "README.md")) as f:
                first = f.readline()
            self.assertIn("Student handout for chapter 1", first)
            self.assertIn("`TODO(ch1)`", first)  # the banner names the real markers, not TODO(chN)
            with open(os.path.join(out, "ch1-executor", "kernel", "sched", "executor.cpp")) as f:
                text = f.read()
            self.assertIn("TODO(ch1)", text)
            self.assertNotIn("LAB(ch1)", text)
            # A git repository with one commit holding everything: the student's history
            # starts there, and make format-check finds the sources.
            log = subprocess.run(["git", "log", "--oneline"], cwd=out, capture_output=True, text=True, check=True)
            self.assertEqual(len(log.stdout.splitlines()), 1, log.stdout)
            status = subprocess.run(["git", "status", "--porcelain"], cwd=out, capture_output=True, text=True,
                                    check=True)
            self.assertEqual(status.stdout, "")
            files = subprocess.run(["git", "ls-files", "*.cpp"], cwd=out, capture_output=True, text=True, check=True)
            self.assertIn("ch1-executor/kernel/sched/executor.cpp", files.stdout)
