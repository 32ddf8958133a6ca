"""Resource limits on what a submission makes run: its build and its QEMU boots.

A submission is code the grader compiles and boots, so it can ask for any amount of
memory or CPU: heavy constant expressions in one file made the compiler take 865 MB
and 71 s, and a few hundred would take 12 GB. Every process of a build (make, the
compiler, the linker) and every QEMU boot gets an address-space and a CPU-time limit
(setrlimit, inherited by children); a process over its limit fails, and the grade
says which limit stopped it. The figures are per process; instructors may change
them with COPS_GRADE_BUILD_MB / COPS_GRADE_BUILD_CPU_S / COPS_GRADE_QEMU_MB.
With COPS_GRADE_USER=<account> (a grader running as root) they also run as that
unprivileged account, which owns the grading copy and cannot read the kit itself.

The kit itself stays far below them: the largest translation unit of chapter 6 with
its hidden tests compiles in well under 1 GiB; QEMU maps a 1 GiB translation buffer
and needs about 1.1 GiB of address space (300 MB resident) for a 256 MB guest.
"""
from __future__ import annotations

import os
import pwd
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


def grade_user() -> pwd.struct_passwd | None:
    """The unprivileged account a submission's build and boots run as (COPS_GRADE_USER),
    or None to run them as the grader itself. Set it when the grader runs as root, e.g.
    on Gradescope: that account can read the grading copy (which it owns) but not the
    kit with its reference solution. A name that is not an account, or a grader that is
    not root, is an error that says so."""
    name = os.environ.get("COPS_GRADE_USER", "").strip()
    if not name:
        return None
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        raise GradeUserError(f"COPS_GRADE_USER={name}: no such account (create it: useradd --system {name})") from None
    if os.geteuid() != 0:
        raise GradeUserError(f"COPS_GRADE_USER={name}: only a grader running as root can run builds as another "
                             "account; run as root or unset COPS_GRADE_USER")
    return account


class GradeUserError(RuntimeError):
    """COPS_GRADE_USER cannot be used."""


def limiter(memory_mb: int, cpu_seconds: int) -> Callable[[], None]:
    """A preexec_fn for subprocess: caps the child's address space and CPU time, and
    drops to the grade_user() account when there is one."""
    account = grade_user()

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MIB, memory_mb * MIB))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        if account is not None:
            os.setgroups([])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
    return apply


def give_to_grade_user(folder: str) -> None:
    """Makes @folder (a grading copy) the grade_user()'s own, so its builds can write there."""
    account = grade_user()
    if account is None:
        return
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [dirpath, *(os.path.join(dirpath, n) for n in dirnames + filenames)]:
            os.lchown(name, account.pw_uid, account.pw_gid)


def sandbox_env() -> dict[str, str] | None:
    """The environment of a build run as grade_user(): no compiler cache of the grader's
    (it could not write there, and must not share objects with it); None: unchanged."""
    if grade_user() is None:
        return None
    return {k: v for k, v in os.environ.items() if not k.startswith(("COPS_CCACHE", "CCACHE_", "COPS_LWIP_CACHE"))}


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
