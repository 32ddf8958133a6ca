"""The Gradescope autograder bundle: a zip with setup.sh, run_autograder and the kit.

Gradescope unpacks the zip into /autograder/source, runs setup.sh once when the
image is built, then run_autograder for every submission, whose files it puts in
/autograder/submission; the score goes to /autograder/results/results.json.
"""
from __future__ import annotations

import os
import stat
import tempfile
import zipfile

from harness import labs

SETUP = """#!/usr/bin/env bash
# Gradescope image setup: every tool the kit needs, installed and checked with its
# version (mk/check-tools.sh). A base image whose packages are too old fails here,
# when the image is built, not later in a class's submissions.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
if ! COPS_TOOLS_FOR=grading bash /autograder/source/kit/mk/check-tools.sh; then
    echo "setup: this base image cannot run the kit; the lines above say what is missing or too old." >&2
    echo "setup: the kit needs Debian 12's packages or newer (QEMU 7.2 or newer, riscv64 GCC 12 or newer)." >&2
    echo "setup: Gradescope's default Ubuntu 22.04 image has QEMU 6.2: choose a newer base image (grader/README.md)." >&2
    exit 1
fi
# Submissions are built and booted as this account: it owns each grading copy and
# cannot read /autograder/source, where the reference solution is (run_autograder).
id -u cops-grader >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin cops-grader
# What the untouched stubs of chapter {chapter} pass, graded once here, so that no
# submission's time goes to it (partial credit counts only checks beyond these).
cd /autograder/source/kit
# Chapter 6 builds lwIP: its source is fetched once, here, from Debian's source
# package (mk/fetch-lwip.sh), into the kit, where each grading copy finds it.
if [ {chapter} -ge 6 ] && ! bash mk/fetch-lwip.sh; then
    echo "setup: lwIP's source could not be fetched (the lines above say why)" >&2
    exit 1
fi
if ! PYTHONPATH=. python3 -c "import sys; from grader.grade import stub_baseline
sys.exit(stub_baseline('.', {chapter}, None, 1) is None)"; then
    echo "setup: grading the untouched stubs of chapter {chapter} failed; the kit is broken, not the image" >&2
    exit 1
fi
"""

RUN = """#!/usr/bin/env bash
# Grades /autograder/submission for chapter {chapter}; never ends without writing results.json.
# COPS_TIME_LIMIT: the assignment's time limit on Gradescope in seconds (default 2400,
# Gradescope's common 40 minutes). Grading stops a minute before it, and writes what it has.
limit=${{COPS_TIME_LIMIT:-2400}}
case "$limit" in ''|*[!0-9]*) limit=2400 ;; esac
[ "$limit" -ge 180 ] || limit=180
results=/autograder/results/results.json
mkdir -p /autograder/results
rm -f "$results"
fallback() {{  # a zero score that says why; python3 escapes the message if it is there
    python3 -c 'import json, sys; json.dump({{"score": 0, "output": sys.argv[1] + " Please tell your instructor.",
        "output_format": "text", "visibility": "visible", "stdout_visibility": "visible", "tests": []}},
        open(sys.argv[2], "w"))' "$1" "$results" 2>/dev/null ||
    echo '{{"score": 0, "output": "The autograder could not run (no python3). Please tell your instructor.",
        "visibility": "visible", "tests": []}}' > "$results"
}}
if ! cd /autograder/source/kit 2>/dev/null; then
    fallback "The autograder is broken: /autograder/source/kit is missing."
    exit 0
fi
# A broken image is never the student's fault: the tools first, checked, never installed.
if ! tools=$(COPS_TOOLS_FOR=grading COPS_TOOLS_NO_INSTALL=1 bash mk/check-tools.sh --quiet 2>&1); then
    fallback "The autograder's image is broken, not your submission: $tools"
    exit 0
fi
# The kit (with the reference solution and the hidden tests) is root's alone; the
# submission's build and boots run as cops-grader in a copy it owns (grader/limits.py).
chmod -R go-rwx /autograder/source /autograder/submission 2>/dev/null
export COPS_GRADE_USER=$(id -u cops-grader >/dev/null 2>&1 && echo cops-grader)  # made by setup.sh
# The grader stops itself 60 s before the limit; timeout is the backstop 30 s before it.
timeout -k 10 $((limit - 30)) env PYTHONPATH=. python3 -m grader --root . grade --chapter {chapter} \\
    --submission /autograder/submission --out /autograder/results --time-limit $((limit - 60))
status=$?
if ! python3 -c 'import json, sys; json.load(open(sys.argv[1]))["score"]' "$results" 2>/dev/null; then
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        fallback "Grading was stopped at the time limit ($limit s) before it could report."
    else
        fallback "The grader itself failed (exit status $status)."
    fi
fi
exit 0
"""


def _add(zf: zipfile.ZipFile, arcname: str, text: str) -> None:
    info = zipfile.ZipInfo(arcname)
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    zf.writestr(info, text)


def make_bundle(root: str, chapter: int, out_zip: str) -> str:
    """Writes the bundle for @chapter to @out_zip (hidden tests included: it stays with the instructor)."""
    with tempfile.TemporaryDirectory() as tmp:
        kit = os.path.join(tmp, "kit")
        labs.copy_kit(root, kit)
        os.makedirs(os.path.dirname(os.path.abspath(out_zip)), exist_ok=True)
        with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as zf:
            _add(zf, "setup.sh", SETUP.format(chapter=chapter))
            _add(zf, "run_autograder", RUN.format(chapter=chapter))
            for dirpath, _, files in os.walk(kit):
                for name in files:
                    path = os.path.join(dirpath, name)
                    zf.write(path, os.path.join("kit", os.path.relpath(path, kit)))
    return out_zip
