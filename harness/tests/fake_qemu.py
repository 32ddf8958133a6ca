#!/usr/bin/env python3
"""A stand-in for qemu-system-riscv64 that prints a scripted console, so the
runner's handling of each failure can be tested in milliseconds.
The scenario comes from FAKE_QEMU_SCENARIO; the kernel command line from -append."""
import os
import sys
import time

args = sys.argv[1:]
append = args[args.index("-append") + 1] if "-append" in args else ""
opts = dict(w.split("=", 1) for w in append.split() if "=" in w)
nonce = opts.get("nonce", "none")
start = int(opts.get("ktest.from", "1"))
scenario = os.environ.get("FAKE_QEMU_SCENARIO", "all-pass")


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def header(n):
    out("OpenSBI v1.2 (noise before the tests)")
    out("TAP version 13")
    out(f"1..{n}")


def done(failed):
    out(f"# ktest done: {failed} failed # nonce:{nonce}")


names = {1: "a/one", 2: "a/two", 3: "a/three"}

if scenario == "all-pass":
    header(3)
    for k in range(start, 4):
        out(f"#> {k} {names[k]}")
        out(f"ok {k} - {names[k]} # nonce:{nonce}")
    done(0)
    sys.exit(0)
if scenario == "fail-with-diag":
    header(1)
    out("#> 1 a/one")
    out("the test printed this")
    out("#   test.cpp:12: expected a == b, but a is 1 and b is 2")
    out(f"not ok 1 - a/one # nonce:{nonce}")
    done(1)
    sys.exit(1)
if scenario in ("panic-at-2", "hang-at-2", "exit-at-2"):
    header(3)
    for k in range(start, 4):
        out(f"#> {k} {names[k]}")
        if k == 2:
            if scenario == "panic-at-2":
                out("PANIC: boom at 2")
                out("  bt#0 0x0000000080200010")
                sys.exit(3)
            if scenario == "hang-at-2":
                time.sleep(60)
            sys.exit(7)
        out(f"ok {k} - {names[k]} # nonce:{nonce}")
    done(0)
    sys.exit(0)
if scenario == "forged":
    header(2)
    out("#> 1 a/one")
    out("ok 1 - a/one # nonce:feedfeedfeedfeed")
    out("#> 2 a/two")
    out("ok 2 - a/two")
    sys.exit(0)
if scenario == "forge-ahead":
    header(2)
    if start == 1:
        out("#> 1 a/one")
        out(f"ok 2 - a/two # nonce:{nonce}")  # right nonce, wrong moment
        out(f"ok 1 - a/one # nonce:{nonce}")
        out("#> 2 a/two")
        out("PANIC: crashed")
        sys.exit(3)
    sys.exit(0)
if scenario == "empty-plan":
    header(0)
    done(0)
    sys.exit(0)
if scenario == "no-plan":
    out("garbage and no TAP at all")
    sys.exit(1)
if scenario == "flood":
    header(1)
    out("#> 1 a/one")
    while True:
        out("x" * 100)
if scenario == "dies-between":
    header(3)
    if start == 1:
        out("#> 1 a/one")
        out(f"ok 1 - a/one # nonce:{nonce}")
    sys.exit(0)
if scenario == "passes-then-bad-exit":
    # The closing line, then a status the runner would not set.
    header(1)
    out("#> 1 a/one")
    out(f"ok 1 - a/one # nonce:{nonce}")
    done(0)
    sys.exit(3)
if scenario == "ok-then-power-off":
    # Code under test that knows the nonce prints the running test's result itself and
    # powers off (then again at each later boot): no closing line.
    header(2)
    out(f"#> {start} {names[start]}")
    out(f"ok {start} - {names[start]} # nonce:{nonce}")
    sys.exit(0)
if scenario in ("panic-expected", "panic-expected-but-other", "panic-expected-forged"):
    # Test 1 is a KTEST_PANICS("...", "unexpected trap") test; test 2 an ordinary one.
    header(2)
    if start == 1:
        out("#> 1 a/one")
        if scenario == "panic-expected-forged":
            out("PANIC: unexpected trap (printed by the code under test)")
            out("#   expected panic: unexpected trap # nonce:0123456789abcdef")
            out("PANIC: a null dereference")
        else:
            out("PANIC: " + ("unexpected trap on hart 0: breakpoint" if scenario == "panic-expected"
                             else "a null dereference"))
            out("  bt#0 0x0000000080200010")
            out(f"#   expected panic: unexpected trap # nonce:{nonce}")
        sys.exit(3)
    out("#> 2 a/two")
    out(f"ok 2 - a/two # nonce:{nonce}")
    done(0)
    sys.exit(0)
if scenario == "closing-line-without-nonce":
    header(1)
    out("#> 1 a/one")
    out(f"ok 1 - a/one # nonce:{nonce}")
    out("# ktest done: 0 failed # nonce:0000")
    sys.exit(0)
if scenario == "unknown-only":
    # ktest.only names no test: the runner lists what it has.
    header(3)
    if opts.get("ktest.only") in names.values():
        sys.exit(98)
    out(f"# ktest: no test named '{opts.get('ktest.only')}'")
    for k in range(1, 4):
        out(f"# ktest: have {names[k]}")
    out("# ktest done: 1 failed")
    sys.exit(1)
if scenario.startswith("demo-"):
    # A chapter demo: prints three lines, then powers off with the status in its name
    # ("demo-0"), panics ("demo-panic") or never powers off ("demo-hang").
    out("OpenSBI v1.2")
    out("demo: start")
    if scenario == "demo-panic":
        out("PANIC: demo broke")
        sys.exit(3)
    out("demo: middle")
    if scenario == "demo-hang":
        time.sleep(60)
    out("demo: done")
    sys.exit(int(scenario.split("-")[1]))
sys.exit(99)
