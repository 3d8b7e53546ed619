"""The durable inbox, in SQL: each update Telegram delivered, kept until it is handled.

A row holds the update as Telegram sent it (``payload``) only while it waits; once
handled, the payload is dropped and the row keeps just the id and times, for a couple of
days, so that the same update delivered again (a webhook retry, the last polled batch
after a crash) is recognised and not handled twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

KEEP_HANDLED_SECONDS = 2 * 86_400


def record(db: sqlite3.Connection, rows: Sequence[tuple[int, str]], received_at: float) -> None:
    """Record updates (id, JSON); an id already known, waiting or handled, is left as it is."""
    db.executemany(
        "INSERT OR IGNORE INTO inbox (update_id, received_at, payload) VALUES (?, ?, ?)",
        [(update_id, received_at, payload) for update_id, payload in rows],
    )


def mark_handled(db: sqlite3.Connection, update_ids: Iterable[int], at: float) -> None:
    db.executemany("UPDATE inbox SET payload = NULL, handled_at = ? WHERE update_id = ?",
                   [(at, update_id) for update_id in update_ids])


def known(db: sqlite3.Connection, update_ids: Sequence[int]) -> set[int]:
    """Which of these ids were recorded before (waiting or handled)."""
    if not update_ids:
        return set()
    marks = ", ".join("?" * len(update_ids))
    rows = db.execute(f"SELECT update_id FROM inbox WHERE update_id IN ({marks})",
                      tuple(update_ids)).fetchall()
    return {int(row[0]) for row in rows}


def newest(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT coalesce(max(update_id), 0) FROM inbox").fetchone()[0])


def waiting(db: sqlite3.Connection) -> list[tuple[int, str, float]]:
    """Recorded but not yet handled: (id, JSON, received at), in the order Telegram sent them."""
    rows = db.execute(
        "SELECT update_id, payload, received_at FROM inbox WHERE handled_at IS NULL "
        "ORDER BY update_id"
    ).fetchall()
    return [(int(uid), str(payload), float(at)) for uid, payload, at in rows]


def prune(db: sqlite3.Connection, before: float) -> int:
    return db.execute("DELETE FROM inbox WHERE handled_at < ?", (before,)).rowcount
