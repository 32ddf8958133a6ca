"""The chapter guides say what the kit does: the files a student hands in are the
ones the grader takes, and every path a guide names in backquotes exists."""
import glob
import os
import re
import unittest

from grader.grade import student_files

ROOT = os.environ.get("COPS_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
FOLDERS = sorted(os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(ROOT, "ch[0-9]*-*", "chapter.mk")))


def guide(folder: str) -> str:
    with open(os.path.join(ROOT, folder, "README.md"), encoding="utf-8") as f:
        return f.read()


def section(text: str, title: str) -> str:
    """The body of the guide's section `## title`, up to the next `## `."""
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else len(text)]


class GuidesTest(unittest.TestCase):
    def test_handing_in_lists_exactly_the_files_the_grader_takes(self):
        for folder in FOLDERS:
            chapter = int(re.match(r"ch(\d+)-", folder).group(1))
            with self.subTest(chapter=chapter):
                listed = set(re.findall(r"^\* `([^`]+)`$", section(guide(folder), "Handing in"), re.M))
                taken = {f for f in student_files(ROOT, chapter) if f.startswith(folder + "/")}
                self.assertEqual(listed, taken, "the guide's 'Handing in' and STUDENT_FILES in chapter.mk differ")
                for rel in taken:
                    self.assertTrue(os.path.isfile(os.path.join(ROOT, rel)), rel)

    def test_the_files_a_guide_names_exist(self):
        # Backquoted paths of the chapter's own folders (kernel/, include/, user/, tests/, bench/).
        for folder in FOLDERS:
            with self.subTest(folder=folder):
                text = guide(folder)
                named = set(re.findall(r"`((?:kernel|include|user|tests|bench)/[A-Za-z0-9_./-]+\.(?:cpp|hpp|S|ld))`",
                                       text))
                missing = [p for p in sorted(named) if not os.path.exists(os.path.join(ROOT, folder, p))
                           and not any(os.path.exists(os.path.join(ROOT, other, p)) for other in FOLDERS)]
                self.assertEqual(missing, [], "the guide names files that no chapter has")


if __name__ == "__main__":
    unittest.main()
