"""Content that follows the editors' files while the bot runs.

A reload runs the same checks as `mythbot check`; only clean content replaces
the current matcher, in one assignment, so an answer being computed keeps the
matcher it started with and never mixes two versions.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.checks import check_and_index
from bot.content import Problem
from bot.matching import Thresholds

log = logging.getLogger(__name__)
Signature = tuple[tuple[str, int, int], ...]


class ContentError(Exception):
    """The content folder has errors; `problems` says where."""

    def __init__(self, folder: Path, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in {folder}:\n"
                         + "\n".join(p.format() for p in errors))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Reload:
    changed: bool
    """The files changed since the last look (or a reload was forced)."""
    applied: bool
    """New content is now answering."""
    problems: tuple[Problem, ...] = ()
    recovered: bool = False
    """Applied after one or more refused edits: the operators who were warned hear it."""


def signature(folder: Path) -> Signature:
    files = []
    for sub in ("intents", "responses"):
        for path in sorted((folder / sub).glob("*.y*ml")):
            try:
                stat = path.stat()
            except FileNotFoundError:  # deleted between glob and stat
                continue
            files.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(files)


class LiveContent:
    def __init__(self, folder: Path, thresholds: Thresholds | None = None) -> None:
        self.folder = folder
        self.thresholds = thresholds
        self._lock = threading.Lock()
        self._seen = signature(folder)
        matcher, problems = check_and_index(folder, thresholds)
        if matcher is None:
            raise ContentError(folder, problems)
        self.matcher = matcher
        self._refused = False

    def reload(self, *, force: bool = False) -> Reload:
        """Look at the files; load, check and swap in the content if they changed."""
        with self._lock:  # one reload at a time: a forced one may race the watcher
            current = signature(self.folder)
            if current == self._seen and not force:
                return Reload(changed=False, applied=False)
            self._seen = current
            matcher, problems = check_and_index(self.folder, self.thresholds)
            if matcher is None:
                log.warning("content edit refused, the bot keeps its last good content:\n%s",
                            "\n".join(p.format() for p in problems if p.severity == "error"))
                self._refused = True
                return Reload(changed=True, applied=False, problems=tuple(problems))
            self.matcher = matcher
            recovered, self._refused = self._refused, False
            log.info("content reloaded: %d myths", len(matcher.content.myths))
            return Reload(changed=True, applied=True, problems=tuple(problems),
                          recovered=recovered)
