"""What the harness needs to know about a chapter's test kernel, read from the kit.

* `TEST_SMP := n` in a layer's chapter.mk: the harts the kernel boots with (the
  highest layer that says wins; default 1).
* `tests/kernel/serial_input.txt` in any layer: bytes typed into the kernel's
  serial console at boot (the UART tests read them). Layers' files are
  concatenated, lower layers first.
* `tests/demo_expect.txt`: the lines `make run`'s demo must print (see demo.py);
  the highest layer that has one wins.
* `TEST_DISK_MB := n` in a layer's chapter.mk: boots of the chapter (tests, demo,
  `make run`) get a virtio-blk disk of n MiB, zeroed (devices()).
* `TEST_NICS := n` in a layer's chapter.mk: boots of the chapter get n virtio-net
  NICs on one QEMU hub (the repeatable setup: frames cross the guest's own driver
  both ways and nothing leaves QEMU; devices()).
"""
from __future__ import annotations

import atexit
import glob
import os
import re
import tempfile


def layer_dirs(root: str, chapter: int) -> list[str]:
    """The folders of chapters 1..chapter, in order."""
    found = []
    for path in glob.glob(os.path.join(root, "ch[0-9]*-*")):
        m = re.match(r"ch(\d+)-", os.path.basename(path))
        if m and int(m.group(1)) <= chapter and os.path.isfile(os.path.join(path, "chapter.mk")):
            found.append((int(m.group(1)), path))
    return [p for _, p in sorted(found)]


def folder(root: str, chapter: int) -> str:
    """The folder name of chapter @chapter itself (e.g. "ch2-kernel-coroutines")."""
    return os.path.basename(layer_dirs(root, chapter)[-1])


def layer_setting(root: str, chapter: int, name: str) -> int | None:
    """The number a `NAME := n` line sets in the chapter.mk of chapters 1..@chapter (the
    highest layer that says wins), or None."""
    value = None
    for layer in layer_dirs(root, chapter):
        with open(os.path.join(layer, "chapter.mk"), encoding="utf-8") as f:
            for line in f:
                m = re.match(rf"^{name}\s*:?=\s*(\d+)\s*$", line)
                if m:
                    value = int(m.group(1))
    return value


def test_smp(root: str, chapter: int) -> int:
    """Harts the chapter's test kernel boots with."""
    return layer_setting(root, chapter, "TEST_SMP") or 1


def serial_input(root: str, chapter: int) -> bytes | None:
    """Bytes to type into the test kernel's console, or None."""
    data = b""
    for layer in layer_dirs(root, chapter):
        path = os.path.join(layer, "tests", "kernel", "serial_input.txt")
        if os.path.isfile(path):
            with open(path, "rb") as f:
                data += f.read()
    return data or None


def demo_expectations(root: str, chapter: int) -> str | None:
    """The demo_expect.txt that applies to chapter @chapter's demo, or None."""
    found = None
    for layer in layer_dirs(root, chapter):
        path = os.path.join(layer, "tests", "demo_expect.txt")
        if os.path.isfile(path):
            found = path
    return found


def disk_mb(root: str, chapter: int) -> int:
    """MiB of the virtio-blk disk chapter @chapter's boots get (0: none)."""
    return layer_setting(root, chapter, "TEST_DISK_MB") or 0


def disk_args(image: str) -> list[str]:
    """QEMU arguments that attach @image (raw) as the virtio-blk disk."""
    return ["-drive", f"file={image},format=raw,if=none,id=disk0", "-device", "virtio-blk-device,drive=disk0"]


def nic_count(root: str, chapter: int) -> int:
    """virtio-net NICs chapter @chapter's boots get (0: none)."""
    return layer_setting(root, chapter, "TEST_NICS") or 0


def hub_nic_args(count: int) -> list[str]:
    """QEMU arguments for @count virtio-net NICs on hub 0 (MACs 52:54:00:12:34:56 + i)."""
    args: list[str] = []
    for i in range(count):
        args += ["-netdev", f"hubport,id=nic{i},hubid=0",
                 "-device", f"virtio-net-device,netdev=nic{i},mac=52:54:00:12:34:{0x56 + i:02x}"]
    return args


def user_net_args(host_port: int, guest_port: int = 80, pcap: str | None = None) -> list[str]:
    """QEMU arguments for one virtio-net NIC on QEMU's user networking, with
    127.0.0.1:@host_port on the host forwarded to the guest's @guest_port; its
    traffic recorded in @pcap if given."""
    args = ["-netdev", f"user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:{host_port}-:{guest_port}",
            "-device", "virtio-net-device,netdev=net0,mac=52:54:00:12:34:56"]
    if pcap:
        args += ["-object", f"filter-dump,id=dump0,netdev=net0,file={pcap}"]
    return args


def devices(root: str, chapter: int, image: str | None = None) -> list[str]:
    """Extra QEMU arguments for chapter @chapter's boots: the NICs on a hub if the
    chapter asks for them (before the disk: QEMU fills virtio slots from the top in
    option order, and the kernel numbers NICs the same way), and a fresh zeroed disk
    image at @image (default: a temporary file, removed when the harness exits), if
    the chapter asks for one."""
    nics = hub_nic_args(nic_count(root, chapter))
    mb = disk_mb(root, chapter)
    if mb == 0:
        return nics
    if image is None:
        fd, image = tempfile.mkstemp(prefix=f"cops-ch{chapter}-disk-", suffix=".img")
        os.close(fd)
        atexit.register(lambda path=image: os.path.exists(path) and os.remove(path))
    with open(image, "wb") as f:
        f.truncate(mb << 20)
    return nics + disk_args(image)
