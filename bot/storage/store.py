"""`Store`: everything mythbot keeps, in one SQLite file, without making anyone wait for it.

Reads come from memory when they can (chat settings and users' languages in bounded
caches, schedules and weekly histories whole) and otherwise from a connection of their
own, which in WAL mode never waits for a writer. Writes update memory at once and are
queued for the writer thread (`bot.storage.writer`): the caller never waits for the disk,
and a write the file refuses (disk full, lock held by another process) is kept and
retried. Each write returns a `Future` of its outcome, for the few callers (tests, the
inbox) that care.

What is stored (see the modules for the SQL):

- per-chat settings (chat id, answer mode, language, cooldown), only once an admin
  changes them; unknown chats get the defaults without a row;
- per-user language preference for private chats, only while the user has chosen one;
- the weekly schedule of each chat and the intent ids already posted there;
- unanswered questions from private chats ("misses"): the text, how many times, when
  first and last asked, and the language; bounded in number and age;
- statistics: counters per day, intent, language and chat kind (answers, votes);
- votes: a SHA-256 digest of the voter key and what the vote counted, for
  ``VOTE_MEMORY_DAYS``, so that a user can change their vote without counting twice;
- the inbox: each update Telegram delivered, until it is handled; then only its id,
  for two days, to recognise it if it is delivered again (`bot.storage.inbox`).

What is deliberately not stored: message text from groups or channels beyond the time
it waits in the inbox (seconds, unless Telegram is unreachable); who asked an unanswered
question; raw voter keys; names or anything else from Telegram profiles.

Several processes may open the file (the bot and `mythbot misses`); caches are only
coherent within the process that writes, which is the bot.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Submodules by their full names: the package's __init__ imports this module.
import bot.storage.inbox as inbox
import bot.storage.misses as misses
import bot.storage.schedules as schedules
import bot.storage.settings as settings
import bot.storage.stats as stats
from bot.models import (
    MAX_MISS_CHARS,
    ChatSettings,
    LangSetting,
    Miss,
    Mode,
    Schedule,
    StatRow,
    check_chat_kind,
    check_day,
    check_lang,
    day_or_today,
)
from bot.storage.db import connect, open_database, target
from bot.storage.writer import Writer

log = logging.getLogger(__name__)

_K = TypeVar("_K")
_V = TypeVar("_V")
T = TypeVar("T")

# Bounds the in-memory caches: a popular bot sees many private users, and an
# unbounded dict keyed by user id would grow for as long as the process lives.
_CACHE_LIMIT = 10_000
READ_BUSY_MS = 100
"""A read waits this long at most (WAL readers only wait on a checkpoint or a schema change)."""
WRITE_BUSY_MS = 250
"""The writer waits this long for another process's lock before retrying later."""
FLUSH_BEFORE_READ = 2.0
CLOSE_TIMEOUT = 2.0
PRUNE_EVERY = 600.0


class Store:
    """All of mythbot's persistent state, in one SQLite file."""

    def __init__(self, path: str | Path, *,
                 connect_writer: Callable[[str], sqlite3.Connection] | None = None) -> None:
        self.path = target(path)
        self._lock = threading.Lock()  # the reading connection and the caches
        self._read = open_database(self.path)
        self._read.execute(f"PRAGMA busy_timeout = {READ_BUSY_MS}")
        if self.path == ":memory:":
            # Another connection would open another, empty, database: share this one.
            self.writer = Writer(self.path, lambda: self._read, lock=self._lock)
        else:
            opener = connect_writer or partial(connect, busy_ms=WRITE_BUSY_MS)
            self.writer = Writer(self.path, partial(opener, self.path))
        self._settings: OrderedDict[int, ChatSettings] = OrderedDict()
        self._user_langs: OrderedDict[int, LangSetting] = OrderedDict()
        self._schedules: dict[int, Schedule] | None = None
        self._histories: OrderedDict[int, list[str]] = OrderedDict()
        self._next_prune = 0.0
        self._read_failing = False

    # -- lifecycle -------------------------------------------------------------------------

    def flush(self, timeout: float | None = FLUSH_BEFORE_READ) -> bool:
        """Wait until every write so far is in the file; False when it is still refused."""
        return self.writer.flush(timeout)

    def close(self, timeout: float | None = CLOSE_TIMEOUT) -> None:
        self.writer.close(timeout)
        with self._lock:
            self._read.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _write(self, write: Callable[[sqlite3.Connection], T], *,
               fail_fast: bool = False) -> Future[T]:
        return self.writer.submit(write, fail_fast=fail_fast)

    def _query(self, read: Callable[[sqlite3.Connection], T], fallback: T) -> T:
        """A read on the reading connection (lock held); ``fallback`` if the file refuses,
        logged once: storage must not stop the bot from answering."""
        try:
            value = read(self._read)
        except sqlite3.DatabaseError as exc:  # locked, refused, or pages damaged since start
            if not self._read_failing:
                log.error("cannot read %s (%s): using defaults until it works again",
                          self.path, exc)
            self._read_failing = True
            return fallback
        if self._read_failing:
            log.warning("reading %s works again", self.path)
            self._read_failing = False
        return value

    # -- chat settings ---------------------------------------------------------------------

    def chat_settings(self, chat_id: int) -> ChatSettings:
        with self._lock:
            return self._chat_settings_locked(chat_id)

    def _chat_settings_locked(self, chat_id: int) -> ChatSettings:
        cached = self._settings.get(chat_id)
        if cached is not None:
            self._settings.move_to_end(chat_id)
            return cached
        found = self._query(partial(settings.read_chat_settings, chat_id=chat_id),
                            ChatSettings(chat_id))
        _remember(self._settings, chat_id, found)
        return found

    def update_chat_settings(self, chat_id: int, *, mode: Mode | None = None,
                             lang: LangSetting | None = None,
                             cooldown_minutes: int | None = None) -> ChatSettings:
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
            _remember(self._settings, chat_id, updated)
        self._write(partial(settings.write_chat_settings, settings=updated))
        return updated

    def forget_chat(self, chat_id: int) -> None:
        """Drop everything kept about a chat the bot was removed from (statistics, which
        are not per chat, stay)."""
        with self._lock:
            # The defaults, not a gap: a read must not find the row the queued delete
            # has not removed yet.
            _remember(self._settings, chat_id, ChatSettings(chat_id))
            self._schedules_locked().pop(chat_id, None)
            _remember(self._histories, chat_id, [])
        self._write(partial(settings.forget_chat, chat_id=chat_id))

    # -- user language ---------------------------------------------------------------------

    def user_lang(self, user_id: int) -> LangSetting:
        with self._lock:
            cached = self._user_langs.get(user_id)
            if cached is not None:
                self._user_langs.move_to_end(user_id)
                return cached
            found: LangSetting = self._query(
                partial(settings.read_user_lang, user_id=user_id), "auto")
            _remember(self._user_langs, user_id, found)
            return found

    def set_user_lang(self, user_id: int, lang: LangSetting) -> None:
        check_lang(lang)
        with self._lock:
            _remember(self._user_langs, user_id, lang)
        self._write(partial(settings.write_user_lang, user_id=user_id, lang=lang))

    # -- weekly schedules ------------------------------------------------------------------

    def _schedules_locked(self) -> dict[int, Schedule]:
        if self._schedules is None:
            found: list[Schedule] = self._query(schedules.read_schedules, [])
            self._schedules = {s.chat_id: s for s in found}
        return self._schedules

    def set_schedule(self, schedule: Schedule) -> None:
        """Create or replace the chat's weekly post (one per chat)."""
        try:
            ZoneInfo(schedule.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            # A name the scheduler cannot resolve would only fail later, at
            # start-up, far from the admin who typed it.
            raise ValueError(f"unknown time zone {schedule.timezone!r}: use an IANA name "
                             "such as 'Europe/Paris'") from exc
        with self._lock:
            self._schedules_locked()[schedule.chat_id] = schedule
        self._write(partial(schedules.write_schedule, schedule=schedule))

    def delete_schedule(self, chat_id: int) -> bool:
        """Stop the weekly post; the history stays so the rotation resumes later."""
        with self._lock:
            removed = self._schedules_locked().pop(chat_id, None) is not None
        if removed:
            self._write(partial(schedules.delete_schedule, chat_id=chat_id))
        return removed

    def schedule(self, chat_id: int) -> Schedule | None:
        with self._lock:
            return self._schedules_locked().get(chat_id)

    def schedules(self) -> list[Schedule]:
        with self._lock:
            return sorted(self._schedules_locked().values(), key=lambda s: s.chat_id)

    def _history_locked(self, chat_id: int) -> list[str]:
        history = self._histories.get(chat_id)
        if history is None:
            none_yet: list[str] = []
            history = self._query(partial(schedules.read_history, chat_id=chat_id), none_yet)
        _remember(self._histories, chat_id, history)
        return history

    def record_weekly_post(self, chat_id: int, intent_id: str) -> None:
        if not intent_id:
            raise ValueError("intent_id must not be empty")
        with self._lock:
            self._history_locked(chat_id).append(intent_id)
        self._write(partial(schedules.record_post, chat_id=chat_id, intent_id=intent_id,
                            at=time.time()))

    def weekly_history(self, chat_id: int) -> list[str]:
        """Intent ids posted to the chat, oldest first."""
        with self._lock:
            return list(self._history_locked(chat_id))

    # -- unanswered private questions ------------------------------------------------------

    def add_miss(self, text: str, lang: str, *, now: float | None = None,
                 max_count: int = 5000, max_age_days: int = 90) -> Future[None]:
        """Record an unanswered private-chat question (text only, no ids); blank text is
        ignored. The first wording of a question is kept, and the latest language."""
        if max_count < 0 or max_age_days < 0:
            raise ValueError("max_count and max_age_days must not be negative")
        text = text.strip()[:MAX_MISS_CHARS].strip()
        if not text:
            done: Future[None] = Future()
            done.set_result(None)
            return done
        return self._write(partial(misses.add_miss, text=text, lang=lang,
                                   seen=time.time() if now is None else now,
                                   max_count=max_count, max_age_days=max_age_days))

    def misses(self, *, now: float | None = None, max_age_days: int = 90) -> list[Miss]:
        """Unanswered questions seen within ``max_age_days``, most frequent first."""
        since = (time.time() if now is None else now) - max_age_days * 86_400
        self.flush()
        with self._lock:
            return misses.read_misses(self._read, since)

    # -- statistics ------------------------------------------------------------------------

    def count_answer(self, intent: str, lang: str, chat_kind: str, *,
                     day: str | None = None) -> Future[None]:
        day = day_or_today(day)
        check_chat_kind(chat_kind)
        return self._write(partial(stats.count_answer, day=day, intent=intent, lang=lang,
                                   chat_kind=chat_kind))

    def vote(self, voter_key: str, intent: str, lang: str, chat_kind: str, helpful: bool, *,
             day: str | None = None) -> Future[bool]:
        """Count a helpful / not helpful vote, once per ``voter_key``.

        A later vote with the same key replaces the earlier one: the count moves between
        helpful and not helpful on the row of the first vote. The future holds True when
        the vote was new or changed, False when it repeats the recorded one. Votes are
        remembered for ``VOTE_MEMORY_DAYS``; after that the same key counts as new.
        """
        day = day_or_today(day)
        check_chat_kind(chat_kind)
        digest = hashlib.sha256(voter_key.encode("utf-8")).digest()
        return self._write(partial(stats.vote, digest=digest, day=day, intent=intent,
                                   lang=lang, chat_kind=chat_kind, helpful=helpful))

    def stats(self, *, since_day: str | None = None) -> list[StatRow]:
        """Counters from ``since_day`` (inclusive, "YYYY-MM-DD") on, by day and intent."""
        since = None if since_day is None else check_day(since_day)
        self.flush()
        with self._lock:
            return stats.read_stats(self._read, since)

    # -- the inbox -------------------------------------------------------------------------

    def record_updates(self, updates: Sequence[tuple[int, str]], received_at: float
                       ) -> Future[None]:
        """Record updates (id, JSON) in one transaction; the future fails at the first
        refusal of the file, and the write is still retried."""
        return self._write(partial(inbox.record, rows=list(updates), received_at=received_at),
                           fail_fast=True)

    def mark_handled(self, update_ids: Sequence[int], at: float) -> None:
        self._write(partial(inbox.mark_handled, update_ids=list(update_ids), at=at))
        if at >= self._next_prune:
            self._next_prune = at + PRUNE_EVERY
            self._write(partial(inbox.prune, before=at - inbox.KEEP_HANDLED_SECONDS))

    def known_updates(self, update_ids: Sequence[int]) -> set[int]:
        """Which of these updates were recorded before (so must not be handled again)."""
        with self._lock:
            return self._query(partial(inbox.known, update_ids=update_ids), set())

    def newest_update(self) -> int:
        """The highest update id ever recorded (0 for none), handled or not."""
        with self._lock:
            return self._query(inbox.newest, 0)

    def waiting_updates(self) -> list[tuple[int, str, float]]:
        """Updates recorded and not handled yet: (id, JSON, received at), oldest first."""
        with self._lock:
            return self._query(inbox.waiting, [])


def _remember(cache: OrderedDict[_K, _V], key: _K, value: _V) -> None:
    # Every write goes through the cache, so a read served from it sees writes still
    # queued. Only an entry pushed out by 10,000 newer ones could be read back from the
    # file before its write lands: the writer commits within milliseconds.
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _CACHE_LIMIT:
        cache.popitem(last=False)
