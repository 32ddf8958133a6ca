"""Chapter 4's disk seen from the host: what the guest wrote is in the raw image file,
and an I/O error injected with QEMU's blkdebug driver reaches the guest program.

Boots the ch4 demo kernel (build/ch4/kernel.elf, built by `make test`) with
`init=async_check,...`; the kernel powers off with status 0 when the program's
checks all passed.
"""
from __future__ import annotations

import os
import tempfile
import unittest

from harness import chapters, qemu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(ROOT, "build", "ch4", "kernel.elf")
MARKER = b"COPS-DISK-SECTOR-100"


def boot(program: str, drive_args: list[str]) -> qemu.Outcome:
    config = qemu.QemuConfig(smp=1, icount=False, extra=drive_args)
    return qemu.run(config.argv(KERNEL, f"init={program}"), 120.0)


@unittest.skipIf(os.path.exists(os.path.join(ROOT, ".cops-handout")),
                 "a handout: these boots depend on the student's chapter 4 (its kernel tests cover it)")
class DiskImageTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(KERNEL):
            self.fail(f"{KERNEL} is not built: `make test` builds it (or `make -f mk/kernel.mk CH=4 kernel`)")
        self.tmp = tempfile.TemporaryDirectory()
        self.image = os.path.join(self.tmp.name, "disk.img")
        with open(self.image, "wb") as f:
            f.truncate(1 << 20)

    def tearDown(self):
        self.tmp.cleanup()

    def test_the_host_reads_what_the_guest_wrote(self):
        out = boot("async_check,disk", chapters.disk_args(self.image))
        self.assertEqual((out.stopped, out.exit_code), ("exited", 0), "\n".join(out.lines[-20:]))
        with open(self.image, "rb") as f:
            data = f.read()
        self.assertEqual(data[100 * 512:100 * 512 + len(MARKER)], MARKER)
        pattern = bytes(ord("A") + i % 26 for i in range(1024))
        self.assertEqual(data[:1024], pattern)               # sectors 0 and 1, written sync
        self.assertEqual(data[4096:4096 + 512], pattern[512:])  # sector 8, written async

    def test_an_injected_io_error_reaches_the_program(self):
        conf = os.path.join(self.tmp.name, "blkdebug.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write('[inject-error]\nevent = "read_aio"\nerrno = "5"\n')  # every read fails with EIO
        drive = ["-drive", f"file=blkdebug:{conf}:{self.image},format=raw,if=none,id=disk0",
                 "-device", "virtio-blk-device,drive=disk0"]
        out = boot("async_check,diskerr", drive)
        self.assertEqual((out.stopped, out.exit_code), ("exited", 0), "\n".join(out.lines[-20:]))

    def test_no_disk_is_enodev_not_a_crash(self):
        out = boot("async_check,disk", [])
        self.assertEqual(out.stopped, "exited")
        self.assertNotEqual(out.exit_code, 0)  # the checks fail: open_disk says ENODEV
        self.assertIn("open_disk", out.output)


if __name__ == "__main__":
    unittest.main()
