"""The SQLite file: opening a connection (WAL, busy timeout), transactions, and the schema's
versioned migrations."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.paths import create_private_file

# Each entry upgrades the schema by one version; append, never edit, so that
# existing files migrate from whatever version they were left at.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: settings, schedules, misses, statistics
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
    (  # 2: the durable inbox of updates (bot/storage/inbox.py)
        """CREATE TABLE IF NOT EXISTS inbox (
            update_id INTEGER PRIMARY KEY,
            received_at REAL NOT NULL,
            payload TEXT,
            handled_at REAL
        )""",
        "CREATE INDEX IF NOT EXISTS inbox_waiting ON inbox (update_id) WHERE handled_at IS NULL",
        "CREATE INDEX IF NOT EXISTS inbox_handled ON inbox (handled_at) "
        "WHERE handled_at IS NOT NULL",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

STARTUP_BUSY_MS = 5_000
"""Opening the file may wait this long for another process's write: only at start-up."""


def target(path: str | Path) -> str:
    """The file name to give sqlite3; ':memory:' stays as it is. A new file is created
    empty first, 0600 in a 0700 folder: it holds what private users asked and the updates
    waiting, and SQLite gives its -wal and -shm files the database's mode."""
    name = str(path)
    if name == ":memory:":
        return name
    file = Path(name).expanduser()
    create_private_file(file)
    return str(file)


def connect(path: str, *, busy_ms: int) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), usable from any thread
    (callers serialise their use of it)."""
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
        # In WAL mode NORMAL cannot corrupt the file and survives a process
        # crash; only a power cut can lose the last commits, which for
        # counters and settings is cheaper than an fsync per answer.
        conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


class StorageError(Exception):
    """The database cannot be used at all: one line for the operator, naming the file and
    what to do."""


_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def damaged(file: str | Path, detail: object) -> StorageError:
    return StorageError(
        f"the database {file} is damaged ({detail}): restore it from a backup, or move it "
        "away and the bot starts with a new one (settings, schedules and statistics are "
        "then lost)")


def unusable(file: str | Path, exc: sqlite3.Error) -> StorageError:
    if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _DAMAGED:
        return damaged(file, exc)
    return StorageError(f"cannot open the database {file} ({exc}): check MYTHBOT_DB (or "
                        "--db), the file's permissions and the free space")


class ReportError(Exception):
    """A database a report cannot read; the message names the file and MYTHBOT_DB."""

    @classmethod
    def unreadable(cls, file: str | Path, exc: sqlite3.Error) -> ReportError:
        return cls(f"cannot read {file} ({exc}): is MYTHBOT_DB (or --db) the bot's database?")


def open_for_report(path: str | Path) -> sqlite3.Connection:
    """Open an existing file read-only: a report never creates, migrates or writes it."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise ReportError(f"no database at {file}: pass --db or set MYTHBOT_DB to the file the "
                          "bot writes (it creates it on its first run)")
    uri = file.resolve().as_uri()
    try:
        try:
            return _readable(f"{uri}?mode=ro")
        except sqlite3.OperationalError:
            # A WAL file in a folder we may not write to: read it as it stands on disk.
            return _readable(f"{uri}?immutable=1")
    except sqlite3.Error as exc:
        raise ReportError.unreadable(file, exc) from exc


def _readable(uri: str) -> sqlite3.Connection:
    """A connection that has read the schema (so "file is not a database" shows now)."""
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (name,)).fetchone() is not None


def open_database(path: str) -> sqlite3.Connection:
    """Connect, switch the file to WAL, check that its pages are sound and bring its schema
    up to date; `StorageError` when the file cannot be used."""
    try:
        conn = connect(path, busy_ms=STARTUP_BUSY_MS)
    except sqlite3.Error as exc:
        raise unusable(path, exc) from exc
    try:
        _enable_wal(conn)
        _check_pages(conn, path)
        migrate(conn)
    except BaseException as exc:
        conn.close()
        if isinstance(exc, sqlite3.Error):
            raise unusable(path, exc) from exc
        raise
    return conn


def _check_pages(conn: sqlite3.Connection, path: str) -> None:
    # A file with damaged pages opens and migrates fine, then fails far from here (a
    # report, a resumed update). quick_check reads every page once: milliseconds for
    # the bot's few megabytes, and the damage is told at start-up, in one line.
    problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        lines = [line for line in problems[0].splitlines() if not line.startswith("***")]
        raise damaged(path, f"database disk image is malformed: {(lines or problems)[0]}")


def _enable_wal(conn: sqlite3.Connection) -> None:
    # WAL lets readers (the bot's own, `mythbot misses`) read while the bot
    # writes. Switching a new file to WAL needs an exclusive lock, and SQLite
    # reports SQLITE_BUSY there without calling the busy handler when another
    # connection is opening the same file, so wait here instead.
    deadline = time.monotonic() + STARTUP_BUSY_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    # IMMEDIATE takes the write lock up front: a deferred transaction that
    # reads and then writes can fail with SQLITE_BUSY at once, without
    # waiting for busy_timeout, when another process wrote in between.
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        # SQLite has already rolled back after some errors (disk full, I/O);
        # a second ROLLBACK would hide the real error. A failed COMMIT is
        # rolled back too, so the next call can begin again.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def migrate(conn: sqlite3.Connection) -> None:
    # An up-to-date file needs no write lock: the bot starts even while another
    # process holds it.
    if _version(conn) == SCHEMA_VERSION:
        return
    # Inside one IMMEDIATE transaction so two processes starting together
    # cannot both run the same migration.
    with transaction(conn) as db:
        version = _version(db)
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"the database is at schema version {version}, newer than this "
                f"mythbot's {SCHEMA_VERSION}: upgrade mythbot or use another file"
            )
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
