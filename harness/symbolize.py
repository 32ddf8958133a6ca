"""Turning the kernel's `bt#N 0x...` backtrace lines into function and file:line."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

_BT = re.compile(r"^\s*bt#(\d+) (0x[0-9a-fA-F]+)\s*$")


def addr2line_tool() -> str | None:
    """The cross addr2line (honours CROSS_COMPILE)."""
    prefix = os.environ.get("CROSS_COMPILE", "riscv64-linux-gnu-")
    return shutil.which(prefix + "addr2line")


def symbolize_lines(lines: list[str], elf: str) -> list[str]:
    """Returns @lines with every backtrace line followed by its symbol and source line."""
    addrs = [m.group(2) for line in lines if (m := _BT.match(line))]
    tool = addr2line_tool()
    if not addrs or tool is None or not os.path.exists(elf):
        return list(lines)
    # A return address points after the call; step back one byte to name the call site.
    query = [hex(max(int(a, 16) - 1, 0)) for a in addrs]
    try:
        out = subprocess.run([tool, "-f", "-C", "-p", "-e", elf, *query], capture_output=True, text=True,
                             timeout=20).stdout.splitlines()
    except (OSError, subprocess.TimeoutExpired):
        return list(lines)
    names = dict(zip(addrs, out))
    result = []
    for line in lines:
        m = _BT.match(line)
        if m and m.group(2) in names:
            result.append(f"{line.rstrip()}  {names[m.group(2)]}")
        else:
            result.append(line)
    return result


_PC = re.compile(r"at pc (0x[0-9a-fA-F]+)")


def where_pc(text: str, elf: str) -> list[str]:
    """The function and file:line of the `at pc 0x...` in @text, inline frames first
    (a timeout's pc is where a hart was when the budget ran out; with -i it names
    the test's own line even when the loop was inlined). Empty if it cannot tell."""
    m = _PC.search(text)
    tool = addr2line_tool()
    if not m or tool is None or not os.path.exists(elf):
        return []
    try:
        out = subprocess.run([tool, "-f", "-C", "-i", "-p", "-e", elf, m.group(1)], capture_output=True, text=True,
                             timeout=20).stdout.splitlines()
    except (OSError, subprocess.TimeoutExpired):
        return []
    frames = [line.strip() for line in out if line.strip() and not line.startswith("??")]
    return [f"where the pc was: {frames[0]}"] + [f"  {f}" for f in frames[1:4]] if frames else []
