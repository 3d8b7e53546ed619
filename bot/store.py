"""SQLite persistence for mythbot: one file, small synchronous calls.

What is stored:

- per-chat settings (chat id, answer mode, language, cooldown), only once an
  admin changes them; unknown chats get the defaults without a row;
- per-user language preference for private chats (user id and language), only
  while the user has chosen a language; going back to "auto" deletes the row;
- the weekly "myth of the week" schedule of each chat and the intent ids
  already posted there, so a chat does not see the same myth twice in a row;
- unanswered questions from private chats ("misses"): the question text, how
  many times it was asked, when it was first and last asked, and its language,
  so content editors can add examples; bounded in number and age;
- statistics: counters per day, intent, language and chat kind (answers,
  helpful and not helpful votes);
- votes: a SHA-256 digest of the caller's opaque voter key plus what the vote
  counted, kept for ``VOTE_MEMORY_DAYS`` so that a user can change their vote
  without counting twice.

What is deliberately not stored:

- any message text from groups or channels: the only text this module accepts
  is a miss, and callers only report misses from private chats;
- who asked an unanswered question: misses carry no user id and no chat id;
- raw voter keys, user ids or message ids behind a vote, only their digest
  (pseudonymous, not anonymous: a digest of a small id can be guessed);
- names, usernames or anything else from Telegram profiles.

Every public method takes the store's lock, so one ``Store`` can be shared by
the asyncio loop and worker threads. Several processes (the bot and the
``mythbot misses`` command) may open the same file; cached settings are only
coherent within the process that writes them, which is the bot.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "CHAT_KINDS",
    "MAX_COOLDOWN_MINUTES",
    "MAX_MISS_CHARS",
    "SCHEMA_VERSION",
    "VOTE_MEMORY_DAYS",
    "ChatSettings",
    "LangSetting",
    "Miss",
    "Mode",
    "Schedule",
    "StatRow",
    "Store",
]

Mode = Literal["auto", "mention", "off"]
LangSetting = Literal["auto", "fr", "en"]

MODES: frozenset[str] = frozenset({"auto", "mention", "off"})
LANG_SETTINGS: frozenset[str] = frozenset({"auto", "fr", "en"})
CHAT_KINDS: frozenset[str] = frozenset({"private", "group", "channel", "inline"})

MAX_COOLDOWN_MINUTES = 7 * 24 * 60
MAX_MISS_CHARS = 500
VOTE_MEMORY_DAYS = 90

# Bounds the in-memory caches: a popular bot sees many private users, and an
# unbounded dict keyed by user id would grow for as long as the process lives.
_CACHE_LIMIT = 10_000
# Long enough to ride out another process's short write transaction, short
# enough that a stuck writer shows up as an error rather than a frozen bot.
_BUSY_TIMEOUT_MS = 5_000

_TIME_RE = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class ChatSettings:
    chat_id: int
    mode: Mode = "mention"
    lang: LangSetting = "auto"
    cooldown_minutes: int = 10

    def __post_init__(self) -> None:
        # Literal types are not checked at run time and these values come from
        # admins' commands, so reject them here rather than store nonsense.
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {sorted(MODES)}, not {self.mode!r}")
        _check_lang(self.lang)
        if not 0 <= self.cooldown_minutes <= MAX_COOLDOWN_MINUTES:
            raise ValueError(
                f"cooldown_minutes must be between 0 and {MAX_COOLDOWN_MINUTES}, "
                f"not {self.cooldown_minutes}"
            )


@dataclass(frozen=True, slots=True)
class Schedule:
    """A weekly "myth of the week" post; ``weekday`` 0 is Monday."""

    chat_id: int
    weekday: int
    time: str  # "HH:MM", 24-hour clock
    timezone: str  # IANA name, e.g. "Europe/Paris"
    lang: LangSetting = "auto"

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if not _TIME_RE.fullmatch(self.time):
            raise ValueError(f"time must be HH:MM on a 24-hour clock, not {self.time!r}")
        _check_lang(self.lang)


@dataclass(frozen=True, slots=True)
class Miss:
    """One group of identical (case- and space-insensitive) unanswered questions."""

    text: str
    count: int
    first_seen: float
    last_seen: float
    lang: str


@dataclass(frozen=True, slots=True)
class StatRow:
    day: str
    intent: str
    lang: str
    chat_kind: str
    answers: int
    helpful: int
    not_helpful: int


# Each entry upgrades the schema by one version; append, never edit, so that
# existing files migrate from whatever version they were left at.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE IF NOT EXISTS chat_settings (
            chat_id INTEGER PRIMARY KEY,
            mode TEXT NOT NULL CHECK (mode IN ('auto', 'mention', 'off')),
            lang TEXT NOT NULL CHECK (lang IN ('auto', 'fr', 'en')),
            cooldown_minutes INTEGER NOT NULL CHECK (cooldown_minutes >= 0)
        )""",
        """CREATE TABLE IF NOT EXISTS user_lang (
            user_id INTEGER PRIMARY KEY,
            lang TEXT NOT NULL CHECK (lang IN ('fr', 'en'))
        )""",
        """CREATE TABLE IF NOT EXISTS schedules (
            chat_id INTEGER PRIMARY KEY,
            weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
            time TEXT NOT NULL,
            timezone TEXT NOT NULL,
            lang TEXT NOT NULL CHECK (lang IN ('auto', 'fr', 'en'))
        )""",
        """CREATE TABLE IF NOT EXISTS weekly_posts (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            intent_id TEXT NOT NULL,
            posted_at REAL NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS weekly_posts_chat ON weekly_posts (chat_id, id)",
        """CREATE TABLE IF NOT EXISTS misses (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            count INTEGER NOT NULL,
            first_seen REAL NOT NULL,
            last_seen REAL NOT NULL,
            lang TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS misses_last_seen ON misses (last_seen)",
        """CREATE TABLE IF NOT EXISTS stats (
            day TEXT NOT NULL,
            intent TEXT NOT NULL,
            lang TEXT NOT NULL,
            chat_kind TEXT NOT NULL,
            answers INTEGER NOT NULL DEFAULT 0,
            helpful INTEGER NOT NULL DEFAULT 0,
            not_helpful INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (day, intent, lang, chat_kind)
        ) WITHOUT ROWID""",
        """CREATE TABLE IF NOT EXISTS votes (
            voter_hash BLOB PRIMARY KEY,
            day TEXT NOT NULL,
            intent TEXT NOT NULL,
            lang TEXT NOT NULL,
            chat_kind TEXT NOT NULL,
            helpful INTEGER NOT NULL CHECK (helpful IN (0, 1))
        ) WITHOUT ROWID""",
        "CREATE INDEX IF NOT EXISTS votes_day ON votes (day)",
    ),
)
SCHEMA_VERSION = len(_MIGRATIONS)

_K = TypeVar("_K")
_V = TypeVar("_V")


class Store:
    """All of mythbot's persistent state, in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        target = str(path)
        if target != ":memory:":
            Path(target).expanduser().parent.mkdir(parents=True, exist_ok=True)
            target = str(Path(target).expanduser())
        # isolation_level=None: the sqlite3 module's implicit transactions
        # start late and never use IMMEDIATE; explicit ones are clearer.
        self._conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._settings_cache: OrderedDict[int, ChatSettings] = OrderedDict()
        self._user_lang_cache: OrderedDict[int, LangSetting] = OrderedDict()
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            self._enable_wal()
            # In WAL mode NORMAL cannot corrupt the file and survives a process
            # crash; only a power cut can lose the last commits, which for
            # counters and settings is cheaper than an fsync per answer.
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _enable_wal(self) -> None:
        # WAL lets `mythbot misses` read while the bot writes. Switching a new
        # file to WAL needs an exclusive lock, and SQLite reports SQLITE_BUSY
        # there without calling the busy handler when another connection is
        # opening the same file, so wait here instead.
        deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front: a deferred transaction that
        # reads and then writes can fail with SQLITE_BUSY at once, without
        # waiting for busy_timeout, when another process wrote in between.
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException:
            # SQLite has already rolled back after some errors (disk full,
            # I/O); a second ROLLBACK would hide the real error. A failed
            # COMMIT is rolled back too, so the next call can begin again.
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def _migrate(self) -> None:
        # Inside one IMMEDIATE transaction so two processes starting together
        # cannot both run the same migration.
        with self._tx() as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"the database is at schema version {version}, newer than this "
                    f"mythbot's {SCHEMA_VERSION}: upgrade mythbot or use another file"
                )
            for statements in _MIGRATIONS[version:]:
                for statement in statements:
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- chat settings -----------------------------------------------------

    def chat_settings(self, chat_id: int) -> ChatSettings:
        with self._lock:
            return self._chat_settings_locked(chat_id)

    def _chat_settings_locked(self, chat_id: int) -> ChatSettings:
        cached = self._settings_cache.get(chat_id)
        if cached is not None:
            self._settings_cache.move_to_end(chat_id)
            return cached
        row = self._conn.execute(
            "SELECT mode, lang, cooldown_minutes FROM chat_settings WHERE chat_id = ?",
            (chat_id,),
        ).fetchone()
        if row is None:
            settings = ChatSettings(chat_id)
        else:
            settings = ChatSettings(
                chat_id, cast(Mode, row[0]), cast(LangSetting, row[1]), int(row[2])
            )
        _remember(self._settings_cache, chat_id, settings)
        return settings

    def update_chat_settings(
        self,
        chat_id: int,
        *,
        mode: Mode | None = None,
        lang: LangSetting | None = None,
        cooldown_minutes: int | None = None,
    ) -> ChatSettings:
        with self._lock:
            current = self._chat_settings_locked(chat_id)
            updated = ChatSettings(
                chat_id,
                current.mode if mode is None else mode,
                current.lang if lang is None else lang,
                current.cooldown_minutes if cooldown_minutes is None else cooldown_minutes,
            )
            if updated == current:
                return current
            with self._tx() as db:
                db.execute(
                    """INSERT INTO chat_settings (chat_id, mode, lang, cooldown_minutes)
                    VALUES (?, ?, ?, ?)
                    ON CONFLICT (chat_id) DO UPDATE SET mode = excluded.mode,
                        lang = excluded.lang, cooldown_minutes = excluded.cooldown_minutes""",
                    (chat_id, updated.mode, updated.lang, updated.cooldown_minutes),
                )
            # Only after COMMIT: a failed write must not leave the cache ahead
            # of the file.
            _remember(self._settings_cache, chat_id, updated)
            return updated

    def forget_chat(self, chat_id: int) -> None:
        """Drop everything kept about a chat the bot was removed from.

        Settings, schedule and weekly history go; statistics are not per chat
        and stay.
        """
        with self._lock:
            with self._tx() as db:
                db.execute("DELETE FROM chat_settings WHERE chat_id = ?", (chat_id,))
                db.execute("DELETE FROM schedules WHERE chat_id = ?", (chat_id,))
                db.execute("DELETE FROM weekly_posts WHERE chat_id = ?", (chat_id,))
            self._settings_cache.pop(chat_id, None)

    # -- user language -----------------------------------------------------

    def user_lang(self, user_id: int) -> LangSetting:
        with self._lock:
            cached = self._user_lang_cache.get(user_id)
            if cached is not None:
                self._user_lang_cache.move_to_end(user_id)
                return cached
            row = self._conn.execute(
                "SELECT lang FROM user_lang WHERE user_id = ?", (user_id,)
            ).fetchone()
            lang: LangSetting = "auto" if row is None else cast(LangSetting, row[0])
            _remember(self._user_lang_cache, user_id, lang)
            return lang

    def set_user_lang(self, user_id: int, lang: LangSetting) -> None:
        _check_lang(lang)
        with self._lock:
            with self._tx() as db:
                if lang == "auto":
                    # "auto" is the default: keeping a row would only keep the
                    # user id for nothing.
                    db.execute("DELETE FROM user_lang WHERE user_id = ?", (user_id,))
                else:
                    db.execute(
                        """INSERT INTO user_lang (user_id, lang) VALUES (?, ?)
                        ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang""",
                        (user_id, lang),
                    )
            _remember(self._user_lang_cache, user_id, lang)

    # -- weekly schedules --------------------------------------------------

    def set_schedule(self, schedule: Schedule) -> None:
        """Create or replace the chat's weekly post (one per chat)."""
        try:
            ZoneInfo(schedule.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            # A name the scheduler cannot resolve would only fail later, at
            # start-up, far from the admin who typed it.
            raise ValueError(
                f"unknown time zone {schedule.timezone!r}: use an IANA name such as 'Europe/Paris'"
            ) from exc
        with self._lock, self._tx() as db:
            db.execute(
                """INSERT INTO schedules (chat_id, weekday, time, timezone, lang)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (chat_id) DO UPDATE SET weekday = excluded.weekday,
                    time = excluded.time, timezone = excluded.timezone,
                    lang = excluded.lang""",
                (
                    schedule.chat_id,
                    schedule.weekday,
                    schedule.time,
                    schedule.timezone,
                    schedule.lang,
                ),
            )

    def delete_schedule(self, chat_id: int) -> bool:
        """Stop the weekly post; the history stays so the rotation resumes later."""
        with self._lock, self._tx() as db:
            cursor = db.execute("DELETE FROM schedules WHERE chat_id = ?", (chat_id,))
            return cursor.rowcount > 0

    def schedule(self, chat_id: int) -> Schedule | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT chat_id, weekday, time, timezone, lang FROM schedules WHERE chat_id = ?",
                (chat_id,),
            ).fetchone()
        return None if row is None else _schedule_from_row(row)

    def schedules(self) -> list[Schedule]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT chat_id, weekday, time, timezone, lang FROM schedules ORDER BY chat_id"
            ).fetchall()
        return [_schedule_from_row(row) for row in rows]

    def record_weekly_post(self, chat_id: int, intent_id: str) -> None:
        if not intent_id:
            raise ValueError("intent_id must not be empty")
        with self._lock, self._tx() as db:
            db.execute(
                "INSERT INTO weekly_posts (chat_id, intent_id, posted_at) VALUES (?, ?, ?)",
                (chat_id, intent_id, time.time()),
            )

    def weekly_history(self, chat_id: int) -> list[str]:
        """Intent ids posted to the chat, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT intent_id FROM weekly_posts WHERE chat_id = ? ORDER BY id",
                (chat_id,),
            ).fetchall()
        return [str(row[0]) for row in rows]

    # -- unanswered private questions --------------------------------------

    def add_miss(
        self,
        text: str,
        lang: str,
        *,
        now: float | None = None,
        max_count: int = 5000,
        max_age_days: int = 90,
    ) -> None:
        """Record an unanswered private-chat question (text only, no ids).

        Blank text is ignored. The first wording of a question is kept; the
        language is the latest one seen.
        """
        if max_count < 0 or max_age_days < 0:
            raise ValueError("max_count and max_age_days must not be negative")
        text = text.strip()[:MAX_MISS_CHARS].strip()
        if not text:
            return
        key = _miss_key(text)
        seen = time.time() if now is None else now
        with self._lock, self._tx() as db:
            row = db.execute(
                """INSERT INTO misses (key, text, count, first_seen, last_seen, lang)
                VALUES (?, ?, 1, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET count = count + 1,
                    last_seen = max(last_seen, excluded.last_seen), lang = excluded.lang
                RETURNING count""",
                (key, text, seen, seen, lang),
            ).fetchone()
            db.execute("DELETE FROM misses WHERE last_seen < ?", (seen - max_age_days * 86_400,))
            # The number of rows only grows on a new text, so the costlier
            # trim by count is skipped when a known question comes back.
            if int(row[0]) == 1:
                db.execute(
                    """DELETE FROM misses WHERE id IN (
                        SELECT id FROM misses ORDER BY last_seen DESC, id DESC
                        LIMIT -1 OFFSET ?)""",
                    (max_count,),
                )

    def misses(self, *, now: float | None = None, max_age_days: int = 90) -> list[Miss]:
        """Unanswered questions seen within ``max_age_days``, most frequent first."""
        since = (time.time() if now is None else now) - max_age_days * 86_400
        with self._lock:
            rows = self._conn.execute(
                """SELECT text, count, first_seen, last_seen, lang FROM misses
                WHERE last_seen >= ? ORDER BY count DESC, last_seen DESC, id""",
                (since,),
            ).fetchall()
        return [
            Miss(str(text), int(count), float(first), float(last), str(lang))
            for text, count, first, last, lang in rows
        ]

    def clear_misses(self) -> int:
        """Delete every miss; returns how many distinct questions were dropped."""
        with self._lock, self._tx() as db:
            return db.execute("DELETE FROM misses").rowcount

    # -- statistics ----------------------------------------------------------

    def count_answer(
        self, intent: str, lang: str, chat_kind: str, *, day: str | None = None
    ) -> None:
        day = _day_or_today(day)
        _check_chat_kind(chat_kind)
        with self._lock:
            # Called on every answer: one statement is one short implicit
            # transaction, no read-modify-write round trip.
            self._conn.execute(
                """INSERT INTO stats (day, intent, lang, chat_kind, answers)
                VALUES (?, ?, ?, ?, 1)
                ON CONFLICT (day, intent, lang, chat_kind)
                DO UPDATE SET answers = answers + 1""",
                (day, intent, lang, chat_kind),
            )

    def vote(
        self,
        voter_key: str,
        intent: str,
        lang: str,
        chat_kind: str,
        helpful: bool,
        *,
        day: str | None = None,
    ) -> bool:
        """Count a helpful / not helpful vote, once per ``voter_key``.

        A later vote with the same key replaces the earlier one: the count
        moves between helpful and not helpful on the row of the first vote
        (its day, intent, language and chat kind). Returns True when the vote
        was new or changed, False when it repeats the recorded one. Votes are
        remembered for ``VOTE_MEMORY_DAYS``; after that the same key counts
        as a new vote.
        """
        day = _day_or_today(day)
        _check_chat_kind(chat_kind)
        digest = hashlib.sha256(voter_key.encode("utf-8")).digest()
        value = 1 if helpful else 0
        forget_before = (date.fromisoformat(day) - timedelta(days=VOTE_MEMORY_DAYS)).isoformat()
        with self._lock, self._tx() as db:
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

    def stats(self, *, since_day: str | None = None) -> list[StatRow]:
        """Counters from ``since_day`` (inclusive, "YYYY-MM-DD") on, by day and intent."""
        query = "SELECT day, intent, lang, chat_kind, answers, helpful, not_helpful FROM stats"
        params: tuple[str, ...] = ()
        if since_day is not None:
            query += " WHERE day >= ?"
            params = (_check_day(since_day),)
        query += " ORDER BY day, intent, lang, chat_kind"
        with self._lock:
            rows = self._conn.execute(query, params).fetchall()
        return [
            StatRow(str(d), str(i), str(la), str(k), int(a), int(h), int(n))
            for d, i, la, k, a, h, n in rows
        ]


# -- helpers -----------------------------------------------------------------


def _remember(cache: OrderedDict[_K, _V], key: _K, value: _V) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _CACHE_LIMIT:
        cache.popitem(last=False)


def _miss_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _check_lang(lang: str) -> None:
    if lang not in LANG_SETTINGS:
        raise ValueError(f"lang must be one of {sorted(LANG_SETTINGS)}, not {lang!r}")


def _check_chat_kind(chat_kind: str) -> None:
    if chat_kind not in CHAT_KINDS:
        raise ValueError(f"chat_kind must be one of {sorted(CHAT_KINDS)}, not {chat_kind!r}")


def _check_day(day: str) -> str:
    # Days are compared as strings in SQL, which is only right for this exact
    # zero-padded form; fromisoformat alone would also accept "20240101".
    try:
        if _DAY_RE.fullmatch(day):
            date.fromisoformat(day)
            return day
    except ValueError:
        pass
    raise ValueError(f"day must be a date written YYYY-MM-DD, not {day!r}")


def _day_or_today(day: str | None) -> str:
    return datetime.now(UTC).date().isoformat() if day is None else _check_day(day)


def _schedule_from_row(row: tuple[Any, ...]) -> Schedule:
    chat_id, weekday, at, timezone, lang = row
    return Schedule(int(chat_id), int(weekday), str(at), str(timezone), cast(LangSetting, lang))
