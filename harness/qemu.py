"""Booting a kernel image in QEMU and capturing its console, with limits.

Every run is bounded three ways, so a broken kernel can never hang the harness:
  * the kernel's own watchdog stops a test at its instruction budget (-icount);
  * a wall-clock backstop kills QEMU if the kernel cannot even do that;
  * console output is capped, so a flood is cut off and reported.
"""
from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Callable

DEFAULT_OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"


@dataclass
class QemuConfig:
    """How to start QEMU (the same settings mk/toolchain.mk uses)."""

    qemu: str = os.environ.get("QEMU", "qemu-system-riscv64")
    opensbi: str = os.environ.get("OPENSBI", DEFAULT_OPENSBI)
    smp: int = 1
    memory: str = "128M"
    icount: bool = True               # -icount shift=0: one instruction = one virtual ns
    icount_sleep: bool = True         # False: idle time jumps to the next timer (repeatable; no console input)
    extra: list[str] = field(default_factory=list)

    def argv(self, kernel: str, append: str = "") -> list[str]:
        """The command line booting @kernel with kernel command line @append."""
        args = [self.qemu, "-machine", "virt", "-cpu", "rv64", "-smp", str(self.smp), "-m", self.memory,
                "-bios", self.opensbi, "-display", "none", "-serial", "stdio", "-monitor", "none",
                "-no-reboot", "-kernel", kernel]
        if self.icount:
            # sleep=on (the default): while every hart waits in wfi, virtual time runs at
            # real speed, so QEMU keeps polling the console for typed input.
            args += ["-icount", "shift=0" if self.icount_sleep else "shift=0,sleep=off"]
        if append:
            args += ["-append", append]
        return args + self.extra


@dataclass
class RunOutcome:
    """What one boot produced."""

    exit_code: int | None     # QEMU's exit status (None if it was killed)
    output: str               # console text (possibly cut at the cap)
    stopped: str              # "exited", "wall-timeout" or "flood"
    seconds: float

    @property
    def lines(self) -> list[str]:
        return self.output.splitlines()


def run(argv: list[str], wall_timeout: float = 120.0, output_cap: int = 1 << 20,
        stdin_data: bytes | None = None, type_on: tuple[bytes, bytes] | None = None,
        idle: bool = False, total_cap: float = 3600.0,
        preexec: Callable[[], None] | None = None) -> RunOutcome:
    """Runs @argv, capturing stdout+stderr, killing it on timeout or flood.

    stdin_data is written at once. type_on=(marker, data) types data into the console
    each time a line starting with marker appears: the kernel asks for its input when
    its driver is ready (what arrives earlier, the firmware reads and discards), and
    asks again if it did not arrive.

    With @idle the backstop is @wall_timeout seconds *without output* (a boot that
    runs many tests keeps going while they report, however loaded the machine is),
    and @total_cap seconds in all. @preexec runs in the child before QEMU starts (the
    grader sets resource limits there)."""
    if shutil.which(argv[0]) is None and not os.path.exists(argv[0]):
        return RunOutcome(None, f"harness: '{argv[0]}' not found; run `make tools` to install QEMU\n",
                          "exited", 0.0)
    start = time.monotonic()
    wants_stdin = stdin_data is not None or type_on is not None
    pending_line = b""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE if wants_stdin else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=preexec)
    if stdin_data is not None:
        try:
            proc.stdin.write(stdin_data)
            proc.stdin.flush()
        except BrokenPipeError:
            pass
    chunks: list[bytes] = []
    size = 0
    stopped = "exited"
    fd = proc.stdout.fileno()
    last_output = start
    while True:
        now = time.monotonic()
        remaining = (min(wall_timeout - (now - last_output), total_cap - (now - start)) if idle
                     else wall_timeout - (now - start))
        if remaining <= 0:
            stopped = "wall-timeout"
            break
        ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
        if not ready:
            if proc.poll() is not None:
                break
            continue
        data = os.read(fd, 65536)
        if not data:
            break
        chunks.append(data)
        size += len(data)
        last_output = time.monotonic()
        if type_on is not None:
            pending_line += data
            *complete, pending_line = pending_line.split(b"\n")
            for line in complete:
                if line.startswith(type_on[0]):
                    try:
                        proc.stdin.write(type_on[1])
                        proc.stdin.flush()
                    except BrokenPipeError:
                        pass
        if size > output_cap:
            stopped = "flood"
            break
    if stopped != "exited":
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    code = proc.wait()
    proc.stdout.close()
    if proc.stdin:
        proc.stdin.close()
    text = b"".join(chunks)[:output_cap].decode("utf-8", errors="replace")
    return RunOutcome(code if stopped == "exited" else None, text, stopped, time.monotonic() - start)
