"""What changed since the last good `check`: the editor sees their own edit's effect, not
every warning the content already had.

A warning is known by its file and message, not its line: adding a sentence above one moves
it without changing it. The last check's warnings are kept in the user's state folder
(`paths.check_history`), read and written by the command line; this module only compares.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.yamlfile import Problem


def key(problem: Problem) -> str:
    return f"{problem.path}\t{problem.message}"


@dataclass(frozen=True, slots=True)
class Changes:
    new: tuple[Problem, ...]
    gone: tuple[str, ...]
    """The keys of last time's warnings that are no longer found."""
    unchanged: int
    first: bool
    """No earlier check to compare with: every warning is new."""


def compare(warnings: list[Problem], before: list[str] | None) -> Changes:
    if before is None:
        return Changes(tuple(warnings), (), 0, True)
    left = Counter(before)
    new = []
    for problem in warnings:
        if left[key(problem)] > 0:
            left[key(problem)] -= 1
        else:
            new.append(problem)
    gone = tuple(k for k, n in left.items() for _ in range(n))
    return Changes(tuple(new), gone, len(warnings) - len(new), False)


def read(path: Path) -> list[str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # no earlier check, or a damaged record: compare with nothing
    return [k for k in data.get("warnings", []) if isinstance(k, str)] \
        if isinstance(data, dict) else None


def write(path: Path, warnings: list[Problem]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"warnings": [key(p) for p in warnings]}, ensure_ascii=False),
                   encoding="utf-8")
    tmp.replace(path)
