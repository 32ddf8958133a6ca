"""What a submission's compiled code may reach.

A submission's kernel files are linked into the test kernel beside the test runner,
with the same privilege. To pass tests it did not earn, code there would have to act
as the runner: replace the console's backend (and rewrite the runner's lines), read
the run's nonce from the boot arguments, print result lines, power QEMU off. Each of
those goes through a kit function or symbol that no lab needs. After the build, the
grader reads the symbols every object compiled from a submitted file references or
defines (`nm`) and refuses the submission if one is on the list below.

Submitted headers (chapter 1's intrusive_list.hpp, priority_bitmap.hpp, leveled_queue.hpp) are compiled
into kit files too, so their objects cannot tell the header's code from the kit's. They
are checked through probes: a translation unit per header that includes it, instantiates
its class templates and keeps every inline function (-fkeep-inline-functions).

What this does not stop (grader/README.md, threat model): code that finds the runner's
data by scanning memory, or writes device registers through raw pointers. The runner
keeps the nonce out of the boot arguments before any submitted code runs, and a boot
that ends without the runner's closing line, or with a status the runner did not set,
turns its last result into a crash (harness/ktest.py).
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile

# (pattern over demangled names, what it is). Matched against every symbol a submitted
# file's object references (undefined) or defines: defining one would replace a weak
# kit symbol or collide with the runner.
DENIED: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^cops::test::"), "the test runner"),
    (re.compile(r"^cops::console::(set_backend|seize)\("), "taking over the console (only the runner and panic do)"),
    (re.compile(r"^cops::boot::"), "the boot code: the boot arguments (the run's nonce), the device tree, the boot facts"),
    (re.compile(r"^cops::init::"), "the boot order"),
    (re.compile(r"^cops::dev::(power_off|probe_finisher)\("), "powering QEMU off"),
    (re.compile(r"^cops::arch::sbi::"), "the firmware (SBI): console, shutdown, timers"),
    (re.compile(r"^cops::arch::watchdog::"), "the test runner's watchdog"),
    (re.compile(r"^cops::panic_action$"), "the test runner's panic hook"),
    (re.compile(r"^(app_main|kernel_boot|kernel_secondary_boot|__ktest_start|__ktest_end|"
                r"__init_array_start|__init_array_end)$"), "the boot and the test runner"),
]

# The probes for chapter 1's submitted headers, one per header: each includes it and
# instantiates its templates, so the code of every member lands in an object of its own.
HEADER_PROBES = {
    "cops/lib/intrusive_list.hpp": """\
#include "cops/lib/intrusive_list.hpp"
namespace cops_probe {
struct Tag {};
struct Item : cops::lib::ListHook<Tag> {};
struct DefaultItem : cops::lib::ListHook<> {};
}  // namespace cops_probe
template struct cops::lib::ListHook<cops_probe::Tag>;
template class cops::lib::IntrusiveList<cops_probe::Item, cops_probe::Tag>;
template class cops::lib::IntrusiveList<cops_probe::DefaultItem>;
""",
    "cops/sched/priority_bitmap.hpp": '#include "cops/sched/priority_bitmap.hpp"\n',
    "cops/sched/leveled_queue.hpp": """\
#include "cops/sched/leveled_queue.hpp"
namespace cops_probe {
struct Tag {};
struct Item : cops::lib::ListHook<Tag> {};
}  // namespace cops_probe
template class cops::sched::LeveledQueue<cops_probe::Item, cops_probe::Tag>;
""",
}

_NM_LINE = re.compile(r"^\s*(?:[0-9a-fA-F]+\s+)?([A-Za-z?])\s+(.+)$")


def symbols(nm: str, obj: str) -> list[tuple[str, str]]:
    """(kind letter, demangled name) of every symbol @obj references or defines."""
    run = subprocess.run([nm, "-C", obj], capture_output=True, text=True, errors="replace", timeout=60)
    found = []
    for line in run.stdout.splitlines():
        m = _NM_LINE.match(line)
        if m and m.group(1) not in ("a", "N", "n", "t", "d", "b", "r", "?"):  # local symbols are the file's own
            found.append((m.group(1), m.group(2).strip()))
    return found


def denied(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(name, what it is) for each symbol in @found that submitted code may not touch."""
    out = []
    for _, name in found:
        for pattern, what in DENIED:
            if pattern.search(name):
                out.append((name, what))
                break
    return out


def _objects_of(build: str, rel: str) -> list[str]:
    """The objects the build made from @rel (the kernel's, the shared scheduler's)."""
    return [p for p in (os.path.join(build, "obj", rel + ".o"), os.path.join(build, "vdso", "obj", rel + ".o"))
            if os.path.exists(p)]


def _probe_header(kit: str, chapter: int, nm: str, tmp: str, probe: str) -> tuple[list[tuple[str, str]], str | None]:
    """Compiles one header probe; its symbols, or a problem if it does not compile."""
    v = subprocess.run(["make", "--no-print-directory", "-s", "-f", "mk/kernel.mk", f"CH={chapter}", "print-vars"],
                       cwd=kit, capture_output=True, text=True, check=True).stdout
    vars_ = dict(line.split("=", 1) for line in v.splitlines() if "=" in line)
    cxx = [w for w in shlex.split(vars_.get("TARGET_CXX", "riscv64-linux-gnu-g++")) if os.path.basename(w) != "ccache"]
    flags = shlex.split(vars_.get("KERNEL_CXXFLAGS", ""))
    includes = [f"-I{os.path.join(kit, layer, 'include')}" for layer in vars_.get("LAYERS", "").split()]
    src, obj = os.path.join(tmp, "probe.cpp"), os.path.join(tmp, "probe.o")
    with open(src, "w", encoding="utf-8") as f:
        f.write(probe)
    run = subprocess.run([*cxx, *flags, *includes, "-fkeep-inline-functions", "-c", src, "-o", obj],
                         capture_output=True, text=True, errors="replace", timeout=300)
    if run.returncode != 0:
        return [], run.stderr[-1500:]
    return symbols(nm, obj), None


def check(kit: str, chapter: int, build: str, files: list[str], nm: str = "riscv64-linux-gnu-nm") -> list[str]:
    """Problems with what the submitted @files (relative to @kit) compiled into, after a
    build into @build; [] when there are none."""
    problems = []
    for rel in files:
        if not rel.endswith(".cpp") or f"{os.sep}user{os.sep}" in os.sep + rel:
            continue  # user programs reach the kernel only through system calls
        for obj in _objects_of(build, rel):
            for name, what in denied(symbols(nm, obj)):
                problems.append(f"{rel} uses {name}: that is {what}, which submitted code may not use; "
                                "remove it (debug output through console::println is fine)")
    for rel in files:
        probe = next((text for header, text in HEADER_PROBES.items() if rel.endswith(header)), None)
        if probe is None:
            continue
        with tempfile.TemporaryDirectory(prefix="cops-symcheck-") as tmp:
            found, error = _probe_header(kit, chapter, nm, tmp, probe)
        if error:
            problems.append(f"{rel} does not compile on its own:\n{error}")
        for name, what in denied(found):
            problems.append(f"{rel} uses {name}: that is {what}, which submitted code may not use; remove it")
    return sorted(set(problems))
