"""Command line of the grader.

    python3 -m grader grade   --chapter N [--submission DIR] [--out DIR]
    python3 -m grader batch   --chapter N --submissions DIR --csv FILE [--jobs J]
    python3 -m grader handout --chapter N --out DIR [--only]
"""
from __future__ import annotations

import argparse
import csv
import glob
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from grader import formats
from grader.limits import GradeUserError
from grader.grade import grade
from grader.rubric import RubricError, load_rubric
from grader.self_check import coverage_lines, run_unit_tests
from harness import labs


def write_reports(g, out: str) -> None:
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "results.json"), "w", encoding="utf-8") as f:
        f.write(formats.gradescope_json(g))
    with open(os.path.join(out, "junit.xml"), "w", encoding="utf-8") as f:
        f.write(formats.junit_xml(g))


def cmd_grade(args) -> int:
    if args.submission is not None and not os.path.isdir(args.submission):
        what = "is a file, not a folder" if os.path.exists(args.submission) else "does not exist"
        print(f"grader: submission {args.submission} {what}; SUBMISSION= (or --submission) "
              "takes the folder with the student's files, laid out like the kit", file=sys.stderr)
        return 2
    if args.time_limit is not None and args.time_limit <= 0:
        print(f"grader: --time-limit takes a positive number of seconds, not {args.time_limit:g}", file=sys.stderr)
        return 2
    g = grade(args.root, args.chapter, args.submission, args.rubric, args.budget_scale, time_limit=args.time_limit)
    print(formats.table(g))
    if args.submission is None:  # the student's self-check: say what it covers
        rubric = load_rubric(args.rubric or os.path.join(args.root, "grader", "rubric", f"ch{args.chapter}.toml"))
        unit = run_unit_tests(args.root, args.chapter) if g.build_ok else None
        print("\n".join(coverage_lines(g, rubric, unit)))
    out = args.out or os.path.join(args.root, "build", f"grade-ch{args.chapter}")
    write_reports(g, out)
    print(f"grader: results.json and junit.xml in {out} ({g.seconds:.0f} s)")
    return 0


def cmd_batch(args) -> int:
    subs = sorted(d for d in os.listdir(args.submissions) if os.path.isdir(os.path.join(args.submissions, d)))
    if not subs:
        print(f"grader: no submission folders in {args.submissions}")
        return 1

    def one(name):
        g = grade(args.root, args.chapter, os.path.join(args.submissions, name), args.rubric, args.budget_scale)
        write_reports(g, os.path.join(args.out or os.path.join(args.root, "build", "batch"), name))
        print(f"  {name}: {g.score:g}/{g.max_score:g}", flush=True)
        return name, g

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        graded = list(pool.map(one, subs))
    with open(args.csv, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(formats.CSV_HEADER)
        for name, g in graded:
            w.writerow(formats.csv_row(name, g))
    print(f"grader: {len(graded)} submissions graded into {args.csv}")
    return 0


# Files that check the reference solution itself; they would fail in a handout.
INSTRUCTOR_ONLY = ["harness/tests/test_labs.py", "harness/tests/test_disk.py", "harness/tests/test_guide_mistakes.py",
                   "harness/tests/test_fpga_image.py", "harness/tests/test_stress_run.py",
                   "harness/tests/test_boot_entry_race.py"]


HANDOUT_MARK = ".cops-handout"


class HandoutError(ValueError):
    """@out cannot take a handout (it would destroy something)."""


def check_handout_target(root: str, out: str) -> None:
    """Raises HandoutError unless @out is new, empty, or a handout cut before (which
    is replaced): never the kit itself, a folder holding it, or anything else."""
    real_out, real_root = os.path.realpath(out), os.path.realpath(root)
    if real_out == real_root or real_root.startswith(real_out.rstrip(os.sep) + os.sep):
        raise HandoutError(f"OUT={out} is the kit or a folder that holds it; choose a new folder")
    handouts = os.path.join(real_root, "handout") + os.sep
    if real_out.startswith(real_root + os.sep) and not real_out.startswith(handouts):
        raise HandoutError(f"OUT={out} is inside the kit (the copy would copy itself); choose a folder "
                           "outside it, or leave OUT out for the default handout/chN")
    if os.path.exists(out):
        if not os.path.isdir(out):
            raise HandoutError(f"OUT={out} is a file; choose a new folder")
        if os.listdir(out) and not os.path.exists(os.path.join(out, HANDOUT_MARK)):
            raise HandoutError(f"OUT={out} exists and is not a handout cut before (no {HANDOUT_MARK}); "
                               "choose a new folder, or remove it yourself")


def make_handout(root: str, chapter: int, out: str, only: bool = False) -> int:
    """Cuts the student kit for @chapter into @out; returns the number of regions cut."""
    check_handout_target(root, out)
    if os.path.exists(out):
        shutil.rmtree(out)
    labs.copy_kit(root, out)
    with open(os.path.join(out, HANDOUT_MARK), "w", encoding="utf-8") as f:
        f.write(f"chapter {chapter}\n")
    # Instructor-only: hidden tests, and the self-checks that grade the reference solution.
    shutil.rmtree(os.path.join(out, "grader", "hidden"), ignore_errors=True)
    shutil.rmtree(os.path.join(out, "grader", "tests"), ignore_errors=True)
    for name in INSTRUCTOR_ONLY:
        path = os.path.join(out, name)
        if os.path.exists(path):
            os.remove(path)
    labs.drop_later_chapters(out, chapter)
    n = labs.cut_tree(out, chapter, only_chapter=only)
    readme = os.path.join(out, "README.md")
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    scope = f"chapter {chapter}" if only else f"chapters 1 to {chapter}"
    markers = ", ".join(f"`TODO(ch{c})`" for c in ([chapter] if only else range(1, chapter + 1)))
    banner = (f"> **Student handout for chapter {chapter}.** The parts you write in {scope} are marked "
              f"{markers}; see each chapter's README.md. Check yourself with `make grade CH={chapter}`.\n\n")
    with open(readme, "w", encoding="utf-8") as f:
        f.write(banner + text)
    make_repository(out, chapter)
    return n


def make_repository(out: str, chapter: int) -> None:
    """Makes the handout a git repository with one commit: the student's history starts
    there, and `make format-check` (which lists files with git) sees every source."""
    if shutil.which("git") is None:
        print("grader: git is not installed, so the handout is not a repository (apt-get install git)",
              file=sys.stderr)
        return
    def git(*argv: str) -> None:
        subprocess.run(["git", "-c", "user.name=COPS lab kit", "-c", "user.email=kit@localhost",
                        "-c", "init.defaultBranch=main", *argv], cwd=out, check=True, capture_output=True)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", f"COPS lab kit: the chapter {chapter} handout")


def cmd_handout(args) -> int:
    try:
        n = make_handout(args.root, args.chapter, args.out, args.only)
    except HandoutError as e:
        print(f"grader: {e}", file=sys.stderr)
        return 2
    print(f"grader: handout for chapter {args.chapter} in {args.out} ({n} lab regions replaced by stubs)")
    return 0


def cmd_gradescope(args) -> int:
    from grader.gradescope import make_bundle
    out = args.out or os.path.join(args.root, "build", f"gradescope-ch{args.chapter}.zip")
    make_bundle(args.root, args.chapter, out)
    print(f"grader: Gradescope autograder for chapter {args.chapter}: {out} (upload it as the autograder zip)")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m grader", description="COPS kit autograder")
    p.add_argument("--root", default=os.getcwd())
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade one submission (or the working tree with public tests)")
    g.add_argument("--chapter", type=int, required=True)
    g.add_argument("--submission", help="folder with the student's files (same layout as the kit)")
    g.add_argument("--out", help="where results.json and junit.xml go")
    g.add_argument("--rubric")
    g.add_argument("--budget-scale", type=int, default=1)
    g.add_argument("--time-limit", type=float, metavar="SECONDS",
                   help="end grading within this many seconds; tests not reached score 0 and say why")
    g.set_defaults(func=cmd_grade)

    b = sub.add_parser("batch", help="grade every folder of a directory in parallel into a CSV")
    b.add_argument("--chapter", type=int, required=True)
    b.add_argument("--submissions", required=True)
    b.add_argument("--csv", required=True)
    b.add_argument("--out")
    b.add_argument("--jobs", type=int, default=2)
    b.add_argument("--rubric")
    b.add_argument("--budget-scale", type=int, default=1)
    b.set_defaults(func=cmd_batch)

    h = sub.add_parser("handout", help="cut the student kit")
    h.add_argument("--chapter", type=int, required=True)
    h.add_argument("--out", required=True)
    h.add_argument("--only", action="store_true", help="stub only this chapter's regions")
    h.set_defaults(func=cmd_handout)

    z = sub.add_parser("gradescope", help="build the Gradescope autograder zip")
    z.add_argument("--chapter", type=int, required=True)
    z.add_argument("--out")
    z.set_defaults(func=cmd_gradescope)

    args = p.parse_args(argv)
    try:
        return args.func(args)
    except (RubricError, GradeUserError) as e:
        print(f"grader: error: {e}", file=sys.stderr)
        return 2
