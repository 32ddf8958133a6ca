"""More harts than the kernel has slots for (QEMU -smp 12): OpenSBI picks the boot hart
by lottery, and one with id 8 or more has no boot stack. The kernel must then say so
and power off, never hang; other harts beyond 8 wait in wfi, out of the way."""
from __future__ import annotations

import os
import re
import unittest

from harness import qemu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(ROOT, "build", "ch1", "kernel.elf")


class ManyHartsTest(unittest.TestCase):
    def test_a_boot_hart_past_the_last_slot_is_reported_not_a_hang(self):
        if not os.path.exists(KERNEL):
            self.fail(f"{KERNEL} is not built: `make test` builds it")
        config = qemu.QemuConfig(smp=12, icount=False)
        for attempt in range(4):
            with self.subTest(attempt=attempt):
                out = qemu.run(config.argv(KERNEL), 60.0)
                self.assertEqual(out.stopped, "exited", "\n".join(out.lines[-10:]))
                m = re.search(r"Boot HART ID\s*:\s*(\d+)", out.output)
                if m and int(m.group(1)) >= 8:
                    self.assertIn("the kit's kernels run on 1 to 8 harts", out.output)


if __name__ == "__main__":
    unittest.main()
