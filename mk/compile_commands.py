#!/usr/bin/env python3
"""Writes compile_commands.json (for clangd) for chapter CH from the build's own flags.
Usage: mk/compile_commands.py ROOT CH > compile_commands.json"""
import json
import subprocess
import sys

root, ch = sys.argv[1], sys.argv[2]
out = subprocess.run(["make", "--no-print-directory", "-s", "-C", root, "-f", "mk/kernel.mk", f"CH={ch}",
                      "print-vars"], capture_output=True, text=True, check=True).stdout
vars_ = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
kernel_flags = vars_["KERNEL_CXXFLAGS"].split()
host_flags = vars_["HOST_CXXFLAGS"].split()
entries = []
for src in vars_["KERNEL_SRCS"].split():
    if src.endswith(".cpp"):
        entries.append({"directory": root, "file": f"{root}/{src}",
                        "arguments": ["riscv64-linux-gnu-g++", *kernel_flags, "-c", f"{root}/{src}"]})
for src in vars_["UNIT_SRCS"].split():
    entries.append({"directory": root, "file": f"{root}/{src}",
                    "arguments": ["g++", *host_flags, "-c", f"{root}/{src}"]})
json.dump(entries, sys.stdout, indent=1)
