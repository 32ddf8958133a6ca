"""Resource limits on what a submission makes run: its build and its QEMU boots.

A submission is code the grader compiles and boots, so it can ask for any amount of
memory or CPU: heavy constant expressions in one file made the compiler take 865 MB
and 71 s, and a few hundred would take 12 GB. Every process of a build (make, the
compiler, the linker) and every QEMU boot gets an address-space and a CPU-time limit
(setrlimit, inherited by children); a process over its limit fails, and the grade
says which limit stopped it. The figures are per process; instructors may change
them with COPS_GRADE_BUILD_MB / COPS_GRADE_BUILD_CPU_S / COPS_GRADE_QEMU_MB.

The kit itself stays far below them: the largest translation unit of chapter 6 with
its hidden tests compiles in well under 1 GiB; QEMU maps a 1 GiB translation buffer
and needs about 1.1 GiB of address space (300 MB resident) for a 256 MB guest.
"""
from __future__ import annotations

import os
import resource
from typing import Callable

MIB = 1 << 20


def _setting(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, ""))
        return value if value > 0 else default
    except ValueError:
        return default


BUILD_MEMORY_MB = _setting("COPS_GRADE_BUILD_MB", 2048)   # per compiler process
BUILD_CPU_SECONDS = _setting("COPS_GRADE_BUILD_CPU_S", 300)  # per compiler process
QEMU_MEMORY_MB = _setting("COPS_GRADE_QEMU_MB", 2048)
QEMU_CPU_SECONDS = _setting("COPS_GRADE_QEMU_CPU_S", 3600)


def limiter(memory_mb: int, cpu_seconds: int) -> Callable[[], None]:
    """A preexec_fn for subprocess: caps the child's address space and CPU time."""
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MIB, memory_mb * MIB))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    return apply


def build_limiter() -> Callable[[], None]:
    """The limits of a submission's build."""
    return limiter(BUILD_MEMORY_MB, BUILD_CPU_SECONDS)


def qemu_limiter() -> Callable[[], None]:
    """The limits of one QEMU boot of a submission's test kernel."""
    return limiter(QEMU_MEMORY_MB, QEMU_CPU_SECONDS)


def available_memory_mb() -> int:
    """MemAvailable from /proc/meminfo (or a large number where there is none)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 1 << 20


def build_jobs() -> int:
    """Parallel compiler processes: the cores, but no more than the memory holds at
    the per-process limit (at least 1)."""
    by_memory = max(1, available_memory_mb() // BUILD_MEMORY_MB)
    return max(1, min(os.cpu_count() or 1, by_memory))


def explain(output: str, returncode: int) -> str:
    """A sentence naming the limit a failed build most likely hit, or ""."""
    if "Cannot allocate memory" in output or "out of memory" in output or "std::bad_alloc" in output \
            or "virtual memory exhausted" in output:
        return (f"the build ran out of its memory limit ({BUILD_MEMORY_MB} MB per compiler process): "
                "a file of the submission needs more than that to compile")
    if "CPU time limit" in output or returncode in (-24, 152) or "Killed signal terminated program" in output:
        return (f"the build ran out of its CPU-time limit ({BUILD_CPU_SECONDS} s per compiler process): "
                "a file of the submission takes too long to compile")
    return ""
