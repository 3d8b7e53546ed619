"""Unanswered questions from private chats (text, count, times, language: no ids), in SQL."""

from __future__ import annotations

import sqlite3

from bot.models import Miss


def miss_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def add_miss(db: sqlite3.Connection, text: str, lang: str, *, seen: float, max_count: int,
             max_age_days: int) -> None:
    """Count the question (the first wording is kept, the latest language), then trim the
    table to ``max_count`` questions seen within ``max_age_days``."""
    row = db.execute(
        """INSERT INTO misses (key, text, count, first_seen, last_seen, lang)
        VALUES (?, ?, 1, ?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET count = count + 1,
            last_seen = max(last_seen, excluded.last_seen), lang = excluded.lang
        RETURNING count""",
        (miss_key(text), text, seen, seen, lang),
    ).fetchone()
    db.execute("DELETE FROM misses WHERE last_seen < ?", (seen - max_age_days * 86_400,))
    # The number of rows only grows on a new text, so the costlier trim by
    # count is skipped when a known question comes back.
    if int(row[0]) == 1:
        db.execute(
            """DELETE FROM misses WHERE id IN (
                SELECT id FROM misses ORDER BY last_seen DESC, id DESC LIMIT -1 OFFSET ?)""",
            (max_count,),
        )


def read_misses(db: sqlite3.Connection, since: float) -> list[Miss]:
    rows = db.execute(
        """SELECT text, count, first_seen, last_seen, lang FROM misses
        WHERE last_seen >= ? ORDER BY count DESC, last_seen DESC, id""",
        (since,),
    ).fetchall()
    return [Miss(str(text), int(count), float(first), float(last), str(lang))
            for text, count, first, last, lang in rows]
