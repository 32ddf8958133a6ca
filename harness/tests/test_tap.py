"""The TAP parser classifies each kind of console line."""
import unittest

from harness import tap


class TapParserTest(unittest.TestCase):
    def test_plan(self):
        self.assertEqual(tap.parse_line("1..20"), tap.Plan(20))

    def test_start_marker(self):
        self.assertEqual(tap.parse_line("#> 3 executor/fifo"), tap.Start(3, "executor/fifo"))

    def test_ok_with_nonce(self):
        self.assertEqual(tap.parse_line("ok 4 - a/b # nonce:abc\r\n"), tap.Result(True, 4, "a/b", "abc"))

    def test_not_ok_without_nonce(self):
        self.assertEqual(tap.parse_line("not ok 5 - a/b"), tap.Result(False, 5, "a/b", None))

    def test_diagnostic(self):
        self.assertEqual(tap.parse_line("#   x.cpp:3: boom"), tap.Diagnostic("x.cpp:3: boom"))
        self.assertEqual(tap.parse_line("#"), tap.Diagnostic(""))

    def test_other_lines(self):
        for line in ["OpenSBI v1.2", "okay 1 - x", "ok one - x", "  ok 1 - x"]:
            self.assertIsInstance(tap.parse_line(line), tap.Other, line)
