"""A kernel image older than its sources is refused (harness/staleness.py)."""
import os
import tempfile
import time
import unittest

from harness.staleness import rebuild_command, stale_sources


class StalenessTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cops-stale-")
        self.build = os.path.join(self.tmp, "build", "ch2")
        os.makedirs(os.path.join(self.build, "obj"))
        self.source = os.path.join(self.tmp, "sleep.cpp")
        self.header = os.path.join(self.tmp, "sleep.hpp")
        for path in (self.source, self.header):
            with open(path, "w", encoding="utf-8") as f:
                f.write("// source\n")
        with open(os.path.join(self.build, "obj", "sleep.cpp.d"), "w", encoding="utf-8") as f:
            f.write(f"{self.build}/obj/sleep.cpp.o: {self.source} \\\n {self.header}\n{self.header}:\n")
        self.elf = os.path.join(self.build, "test-kernel.elf")
        with open(self.elf, "w", encoding="utf-8") as f:
            f.write("elf")
        old = time.time() - 100
        for path in (self.source, self.header):
            os.utime(path, (old, old))

    def test_a_current_image_is_not_stale(self):
        self.assertEqual(stale_sources(self.elf), [])

    def test_an_edited_header_makes_it_stale(self):
        os.utime(self.header, (time.time() + 10, time.time() + 10))
        self.assertEqual(stale_sources(self.elf), [self.header])

    def test_the_rebuild_command_names_the_chapter_and_target(self):
        self.assertEqual(rebuild_command(self.elf), "make -f mk/kernel.mk CH=2 test-kernel")
        self.assertIn("make test", rebuild_command("/somewhere/kernel.bin"))


if __name__ == "__main__":
    unittest.main()
