"""Parsing the TAP lines a test kernel prints.

The kernel's protocol (ch1-executor/kernel/test/ktest_main.cpp):
    TAP version 13
    1..N                         plan: N tests in the image
    #> k name                    test k starts (so a crash can be attributed)
    #   diagnostic               why the running (or just reported) test failed
    ok k - name # nonce:<hex>
    not ok k - name # nonce:<hex>
    # ktest done: N failed # nonce:<hex>   the runner's closing line
Anything else is console output and is kept only as context.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Union

_PLAN = re.compile(r"^1\.\.(\d+)\s*$")
_START = re.compile(r"^#> (\d+) (\S+)(?: (\S+))?\s*$")
_RESULT = re.compile(r"^(not )?ok (\d+) - (\S+)(?: # nonce:(\S+))?\s*$")
_DONE = re.compile(r"^# ktest done: (\d+) failed(?: # nonce:(\S+))?\s*$")
_DIAG = re.compile(r"^#(?: (.*))?$")


@dataclass(frozen=True)
class Plan:
    """`1..N`."""
    count: int


@dataclass(frozen=True)
class Start:
    """`#> k name [file]`."""
    number: int
    name: str
    file: str | None = None


@dataclass(frozen=True)
class Result:
    """`ok k - name # nonce:X` or `not ok ...`."""
    ok: bool
    number: int
    name: str
    nonce: str | None


@dataclass(frozen=True)
class Done:
    """`# ktest done: N failed # nonce:X`: the runner got to its end."""
    failed: int
    nonce: str | None


@dataclass(frozen=True)
class Diagnostic:
    """`# text`."""
    text: str


@dataclass(frozen=True)
class Other:
    """Any other console line."""
    text: str


Event = Union[Plan, Start, Result, Done, Diagnostic, Other]


def parse_line(line: str) -> Event:
    """Classifies one console line."""
    line = line.rstrip("\r\n")
    if m := _PLAN.match(line):
        return Plan(int(m.group(1)))
    if m := _START.match(line):
        return Start(int(m.group(1)), m.group(2), m.group(3))
    if m := _RESULT.match(line):
        return Result(m.group(1) is None, int(m.group(2)), m.group(3), m.group(4))
    if m := _DONE.match(line):
        return Done(int(m.group(1)), m.group(2))
    if m := _DIAG.match(line):
        return Diagnostic((m.group(1) or "").strip())
    return Other(line)


def parse(lines: Iterable[str]) -> Iterator[Event]:
    """Classifies every line."""
    for line in lines:
        yield parse_line(line)
