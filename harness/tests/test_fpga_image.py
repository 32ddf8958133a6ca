"""The FPGA board's boot image (`make fpga-image`, fpga/make-image.sh) and the boot
path it takes: Debian's OpenSBI fw_jump, which hands the kernel the device tree at
0x82200000, a few MiB past the kernel, where QEMU's usual boot never puts it.

There is no board here: the image is booted on QEMU virt, which runs the same
firmware and the same flat kernel binary (the drivers take their devices from the
tree, so only the tree differs)."""
import hashlib
import os
import subprocess
import unittest

from harness import qemu
from harness.ktest import KernelRun, run_kernel_tests

ROOT = os.environ.get("COPS_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
FW_JUMP = os.path.join(os.path.dirname(qemu.DEFAULT_OPENSBI), "fw_jump.bin")


@unittest.skipUnless(os.path.exists(os.path.join(ROOT, "fpga", "layer.mk")), "this kit has no fpga/ (a handout)")
class FpgaImageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.made = subprocess.run(["make", "--no-print-directory", "fpga-image"], cwd=ROOT, capture_output=True,
                                  text=True, timeout=1200)
        cls.out = os.path.join(ROOT, "build", "fpga")

    def test_the_image_has_firmware_kernel_and_tree_with_their_load_map(self):
        self.assertEqual(self.made.returncode, 0, self.made.stdout[-2000:] + self.made.stderr[-2000:])
        with open(os.path.join(self.out, "load-map.txt"), encoding="utf-8") as f:
            rows = {line.split()[0]: line.split()[1:] for line in f if not line.startswith(("#", "file"))}
        self.assertEqual(sorted(rows), ["cops-zcu102.dtb", "fw_jump.bin", "kernel.bin"])
        self.assertEqual(rows["fw_jump.bin"][0], "0x80000000")
        self.assertEqual(rows["kernel.bin"][0], "0x80200000")
        for name, (_, size, digest) in rows.items():
            with open(os.path.join(self.out, name), "rb") as f:
                data = f.read()
            self.assertEqual(len(data), int(size), name)
            self.assertEqual(hashlib.sha256(data).hexdigest(), digest, name)
        tree = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", os.path.join(self.out, "cops-zcu102.dtb")],
                              capture_output=True, text=True, check=True).stdout
        self.assertIn('compatible = "cops,zcu102-rocket-n"', tree)
        self.assertIn('compatible = "xlnx,axi-ethernet-1.00.a"', tree)

    def test_the_flat_kernel_boots_through_fw_jump_and_runs_the_demo(self):
        self.assertEqual(self.made.returncode, 0, self.made.stderr[-2000:])
        argv = ["qemu-system-riscv64", "-machine", "virt", "-cpu", "rv64", "-smp", "4", "-m", "256M",
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
                "-bios", os.path.join(self.out, "fw_jump.bin"),
                "-device", f"loader,file={os.path.join(self.out, 'kernel.bin')},addr=0x80200000"]
        run = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=300)
        console = run.stdout
        self.assertIn("Domain0 Next Arg1         : 0x0000000082200000", console)  # where the tree goes
        self.assertIn("'net_demo' (pid 1) ended with status 0", console, console[-3000:])
        self.assertNotIn("PANIC", console)
        # On QEMU virt the board's Ethernet is absent, and the kernel says nothing of it.
        self.assertNotIn("axi-ethernet:", console)

    def test_the_heap_leaves_the_tree_where_fw_jump_puts_it(self):
        """With 512 MiB the 32 MiB heap after a small kernel would reach 0x82200000:
        boot/device-tree-memory checks that neither the kernel nor the heap covers the tree."""
        kernel = os.path.join(ROOT, "build", "ch1", "test-kernel.elf")
        self.assertTrue(os.path.exists(kernel), "make test builds build/ch1/test-kernel.elf first")
        config = qemu.QemuConfig(opensbi=FW_JUMP, memory="512M")
        results = run_kernel_tests(KernelRun(kernel=kernel, suite="fw_jump", config=config,
                                             only="boot/device-tree-memory"))
        self.assertEqual([(r.name, r.passed) for r in results], [("boot/device-tree-memory", True)],
                         [(r.message, r.details) for r in results])


if __name__ == "__main__":
    unittest.main()
