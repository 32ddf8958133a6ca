"""Grade reports: terminal table, Gradescope results.json, JUnit XML, CSV rows."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from grader.grade import Grade


def table(g: Grade, show_hidden: bool = True) -> str:
    """A table a person reads in a terminal."""
    rows = [f"Chapter {g.chapter}: {g.score:g} / {g.max_score:g} points"]
    for note in g.notes:
        rows.append(f"  note: {note}")
    width = max((len(t.name) for t in g.tests), default=10)
    for t in g.tests:
        if t.visibility != "visible" and not show_hidden:
            continue
        mark = "ok  " if t.score == t.max_score else "FAIL"
        rows.append(f"  {mark} {t.name:<{width}}  {t.score:>5g}/{t.max_score:<4g} {t.status}")
        if t.score != t.max_score:
            rows += [f"         | {line}" for line in t.output.splitlines()[:12]]
    return "\n".join(rows)


def gradescope_json(g: Grade) -> str:
    """Gradescope's results.json: top-level score/execution_time/output/visibility and tests[]."""
    doc = {
        "score": g.score,
        "execution_time": round(g.seconds, 1),
        "output": f"Chapter {g.chapter}: {g.score:g} / {g.max_score:g} points."
                  + ("".join(f"\nNote: {n}" for n in g.notes)),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        # Console lines, diagnostics and backtraces are plain text: never Markdown or HTML.
        "output_format": "text",
        "test_output_format": "text",
        "tests": [{
            "name": t.name,
            "number": str(t.number),
            "score": t.score,
            "max_score": t.max_score,
            # Gradescope colours a test by this, so partial credit still shows as a failure.
            "status": "passed" if t.score >= t.max_score else "failed",
            "output": t.output,
            "output_format": "text",
            "tags": [f"ch{t.chapter}", t.status],
            "visibility": t.visibility,
        } for t in g.tests],
    }
    return json.dumps(doc, indent=2)


def junit_xml(g: Grade) -> str:
    """JUnit XML: one testcase per test, a failure element for each lost point."""
    suite = ET.Element("testsuite", name=f"ch{g.chapter}", tests=str(len(g.tests)),
                       failures=str(sum(1 for t in g.tests if t.score < t.max_score)), time=f"{g.seconds:.1f}")
    for t in g.tests:
        case = ET.SubElement(suite, "testcase", classname=f"ch{t.chapter}", name=t.name)
        if t.score < t.max_score:
            failure = ET.SubElement(case, "failure", message=t.output.splitlines()[0] if t.output else t.status,
                                    type=t.status)
            failure.text = t.output
    return ET.tostring(suite, encoding="unicode")


CSV_HEADER = ["submission", "score", "max_score", "build_ok", "failed_tests"]


def csv_row(name: str, g: Grade) -> list[str]:
    """One row of the batch CSV."""
    failed = ";".join(t.name for t in g.tests if t.score < t.max_score)
    return [name, f"{g.score:g}", f"{g.max_score:g}", "yes" if g.build_ok else "no", failed]
