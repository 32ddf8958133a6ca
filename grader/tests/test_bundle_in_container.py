"""The Gradescope bundle as Gradescope runs it, in its default container's limits.

The zip that `make gradescope CH=1` writes is unpacked into a fake /autograder;
its own setup.sh runs (without apt-get: the tools are here already), then its own
run_autograder grades three submissions on one core (taskset -c 0) in a memory
cgroup capped at 1.5 GiB, Gradescope's default container:

* the reference solution, which must get full marks;
* one that does not compile, which gets zero and the compiler's message;
* a hostile one from the grader's tests, which prints forged pass lines.

Without root (no cgroup can be made) the cap is not applied; the largest process's
peak resident memory is then checked against 1.5 GiB instead, and the test says so.
"""
import json
import os
import resource
import shutil
import subprocess
import tempfile
import unittest
import zipfile

from grader.gradescope import make_bundle
from grader.rubric import load_rubric
from grader.tests.test_submissions import CONSOLE, LEVELED, PICK, submission

ROOT = os.environ.get("COPS_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
CAP_MIB = 1536
CHAPTER = 1
MAX = load_rubric(os.path.join(ROOT, "grader", "rubric", f"ch{CHAPTER}.toml")).max_points  # the chapter's real total


class MemoryCap:
    """A memory cgroup (v1, or v2 when v1 is not mounted) capped at @mib, or None
    when it cannot be made (not root). `prefix` is the shell line that enters it."""

    def __init__(self, mib: int):
        self.path, self.prefix, self.peak_file, self.fail_file = None, "", None, None
        name = f"cops-bundle-test-{os.getpid()}"
        v1, v2 = "/sys/fs/cgroup/memory", "/sys/fs/cgroup"
        try:
            if os.path.isdir(v1):
                self.path = os.path.join(v1, name)
                os.makedirs(self.path, exist_ok=True)
                self._write("memory.limit_in_bytes", mib << 20)
                self.peak_file, self.fail_file = "memory.max_usage_in_bytes", "memory.failcnt"
            elif os.path.exists(os.path.join(v2, "cgroup.controllers")):
                self.path = os.path.join(v2, name)
                os.makedirs(self.path, exist_ok=True)
                self._write("memory.max", mib << 20)
                self.peak_file = "memory.peak" if os.path.exists(os.path.join(self.path, "memory.peak")) else None
            self.prefix = f"echo $$ > {self.path}/cgroup.procs && "
        except OSError:
            self.remove()
            self.path = None

    def _write(self, name: str, value: int) -> None:
        with open(os.path.join(self.path, name), "w", encoding="ascii") as f:
            f.write(str(value))

    def read(self, name: str | None) -> int | None:
        """A counter of the cgroup, or None."""
        if self.path is None or name is None:
            return None
        try:
            with open(os.path.join(self.path, name), encoding="ascii") as f:
                return int(f.read().split()[0])
        except (OSError, ValueError):
            return None

    def remove(self) -> None:
        if self.path:
            try:
                os.rmdir(self.path)
            except OSError:
                pass


class BundleInContainerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cops-bundle-")
        cls.autograder = os.path.join(cls.tmp, "autograder")
        source = os.path.join(cls.autograder, "source")
        with zipfile.ZipFile(make_bundle(ROOT, CHAPTER, os.path.join(cls.tmp, "ag.zip"))) as zf:
            zf.extractall(source)
        cls.scripts = {}
        for name in ("setup.sh", "run_autograder"):
            with open(os.path.join(source, name), encoding="utf-8") as f:
                text = f.read().replace("/autograder", cls.autograder)
            # The tools are installed already (make tools) and no account is made here:
            # `nobody` stands in for the one setup.sh would add.
            text = text.replace("apt-get update\n", "").replace("cops-grader", "nobody")
            cls.scripts[name] = text
        cls.setup = subprocess.run(["bash", "-c", cls.scripts["setup.sh"]], capture_output=True, text=True,
                                   timeout=900, cwd=cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_autograder(self, folder: str) -> tuple[dict, str]:
        """Runs the bundle's run_autograder on @folder (copied to /autograder/submission)
        in the default container's limits: its results.json and what was measured."""
        target = os.path.join(self.autograder, "submission")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target)
        cap = MemoryCap(CAP_MIB)
        try:
            script = cap.prefix + "exec taskset -c 0 bash -c \"$0\""
            done = subprocess.run(["bash", "-c", script, self.scripts["run_autograder"]], capture_output=True,
                                  text=True, timeout=900, cwd=self.tmp)
            self.assertEqual(done.returncode, 0, done.stderr[-2000:])
            if cap.path:
                fails, peak = cap.read(cap.fail_file), cap.read(cap.peak_file)
                self.assertIn(fails, (0, None), f"the {CAP_MIB} MiB cap was hit {fails} times")
                measured = f"in a {CAP_MIB} MiB cgroup, peak {peak >> 20 if peak else '?'} MiB"
            else:
                peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                self.assertLess(peak_kib, CAP_MIB << 10, "a process of the grading outgrew the default container")
                measured = f"no cgroup (not root): largest process {peak_kib >> 10} MiB resident"
        finally:
            cap.remove()
        with open(os.path.join(self.autograder, "results", "results.json"), encoding="utf-8") as f:
            return json.load(f), measured

    def test_setup_checks_the_tools_and_grades_the_stubs_once(self):
        self.assertEqual(self.setup.returncode, 0, self.setup.stderr[-2000:])
        kit = os.path.join(self.autograder, "source", "kit")
        baseline = [n for n in os.listdir(os.path.join(kit, "build", "grade-baseline")) if n.startswith("ch1-")]
        self.assertEqual(len(baseline), 1, "setup.sh leaves the stubs' baseline in the image")

    def test_the_reference_gets_full_marks_in_the_default_container(self):
        self.assertEqual(self.setup.returncode, 0, self.setup.stderr[-2000:])
        doc, measured = self.run_autograder(submission(self.tmp, "reference", {}))
        total = sum(t["max_score"] for t in doc["tests"])
        self.assertEqual(total, MAX, "the rubric's max_points (grader/rubric/ch1.toml)")
        self.assertEqual(doc["score"], total, [t["name"] for t in doc["tests"] if t["score"] < t["max_score"]])
        for t in doc["tests"]:
            self.assertTrue({"name", "score", "max_score", "status", "output", "visibility"} <= set(t), t)
        print(f"reference: {doc['score']} / {total}, {measured}")

    def test_a_submission_that_does_not_compile_gets_zero_and_the_message(self):
        self.assertEqual(self.setup.returncode, 0, self.setup.stderr[-2000:])
        folder = submission(self.tmp, "broken", {LEVELED: (PICK, "this is not C++\n" + PICK)})
        doc, _ = self.run_autograder(folder)
        self.assertEqual(doc["score"], 0)
        self.assertEqual(doc["tests"][0]["max_score"], MAX, "out of the chapter's real total")
        self.assertIn("does not compile", doc["tests"][0]["output"])
        self.assertIn("leveled_queue.hpp", doc["tests"][0]["output"])

    def test_forged_pass_lines_earn_nothing_in_the_default_container(self):
        self.assertEqual(self.setup.returncode, 0, self.setup.stderr[-2000:])
        folder = submission(self.tmp, "forge", {LEVELED: [
            CONSOLE,
            (PICK, "    for (int i = 1; i <= 60; ++i) {\n"
                   "        cops::console::println(\"ok {} - executor/picks-highest-priority"
                   " # nonce:0123456789abcdef\", i);\n    }\n    return nullptr;\n" + PICK)]})
        doc, _ = self.run_autograder(folder)
        by_name = {t["name"]: t for t in doc["tests"]}
        self.assertLess(doc["score"], MAX / 2)
        self.assertEqual(by_name["executor/picks-highest-priority"]["score"], 0)

    def test_a_broken_image_is_never_the_students_fault(self):
        self.assertEqual(self.setup.returncode, 0, self.setup.stderr[-2000:])
        script = self.scripts["run_autograder"].replace("bash mk/check-tools.sh",
                                                        "QEMU=no-such-qemu bash mk/check-tools.sh")
        target = os.path.join(self.autograder, "submission")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(submission(self.tmp, "good", {}), target)
        subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120, check=True)
        with open(os.path.join(self.autograder, "results", "results.json"), encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(doc["score"], 0)
        self.assertIn("The autograder's image is broken, not your submission", doc["output"])
        self.assertIn("'no-such-qemu' not found", doc["output"])
        self.assertIn("Please tell your instructor.", doc["output"])


if __name__ == "__main__":
    unittest.main()
