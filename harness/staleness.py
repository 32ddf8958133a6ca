"""Refusing to run a kernel image older than the sources it was built from.

`python3 -m harness ktest build/chN/test-kernel.elf` boots whatever ELF it is
given. After an edit without a rebuild, that ELF is the old code, and a test
could pass for code that no longer exists. The build's dependency files (`-MMD`,
next to every object under build/chN/) list every source and header each object
was made from; a kernel image older than any of them is stale.
"""
from __future__ import annotations

import glob
import os
import re

_CHAPTER_BUILD = re.compile(r"(?:^|/)build/ch(\d+)/([a-z-]+)\.elf$")


def dependencies(build_dir: str) -> set[str]:
    """Every file named in the dependency files under @build_dir."""
    found: set[str] = set()
    for d in glob.glob(os.path.join(build_dir, "**", "*.d"), recursive=True):
        try:
            with open(d, encoding="utf-8", errors="replace") as f:
                text = f.read().replace("\\\n", " ")
        except OSError:
            continue
        for line in text.splitlines():
            _, colon, deps = line.partition(": ")
            if colon:
                found.update(p for p in deps.split() if p != "\\")
    return found


def stale_sources(elf: str) -> list[str]:
    """Sources and headers changed since @elf was built (newest first); empty if it is current."""
    try:
        built = os.path.getmtime(elf)
    except OSError:
        return []
    newer = []
    build_dir = os.path.dirname(os.path.abspath(elf))
    kit = os.path.dirname(os.path.dirname(build_dir))  # <kit>/build/chN/<image>.elf
    for path in dependencies(build_dir):
        # Kit-relative when the build made paths relative (COPS_CCACHE, mk/toolchain.mk).
        path = path if os.path.isabs(path) else os.path.join(kit, path)
        try:
            mtime = os.path.getmtime(path)
        except OSError:
            continue  # a header that is gone: make will say so when it rebuilds
        if mtime > built:
            newer.append((mtime, path))
    return [p for _, p in sorted(newer, reverse=True)]


def rebuild_command(elf: str) -> str:
    """The make command that rebuilds @elf (build/chN/<target>.elf)."""
    m = _CHAPTER_BUILD.search(os.path.abspath(elf).replace(os.sep, "/"))
    if not m:
        return "make test (it rebuilds every image)"
    return f"make -f mk/kernel.mk CH={m.group(1)} {m.group(2)}"
