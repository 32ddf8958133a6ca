"""`make stress`: the chapters' STRESS_TESTS on multi-threaded QEMU without -icount."""
import os
import tempfile
import unittest

from harness import stress

ROOT = os.environ.get("COPS_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))


class StressListTest(unittest.TestCase):
    def test_the_lists_of_chapters_1_to_n_are_joined_in_order_without_repeats(self):
        with tempfile.TemporaryDirectory() as kit:
            for name, text in (("ch1-a", "PARENT :=\nSTRESS_TESTS := a/one \\\n    a/two\n"),
                               ("ch2-b", "PARENT := ch1-a\nSTRESS_TESTS := b/three a/one\n"),
                               ("ch3-c", "PARENT := ch2-b\n")):
                os.mkdir(os.path.join(kit, name))
                with open(os.path.join(kit, name, "chapter.mk"), "w") as f:
                    f.write(text)
            self.assertEqual(stress.stress_tests(kit, 1), ["a/one", "a/two"])
            self.assertEqual(stress.stress_tests(kit, 3), ["a/one", "a/two", "b/three"])

    def test_every_listed_test_exists_in_its_chapter(self):
        import glob
        import re
        for chapter in range(1, 7):
            sources = "".join(open(p, encoding="utf-8").read() for layer in
                              sorted(glob.glob(os.path.join(ROOT, "ch[0-9]*-*")))
                              if int(re.match(r"ch(\d+)-", os.path.basename(layer)).group(1)) <= chapter
                              for p in glob.glob(os.path.join(layer, "tests", "kernel", "*.cpp")))
            for name in stress.stress_tests(ROOT, chapter):
                self.assertIn(f'"{name}"', sources, f"chapter {chapter}'s STRESS_TESTS names no test {name}")

    def test_the_harts_are_host_threads_on_the_host_clock(self):
        argv = stress.stress_config(4, []).argv("k.elf")
        self.assertNotIn("-icount", argv)
        self.assertIn("tcg,thread=multi", argv)
        self.assertEqual(argv[argv.index("-smp") + 1], "4")


if __name__ == "__main__":
    unittest.main()
