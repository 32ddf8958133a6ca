"""What a submission's files may read when they are compiled, and what they may ask
the assembler to read.

Before the build, each of the submission's files is preprocessed on its own with the
kernel's flags (`-E`, with the list of files it read written by `-MD`). Nothing of
this run is shown to the student: a file that `#include`s /etc/passwd cannot put its
lines into the report. The submission is refused when one of its files

* reads a file outside the chapter's own folders (chapters 1..N), the include
  folders of the build and the compiler's own headers: an absolute `#include` of the
  kit's reference solution, a later chapter's code, the hidden tests under
  `grader/`, or any other file on the machine;
* includes anything that is not a header (`.cpp`, `.c`, `.S`: somebody's code);
* asks the assembler to read a file (`.incbin`, `.include`, in any case, also when
  the directive is split over adjacent string literals).

What remains open is listed in grader/README.md (threat model).
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile

HEADER_SUFFIXES = (".h", ".hpp", ".hh", ".hxx", ".inc", ".def", "")  # "" : <cstdint> and friends
_ADJACENT_LITERALS = re.compile(r'"\s*"')
_ASSEMBLER_READS = re.compile(r"\.\s*(incbin|include)\b", re.IGNORECASE)


def _make_vars(kit: str, chapter: int) -> dict[str, str]:
    out = subprocess.run(["make", "--no-print-directory", "-s", "-f", "mk/kernel.mk", f"CH={chapter}", "print-vars"],
                         cwd=kit, capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def _system_dirs(cxx: list[str], flags: list[str]) -> list[str]:
    """The compiler's own include folders (`-v` prints them)."""
    run = subprocess.run([*cxx, *flags, "-E", "-v", "-x", "c++", os.devnull], capture_output=True, text=True)
    dirs, inside = [], False
    for line in run.stderr.splitlines():
        if line.startswith("#include <...> search starts here"):
            inside = True
        elif line.startswith("End of search list"):
            break
        elif inside and line.startswith(" "):
            dirs.append(os.path.realpath(line.strip()))
    return dirs


def _inside(path: str, folders: list[str]) -> bool:
    return any(path == f or path.startswith(f + os.sep) for f in folders)


def _deps(depfile: str) -> list[str]:
    try:
        with open(depfile, encoding="utf-8", errors="replace") as f:
            text = f.read().replace("\\\n", " ")
    except OSError:
        return []
    first_rule = text.split("\n", 1)[0]
    return first_rule.split(":", 1)[1].split() if ":" in first_rule else []


def check(kit: str, chapter: int, files: list[str]) -> list[str]:
    """Problems with the submission's @files (paths relative to @kit, already laid
    into it); [] when there are none. Each problem names the file and what it read."""
    kit = os.path.realpath(kit)
    v = _make_vars(kit, chapter)
    # The compiler itself, without a ccache in front (COPS_CCACHE, mk/toolchain.mk).
    cxx = [w for w in shlex.split(v.get("TARGET_CXX", "riscv64-linux-gnu-g++")) if os.path.basename(w) != "ccache"]
    flags = [f for f in v.get("KERNEL_CXXFLAGS", "").split() if not f.startswith("-I")]
    layers = v.get("LAYERS", "").split()
    includes = [f[2:] for f in v.get("KERNEL_CXXFLAGS", "").split() if f.startswith("-I")]
    includes += [os.path.join(kit, layer, "user", "include") for layer in layers]
    allowed = [os.path.realpath(os.path.join(kit, layer)) for layer in layers]
    allowed += [os.path.realpath(d) for d in includes] + _system_dirs(cxx, flags)
    problems = []
    with tempfile.TemporaryDirectory(prefix="cops-srccheck-") as tmp:
        for n, rel in enumerate(files):
            path = os.path.join(kit, rel)
            if not os.path.isfile(path):
                continue
            depfile = os.path.join(tmp, f"deps{n}.d")
            lang = ["-x", "c++"] if rel.endswith((".hpp", ".h")) else []
            common = [*cxx, *flags, *[f"-I{d}" for d in includes], *lang]
            # What it reads (-M; -MG: a header that is missing is listed, not an error) ...
            subprocess.run([*common, "-M", "-MG", "-MF", depfile, "-MT", "x", path], cwd=os.path.dirname(path),
                           capture_output=True, timeout=120)
            # ... and what it gives the assembler (the preprocessed text, never shown).
            run = subprocess.run([*common, "-E", path, "-o", "-"], cwd=os.path.dirname(path), capture_output=True,
                                 text=True, errors="replace", timeout=120)
            for dep in _deps(depfile):
                real = os.path.realpath(dep if os.path.isabs(dep) else os.path.join(os.path.dirname(path), dep))
                if real == os.path.realpath(path) or not os.path.exists(real):
                    continue
                shown = os.path.relpath(real, kit) if _inside(real, [kit]) else real
                if not _inside(real, allowed) or _inside(real, [os.path.join(kit, "grader"), os.path.join(kit, "build")]):
                    problems.append(f"{rel} reads {shown}, which is outside this chapter's folders and include "
                                    "folders: a submission may include the kit's headers only")
                elif not real.endswith(HEADER_SUFFIXES) or os.path.splitext(real)[1] in (".cpp", ".cc", ".c", ".S"):
                    problems.append(f"{rel} includes {shown}, which is not a header: a submission may include "
                                    "headers only")
            joined = _ADJACENT_LITERALS.sub("", run.stdout)
            if m := _ASSEMBLER_READS.search(joined):
                problems.append(f"{rel} asks the assembler to read a file (.{m.group(1).lower()}): "
                                "a submission may not embed files")
    return problems
