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
