"""Every mistake a chapter guide lists, with the test it says catches it: planted into
the reference solution, that test must fail.

A guide that says "`preempt/equal-priority-does-not-preempt` fails" when a decision
preempts on a tie is a promise to the student. This self-test keeps it: it copies the
kit once, and for each mistake edits the reference, rebuilds the test kernel (ccache
keeps that to the edited file) and runs only the named test, which must not pass.
Then it restores the file. The table below is the guides' lists; each entry also
checks that its guide still names the test.

Not here, and why: mistakes that only a race shows (ch3's thread_finished, ch4's
decision under the pipe's lock, ch5's acknowledge-then-read: `make stress` runs
their tests on real parallel harts), the page-table rules the `[paging]` host tests
check, and ch6's rules on the stack lock and the sender's drain (its guide names no
test for them).
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import unittest
from dataclasses import dataclass

from harness import chapters, labs, qemu
from harness.ktest import KernelRun, run_kernel_tests

ROOT = os.environ.get("COPS_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))


@dataclass(frozen=True)
class Mistake:
    """One mistake of a guide: where it goes, and the test that must catch it."""

    chapter: int
    path: str  # kit-relative file with the lab region
    old: str  # reference code the mistake replaces
    new: str  # the mistake
    test: str  # the public test the guide names
    what: str  # the guide's words, shortened


TRAP = "ch2-kernel-coroutines/kernel/arch/trap.cpp"
SWITCHER = "ch3-shared-scheduler/kernel/proc/switching_coroutine.cpp"
VIRTIO_NET = "ch6-tcpserver/kernel/net/virtio_net.cpp"
SERVER = "ch6-tcpserver/user/programs/matrix_server.cpp"
PREEMPT_AFTER_INTERRUPTS = "    if (interrupt) {\n        cops::sched::preempt_if_needed();\n    }\n"

MISTAKES = [
    Mistake(1, "ch1-executor/include/cops/sched/priority_bitmap.hpp",
            "return Priority{static_cast<std::uint8_t>(lowest_set_bit(bits_))};",
            "return Priority{static_cast<std::uint8_t>(63 - __builtin_clzll(bits_))};",
            "executor/picks-highest-priority", "returning the highest-numbered set bit"),
    Mistake(1, "ch1-executor/include/cops/sched/leveled_queue.hpp",
            "        T* item = list.pop_front();\n        if (list.empty()) {\n            bits_.clear(*level);\n        }\n",
            "        T* item = list.pop_front();\n        bits_.clear(*level);\n",
            "executor/fifo-within-a-level", "clearing the bit after every pop"),
    Mistake(1, "ch1-executor/kernel/sched/executor.cpp", "    } else {\n        c.wake_pending = true;\n    }\n", "    }\n",
            "executor/wake-ready-coroutine-is-remembered", "ignoring a wake of a coroutine that is not blocked"),
    Mistake(1, "ch1-executor/kernel/sched/executor.cpp",
            "    if (c.state == CoroutineState::Ready && c.priority != prio) {\n        ready_.remove(c, c.priority);\n"
            "        c.priority = prio;\n        make_ready(c);\n    } else {\n        c.priority = prio;\n    }\n",
            "    c.priority = prio;\n", "executor/set-priority-requeues",
            "changing a ready coroutine's priority without moving it"),
    Mistake(2, TRAP, "    if (code < kTrapCauses) {\n        handler = interrupt ? g_interrupts[code] : g_exceptions[code];\n    }",
            "    handler = interrupt ? g_interrupts[code & 15] : g_exceptions[code & 15];",
            "trap/a-cause-past-the-handler-table-is-an-unexpected-trap", "clipping the code into the table"),
    Mistake(2, TRAP, PREEMPT_AFTER_INTERRUPTS, "    cops::sched::preempt_if_needed();\n",
            "trap/an-exception-is-not-a-scheduling-point", "preempting after an exception"),
    Mistake(2, TRAP, PREEMPT_AFTER_INTERRUPTS, "", "preempt/timer-woken-coroutine-preempts-spinners",
            "forgetting the preemption call"),
    Mistake(2, "ch2-kernel-coroutines/kernel/time/sleep.cpp", "s->deadline_ > now_ticks", "s->deadline_ >= now_ticks",
            "timer/a-sleeper-wakes-at-its-deadline-tick-not-one-later", "comparing with < instead of <="),
    Mistake(2, "ch2-kernel-coroutines/kernel/sched/preemption_decision.cpp",
            "if (best_ready && best_ready->more_urgent_than(running)) {",
            "if (best_ready && !running.more_urgent_than(*best_ready)) {",
            "preempt/equal-priority-does-not-preempt", "preempting on equal priority"),
    Mistake(2, "ch2-kernel-coroutines/kernel/sync/semaphore.cpp",
            "        if (granted) {\n            break;\n        }", "        (void)granted;\n        break;",
            "sync/a-stray-wake-does-not-let-a-waiter-through", "not looping on a stray wake"),
    Mistake(3, "ch3-shared-scheduler/kernel/proc/syscall_table.cpp", "    user.sepc += kEcallBytes;\n", "",
            "proc/programs-run-and-exit-with-statuses", "returning to the ecall itself"),
    Mistake(3, SWITCHER, "        notify_switcher();\n        co_await sched::yield();\n",
            "        co_await sched::yield();\n",
            "shared/after-a-dispatch-the-switcher-steps-down-to-the-next-waiting-level",
            "leaving the switcher at the level it just served"),
    Mistake(3, SWITCHER, "        t->coroutine_level = level;\n        (void)ex.set_priority(t->cid, level);\n",
            "        (void)ex.set_priority(t->cid, t->coroutine_level);\n",
            "shared/a-thread-dispatched-after-its-process-moved-runs-at-the-new-level",
            "running the thread at the level it waited at"),
    Mistake(4, "ch4-async-syscalls/kernel/io/syscalls_io.cpp",
            "    if (const std::int64_t bad = io::prepare(pio, kind, c.args, call); bad != 0) {",
            "    if (const std::int64_t bad = io::prepare(pio, kind, c.args, call);\n"
            "        bad != 0 && bad != abi::error_return(Errno::Fault)) {",
            "async/sync-and-async-forms-give-the-same-results", "going on past a bad buffer"),
    Mistake(5, "ch5-uintr/kernel/uintr/emulate.cpp",
            "compare_exchange_weak(old, (old & ~u::kUstatusMask) | u::kUstatusUpie,",
            "compare_exchange_weak(old, old | u::kUstatusUpie,",
            "uintr/delivery-sets-uepc-ucause-and-masks-uie", "delivering without masking"),
    Mistake(6, VIRTIO_NET, "            rx_.offer(head);\n", "",
            "net/echo-across-the-two-nics-through-the-driver-sync", "not giving a receive buffer back"),
    Mistake(6, VIRTIO_NET, "!plausible_buffer_length(length)) {", "!plausible_buffer_length(length + kNetHeaderBytes)) {",
            "net/full-size-frames-of-a-bulk-transfer-across-the-nics-all-arrive",
            "counting the virtio header twice in the length check"),
    Mistake(6, SERVER, "            co_await c.requests.send(m);\n            continue;\n",
            "            co_await c.requests.send(m);\n",
            "server/kcuc-cuts-lines-from-requests-in-many-pieces-and-two-in-one-send",
            "reading again before taking the next whole line"),
    Mistake(6, SERVER, "static_cast<std::uint8_t>(kBaseLevel + priority)",
            "static_cast<std::uint8_t>(kBaseLevel + matrix::kLevels - 1 - priority)",
            "server/an-overloaded-kcuc-server-serves-priority-0-more-than-its-last-level",
            "running priority 0 at the least urgent level"),
]


def guide(chapter: int) -> str:
    """The text of chapter @chapter's guide (its README)."""
    with open(os.path.join(ROOT, chapters.folder(ROOT, chapter), "README.md"), encoding="utf-8") as f:
        return f.read()


class GuideMistakesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="cops-mistakes-")
        cls.kit = os.path.join(cls.tmp.name, "kit")
        labs.copy_kit(ROOT, cls.kit)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def build_and_run(self, chapter: int, test: str):
        """Builds the copy's test kernel for @chapter and runs only @test: its result."""
        build = subprocess.run(["make", "--no-print-directory", "-f", "mk/kernel.mk", f"CH={chapter}",
                                f"-j{os.cpu_count() or 2}", "test-kernel"], cwd=self.kit, capture_output=True,
                               text=True, check=False)
        self.assertEqual(build.returncode, 0, build.stdout[-2000:] + build.stderr[-2000:])
        kernel = os.path.join(self.kit, "build", f"ch{chapter}", "test-kernel.elf")
        config = qemu.QemuConfig(smp=chapters.test_smp(self.kit, chapter), extra=chapters.devices(self.kit, chapter))
        results = run_kernel_tests(KernelRun(kernel=kernel, suite="mistake", config=config, only=test,
                                             serial_input=chapters.serial_input(self.kit, chapter)))
        named = [r for r in results if r.name == test]
        self.assertEqual(len(named), 1, [f"{r.name}: {r.status.value} {r.message}" for r in results])
        return named[0]

    def test_each_listed_mistake_fails_the_test_its_guide_names(self):
        for m in MISTAKES:
            with self.subTest(mistake=m.what, test=m.test):
                self.assertIn(f"`{m.test}`", guide(m.chapter), "the guide no longer names this test")
                path = os.path.join(self.kit, m.path)
                with open(path, encoding="utf-8") as f:
                    reference = f.read()
                self.assertEqual(reference.count(m.old), 1, f"{m.path}: the reference code to replace is not there once")
                try:
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(reference.replace(m.old, m.new))
                    result = self.build_and_run(m.chapter, m.test)
                    self.assertFalse(result.passed, f"{m.test} passed with the mistake planted: {m.what}")
                finally:
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(reference)

    def test_the_named_tests_pass_with_the_reference(self):
        # So a failure above is the mistake's doing, not the test's.
        for chapter in sorted({m.chapter for m in MISTAKES}):
            for test in sorted({m.test for m in MISTAKES if m.chapter == chapter}):
                with self.subTest(test=test):
                    result = self.build_and_run(chapter, test)
                    self.assertTrue(result.passed, f"{test}: {result.status.value} {result.message}")


if __name__ == "__main__":
    unittest.main()
