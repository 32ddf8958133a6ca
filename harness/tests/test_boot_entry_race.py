"""A secondary hart that the firmware sends to the kernel's boot entry.

OpenSBI 1.1's hart_start marks a hart START_PENDING before it stores the start
address. A secondary hart that wakes in that window jumps to the old address, the
kernel's boot entry `_start`, instead of `_start_secondary`. Before entry.S took the
entry by lottery, such a hart cleared BSS under the running kernel: the boot hart then
took a timer interrupt with its handler table wiped ("unexpected trap ... handlers
registered now: 1 interrupt"), about once in a hundred 4-hart boots on a loaded host.

The race itself cannot be forced, so the kernel's `smp.detour=K` starts hart index K
at `_start` on purpose, which is what the race does. The hart must come up as a
secondary, the boot log must say so, and the demo must end as usual. The demo needs
chapters 1 and 2's lab regions, so handouts leave this file out (grader/cli.py,
INSTRUCTOR_ONLY).
"""
from __future__ import annotations

import os
import unittest

from harness import qemu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(ROOT, "build", "ch2", "kernel.elf")


class BootEntryRaceTest(unittest.TestCase):
    def test_a_hart_started_at_the_boot_entry_goes_on_as_a_secondary(self):
        if not os.path.exists(KERNEL):
            self.fail(f"{KERNEL} is not built: `make test` builds it")
        config = qemu.QemuConfig(smp=4, icount=False)
        for detour in (1, 3):
            with self.subTest(detour=detour):
                out = qemu.run(config.argv(KERNEL, f"smp.detour={detour}"), 60.0)
                tail = "\n".join(out.lines[-12:])
                self.assertEqual(out.stopped, "exited", tail)
                self.assertEqual(out.exit_code, 0, tail)
                self.assertIn("came in at the boot entry, not _start_secondary", out.output, tail)
                self.assertNotIn("harts came up", out.output, tail)  # "only N of M harts came up"
                self.assertNotIn("unexpected trap", out.output, tail)


if __name__ == "__main__":
    unittest.main()
