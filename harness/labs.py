"""Lab regions: the parts of the reference solution that students write.

In the reference code a region looks like this (any indentation):

    // LAB(ch1): pick the most urgent ready coroutine
    ...reference code...
    // LAB-STUB: return nullptr;
    // END-LAB

Cutting replaces it with `// TODO(ch1): <description>`, the region's hint (the
comment lines right after the LAB line, kept as they are: they tell the student
what to write) and the stub lines.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess

_BEGIN = re.compile(r"^(\s*)// LAB\(ch(\d+)\):\s*(.*)$")
_STUB = re.compile(r"^\s*// LAB-STUB:\s?(.*)$")
_END = re.compile(r"^\s*// END-LAB\s*$")
_COMMENT = re.compile(r"^\s*//")


class LabRegionError(ValueError):
    """A region that is not closed, or nested."""


def cut_text(text: str, max_chapter: int, only_chapter: bool = False, path: str = "<text>") -> tuple[str, int]:
    """Returns (text with the regions of chapters <= max_chapter cut, regions cut).
    With only_chapter, only regions of exactly max_chapter are cut."""
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    cut = 0
    while i < len(lines):
        m = _BEGIN.match(lines[i])
        if not m:
            if _END.match(lines[i]) or _STUB.match(lines[i]):
                raise LabRegionError(f"{path}:{i + 1}: LAB-STUB or END-LAB outside a LAB region")
            out.append(lines[i])
            i += 1
            continue
        indent, chapter, what = m.group(1), int(m.group(2)), m.group(3)
        start = i
        stubs: list[str] = []
        hint: list[str] = []
        in_hint = True
        region = [lines[i]]
        i += 1
        while i < len(lines) and not _END.match(lines[i]):
            if _BEGIN.match(lines[i]):
                raise LabRegionError(f"{path}:{i + 1}: LAB region inside the one opened at line {start + 1}")
            if s := _STUB.match(lines[i]):
                stubs.append(s.group(1))
                in_hint = False
            elif in_hint and _COMMENT.match(lines[i]):
                hint.append(lines[i])
            else:
                in_hint = False
            region.append(lines[i])
            i += 1
        if i == len(lines):
            raise LabRegionError(f"{path}:{start + 1}: LAB region is not closed with // END-LAB")
        region.append(lines[i])
        i += 1
        selected = chapter == max_chapter if only_chapter else chapter <= max_chapter
        if not selected:
            out.extend(region)
            continue
        cut += 1
        out.append(f"{indent}// TODO(ch{chapter}): {what}")
        out.extend(hint)
        out.extend(f"{indent}{s}" for s in stubs)
    return "\n".join(out), cut


SOURCE_SUFFIXES = (".hpp", ".cpp", ".h", ".S")


def cut_tree(root: str, max_chapter: int, only_chapter: bool = False) -> int:
    """Cuts every source file under @root in place; returns the number of regions cut."""
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("build", ".git")]
        for name in filenames:
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            new, n = cut_text(text, max_chapter, only_chapter, path)
            if n:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(new)
                total += n
    return total


def tracked_files(src: str) -> list[str] | None:
    """The files git tracks in @src (relative paths), or None if @src is not a git checkout."""
    try:
        out = subprocess.run(["git", "-C", src, "ls-files", "-z"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    # .git is a folder in a clone and a file in a worktree (git worktree add).
    if out.returncode != 0 or not os.path.exists(os.path.join(src, ".git")):
        return None
    return [p for p in out.stdout.decode("utf-8", "replace").split("\0") if p]


def copy_kit(src: str, dst: str) -> None:
    """Copies the kit's sources to @dst: in a git checkout the files git tracks (nothing
    stray, nothing built, however deep), else every file but build output and git data."""
    files = tracked_files(src)
    if files is None:
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("build", ".git", "__pycache__", "handout"))
        return
    os.makedirs(dst, exist_ok=True)
    for rel in files:
        path = os.path.join(src, rel)
        if not os.path.isfile(path) or os.path.islink(path):
            continue  # deleted in the working tree, or a link: not part of a kit
        target = os.path.join(dst, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(path, target)


def board_parent_chapter(kit: str) -> int:
    """The chapter the board port (fpga/layer.mk's PARENT) sits on; 0 if there is none."""
    try:
        with open(os.path.join(kit, "fpga", "layer.mk"), encoding="utf-8") as f:
            for line in f:
                if m := re.match(r"PARENT\s*:=\s*ch(\d+)-", line):
                    return int(m.group(1))
    except OSError:
        pass
    return 0


def drop_later_chapters(kit: str, chapter: int) -> None:
    """Removes from @kit every chapter above @chapter, with its rubric: a class handed
    chapter N must not receive the reference solutions of the chapters to come."""
    for path in glob.glob(os.path.join(kit, "ch[0-9]*-*")):
        m = re.match(r"ch(\d+)-", os.path.basename(path))
        if m and int(m.group(1)) > chapter and os.path.isdir(path):
            shutil.rmtree(path)
    board = os.path.join(kit, "fpga")
    if os.path.isdir(board) and board_parent_chapter(kit) > chapter:
        shutil.rmtree(board)  # the board port runs the newest chapter's kernel
    for path in glob.glob(os.path.join(kit, "grader", "rubric", "ch*.toml")):
        m = re.match(r"ch(\d+)\.toml$", os.path.basename(path))
        if m and int(m.group(1)) > chapter:
            os.remove(path)
    doxyfile = os.path.join(kit, "docs", "Doxyfile")
    if os.path.exists(doxyfile):  # Doxygen fails on an INPUT folder that is not there
        with open(doxyfile, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for i, line in enumerate(lines):
            if line.startswith("INPUT ") or line.startswith("INPUT="):
                key, _, value = line.partition("=")
                kept = [v for v in value.split() if os.path.exists(os.path.join(kit, v))]
                lines[i] = f"{key}= {' '.join(kept)}"
        with open(doxyfile, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
