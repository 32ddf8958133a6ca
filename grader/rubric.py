"""Rubrics: how many points each test is worth, and who sees it."""
from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


@dataclass
class Rule:
    """Points and visibility for tests whose name matches `pattern`."""
    pattern: str
    points: float
    visibility: str = "visible"


@dataclass
class Rubric:
    """A chapter's rubric."""
    chapter: int
    default_points: float = 1.0
    regression_weight: float = 1.0
    rules: list[Rule] = field(default_factory=list)
    max_points: float | None = None  # the chapter's total with every test passing (shown when a build fails)

    def rule_for(self, name: str) -> Rule:
        """The first rule whose pattern matches @name, else the default."""
        for rule in self.rules:
            if fnmatch.fnmatchcase(name, rule.pattern):
                return rule
        return Rule("*", self.default_points)


class RubricError(ValueError):
    """A rubric file that cannot be used; the message says what to fix."""


def load_rubric(path: str) -> Rubric:
    """Reads and checks a rubric TOML file."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise RubricError(f"{path}: cannot read: {e.strerror}") from e
    except tomllib.TOMLDecodeError as e:
        raise RubricError(f"{path}: not valid TOML: {e}") from e
    if not isinstance(data.get("chapter"), int):
        raise RubricError(f"{path}: needs `chapter = <number>`")
    rules = []
    for i, r in enumerate(data.get("rule", [])):
        if "pattern" not in r or not isinstance(r.get("points"), (int, float)) or r["points"] < 0:
            raise RubricError(f"{path}: rule {i + 1} needs `pattern` and non-negative `points`")
        vis = r.get("visibility", "visible")
        if vis not in VISIBILITIES:
            raise RubricError(f"{path}: rule {i + 1}: visibility must be one of {', '.join(VISIBILITIES)}")
        rules.append(Rule(r["pattern"], float(r["points"]), vis))
    max_points = data.get("max_points")
    if max_points is not None and (not isinstance(max_points, (int, float)) or max_points <= 0):
        raise RubricError(f"{path}: `max_points` must be a positive number (the chapter's total)")
    return Rubric(data["chapter"], float(data.get("default_points", 1.0)),
                  float(data.get("regression_weight", 1.0)), rules,
                  float(max_points) if max_points is not None else None)
