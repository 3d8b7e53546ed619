"""Daily counters of answers and votes per intent, language and chat kind, in SQL."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from bot.models import VOTE_MEMORY_DAYS, StatRow


def count_answer(db: sqlite3.Connection, day: str, intent: str, lang: str,
                 chat_kind: str) -> None:
    db.execute(
        """INSERT INTO stats (day, intent, lang, chat_kind, answers) VALUES (?, ?, ?, ?, 1)
        ON CONFLICT (day, intent, lang, chat_kind) DO UPDATE SET answers = answers + 1""",
        (day, intent, lang, chat_kind),
    )


def vote(db: sqlite3.Connection, digest: bytes, day: str, intent: str, lang: str,
         chat_kind: str, helpful: bool) -> bool:
    """Count a vote once per digest; a changed vote moves the count on the row of the first
    vote. True when the vote was new or changed."""
    value = 1 if helpful else 0
    forget_before = (date.fromisoformat(day) - timedelta(days=VOTE_MEMORY_DAYS)).isoformat()
    db.execute("DELETE FROM votes WHERE day < ?", (forget_before,))
    previous = db.execute(
        "SELECT day, intent, lang, chat_kind, helpful FROM votes WHERE voter_hash = ?",
        (digest,),
    ).fetchone()
    if previous is None:
        db.execute(
            """INSERT INTO votes (voter_hash, day, intent, lang, chat_kind, helpful)
            VALUES (?, ?, ?, ?, ?, ?)""",
            (digest, day, intent, lang, chat_kind, value),
        )
        db.execute(
            """INSERT INTO stats (day, intent, lang, chat_kind, helpful, not_helpful)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (day, intent, lang, chat_kind) DO UPDATE SET
                helpful = helpful + excluded.helpful,
                not_helpful = not_helpful + excluded.not_helpful""",
            (day, intent, lang, chat_kind, value, 1 - value),
        )
        return True
    if int(previous[4]) == value:
        return False
    db.execute("UPDATE votes SET helpful = ? WHERE voter_hash = ?", (value, digest))
    change = 1 if helpful else -1
    db.execute(
        """UPDATE stats SET helpful = helpful + ?, not_helpful = not_helpful - ?
        WHERE day = ? AND intent = ? AND lang = ? AND chat_kind = ?""",
        (change, change, *previous[:4]),
    )
    return True


def read_stats(db: sqlite3.Connection, since_day: str | None) -> list[StatRow]:
    query = "SELECT day, intent, lang, chat_kind, answers, helpful, not_helpful FROM stats"
    params: tuple[str, ...] = ()
    if since_day is not None:
        query += " WHERE day >= ?"
        params = (since_day,)
    query += " ORDER BY day, intent, lang, chat_kind"
    return [StatRow(str(d), str(i), str(la), str(k), int(a), int(h), int(n))
            for d, i, la, k, a, h, n in db.execute(query, params).fetchall()]
