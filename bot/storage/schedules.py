"""Weekly "myth of the week" schedules and what was already posted, in SQL."""

from __future__ import annotations

import sqlite3
from typing import cast

from bot.models import LangSetting, Schedule


def read_schedules(db: sqlite3.Connection) -> list[Schedule]:
    rows = db.execute(
        "SELECT chat_id, weekday, time, timezone, lang FROM schedules ORDER BY chat_id"
    ).fetchall()
    return [Schedule(int(chat), int(day), str(at), str(zone), cast(LangSetting, lang))
            for chat, day, at, zone, lang in rows]


def write_schedule(db: sqlite3.Connection, schedule: Schedule) -> None:
    db.execute(
        """INSERT INTO schedules (chat_id, weekday, time, timezone, lang)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (chat_id) DO UPDATE SET weekday = excluded.weekday,
            time = excluded.time, timezone = excluded.timezone, lang = excluded.lang""",
        (schedule.chat_id, schedule.weekday, schedule.time, schedule.timezone, schedule.lang),
    )


def delete_schedule(db: sqlite3.Connection, chat_id: int) -> None:
    """The history stays, so that the rotation resumes where it was."""
    db.execute("DELETE FROM schedules WHERE chat_id = ?", (chat_id,))


def record_post(db: sqlite3.Connection, chat_id: int, intent_id: str, at: float) -> None:
    db.execute("INSERT INTO weekly_posts (chat_id, intent_id, posted_at) VALUES (?, ?, ?)",
               (chat_id, intent_id, at))


def read_history(db: sqlite3.Connection, chat_id: int) -> list[str]:
    """Intent ids posted to the chat, oldest first."""
    rows = db.execute("SELECT intent_id FROM weekly_posts WHERE chat_id = ? ORDER BY id",
                      (chat_id,)).fetchall()
    return [str(row[0]) for row in rows]
