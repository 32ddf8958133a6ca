"""Rubric loading, scoring rules and report formats."""
import json
import os
import tempfile
import unittest
import xml.etree.ElementTree as ET

from grader import formats
from grader.grade import Grade, TestScore, chapter_of, score_results
from grader.rubric import Rubric, RubricError, Rule, load_rubric
from harness.results import Status, TestResult

ROOT = os.environ.get("COPS_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))


def write(text):
    f = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
    f.write(text)
    f.close()
    return f.name


class RubricTest(unittest.TestCase):
    def test_chapter1_rubric_loads(self):
        r = load_rubric(os.path.join(ROOT, "grader", "rubric", "ch1.toml"))
        self.assertEqual(r.chapter, 1)
        self.assertEqual(r.rule_for("executor/fifo-within-a-level").points, 3)
        self.assertEqual(r.rule_for("hidden/x").visibility, "after_published")
        self.assertEqual(r.rule_for("unmatched/x").points, r.default_points)

    def test_first_matching_rule_wins(self):
        r = Rubric(1, rules=[Rule("a/b", 5), Rule("a/*", 1)])
        self.assertEqual(r.rule_for("a/b").points, 5)
        self.assertEqual(r.rule_for("a/c").points, 1)

    def test_bad_rubrics_explain_themselves(self):
        for text, words in [("chapter = 'x'", "chapter"), ("chapter = 1\n[[rule]]\npoints = 1", "pattern"),
                            ("chapter = 1\n[[rule]]\npattern='*'\npoints=1\nvisibility='secret'", "visibility"),
                            ("chapter = = 1", "TOML"), ("chapter = 1\nmax_points = -3", "max_points")]:
            with self.assertRaises(RubricError) as cm:
                load_rubric(write(text))
            self.assertIn(words, str(cm.exception))


class ScoringTest(unittest.TestCase):
    rubric = Rubric(2, default_points=2, regression_weight=0.5, rules=[Rule("hidden/*", 4, "hidden")])

    def test_pass_partial_and_zero(self):
        results = [TestResult("s", "a", Status.PASS, file="/k/ch2-x/tests/kernel/t.cpp"),
                   TestResult("s", "b", Status.FAIL, checks=(3, 4), file="/k/ch2-x/tests/kernel/t.cpp"),
                   TestResult("s", "c", Status.TIMEOUT, checks=(3, 4), file="/k/ch2-x/tests/kernel/t.cpp"),
                   TestResult("s", "d", Status.FORGED, file="/k/ch2-x/tests/kernel/t.cpp")]
        scores = score_results(results, self.rubric, 2)
        self.assertEqual([s.score for s in scores], [2, 1.5, 0, 0])
        self.assertEqual([s.max_score for s in scores], [2, 2, 2, 2])

    def test_partial_credit_counts_only_checks_beyond_the_stubs_and_never_shows_full(self):
        f = "/k/ch2-x/tests/kernel/t.cpp"
        results = [TestResult("s", "b", Status.FAIL, checks=(3, 4), file=f),         # stubs hold 2 of 4
                   TestResult("s", "e", Status.FAIL, checks=(2, 4), file=f),         # no better than the stubs
                   TestResult("s", "g", Status.FAIL, checks=(10001, 10005), file=f)]  # nearly all, not all
        scores = score_results(results, self.rubric, 2, baseline={"b": 2, "e": 2})
        self.assertEqual([s.score for s in scores], [1.0, 0, 1.99])
        self.assertIn("2 of them hold with the untouched stubs too", scores[0].output)

    def test_a_message_the_details_repeat_is_shown_once(self):
        f = "/k/ch2-x/tests/kernel/t.cpp"
        timeout = TestResult("s", "t", Status.TIMEOUT, "exceeded its budget of 5 instructions (at pc 0x80)",
                             ["timeout: exceeded its budget of 5 instructions (at pc 0x80)", "where the pc was: f()"],
                             file=f)
        failed = TestResult("s", "f", Status.FAIL, "t.cpp:9: expected a == b", ["t.cpp:9: expected a == b", "tail"],
                            checks=(1, 2), file=f)
        for s, repeated in zip(score_results([timeout, failed], self.rubric, 2),
                               ("exceeded its budget of 5", "t.cpp:9: expected a == b")):
            self.assertEqual(s.output.count(repeated), 1, s.output)
        self.assertIn("where the pc was: f()", score_results([timeout], self.rubric, 2)[0].output)

    def test_earlier_chapters_are_weighted_regressions(self):
        (s,) = score_results([TestResult("s", "a", Status.PASS, file="/k/ch1-executor/tests/kernel/t.cpp")],
                             self.rubric, 2)
        self.assertEqual((s.chapter, s.max_score), (1, 1.0))

    def test_hidden_tests_get_the_rule_visibility(self):
        (s,) = score_results([TestResult("s", "hidden/x", Status.PASS, file="/k/grader/hidden/ch2/h.cpp")],
                             self.rubric, 2)
        self.assertEqual((s.visibility, s.chapter, s.max_score), ("hidden", 2, 4))

    def test_chapter_of_paths(self):
        self.assertEqual(chapter_of("/a/ch3-shared-scheduler/tests/kernel/x.cpp", 9), 3)
        self.assertEqual(chapter_of("grader/hidden/ch2/y.cpp", 9), 2)
        self.assertEqual(chapter_of(None, 9), 9)


class FormatsTest(unittest.TestCase):
    def grade(self):
        g = Grade(1, seconds=12.3)
        g.tests = [TestScore(1, "executor/a", 1, "pass", 3, 3, "visible", "pass"),
                   TestScore(2, "hidden/b", 1, "timeout", 0, 2, "after_published", "timeout: budget")]
        g.notes = ["x.cpp: not in the submission"]
        return g

    def test_results_json_has_every_gradescope_field_the_kit_uses(self):
        doc = json.loads(formats.gradescope_json(self.grade()))
        for key in ["score", "execution_time", "output", "visibility", "stdout_visibility", "tests"]:
            self.assertIn(key, doc)
        self.assertEqual(doc["score"], 3)
        self.assertEqual((doc["output_format"], doc["test_output_format"]), ("text", "text"))
        for t in doc["tests"]:
            self.assertEqual(set(t), {"name", "number", "score", "max_score", "status", "output", "output_format",
                                      "tags", "visibility"})
            self.assertIn(t["visibility"], ("visible", "hidden", "after_due_date", "after_published"))
            self.assertEqual(t["status"], "passed" if t["score"] >= t["max_score"] else "failed")
            self.assertEqual(t["output_format"], "text")
        self.assertEqual(sorted(t["status"] for t in doc["tests"]), ["failed", "passed"])
        self.assertIn("not in the submission", doc["output"])

    def test_junit_counts_failures(self):
        suite = ET.fromstring(formats.junit_xml(self.grade()))
        self.assertEqual(suite.get("tests"), "2")
        self.assertEqual(suite.get("failures"), "1")
        self.assertIsNotNone(suite.find("testcase[@name='hidden/b']/failure"))

    def test_table_and_csv(self):
        g = self.grade()
        self.assertIn("3 / 5 points", formats.table(g))
        self.assertEqual(formats.csv_row("alice", g), ["alice", "3", "5", "yes", "hidden/b"])
