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
from grader.gradescope import RUN, make_bundle

ROOT = os.environ.get("COPS_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))


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
                self.assertIn("qemu-system-misc", zf.read("setup.sh").decode())

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

    def test_handout_has_no_hidden_tests_and_a_banner(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "h")
            n = make_handout(ROOT, 1, out)
            self.assertGreaterEqual(n, 8)
            self.assertFalse(os.path.exists(os.path.join(out, "grader", "hidden")))
            self.assertFalse(os.path.exists(os.path.join(out, "grader", "tests")))
            self.assertFalse(os.path.exists(os.path.join(out, "harness", "tests", "test_labs.py")))
            with open(os.path.join(out, "README.md")) as f:
                self.assertIn("Student handout for chapter 1", f.readline())
            with open(os.path.join(out, "ch1-executor", "kernel", "sched", "executor.cpp")) as f:
                text = f.read()
            self.assertIn("TODO(ch1)", text)
            self.assertNotIn("LAB(ch1)", text)
