"""What the operators' reports (`mythbot misses`, `mythbot stats`) read: an existing
database, read-only, with every failure a `ReportError` that names the file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bot.models import Miss, StatRow
from bot.storage.db import ReportError, has_table, open_for_report
from bot.storage.misses import read_misses
from bot.storage.stats import read_stats

T = TypeVar("T")


def _read(path: str | Path, table: str, read: Callable[[sqlite3.Connection], list[T]]) -> list[T]:
    db = open_for_report(path)
    try:
        return read(db) if has_table(db, table) else []  # a bot that never wrote one yet
    except sqlite3.Error as exc:
        raise ReportError.unreadable(path, exc) from exc
    finally:
        db.close()


def misses_since(path: str | Path, since: float) -> list[Miss]:
    """The unanswered questions last seen at `since` (a Unix time) or later."""
    return _read(path, "misses", lambda db: read_misses(db, since))


def stats_since(path: str | Path, since_day: str | None) -> list[StatRow]:
    """The daily counters from `since_day` (YYYY-MM-DD) on, or all of them."""
    return _read(path, "stats", lambda db: read_stats(db, since_day))
