"""Behaviour of the SQLite store: persistence, limits, privacy and concurrency."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from bot.storage import (
    MAX_MISS_CHARS,
    SCHEMA_VERSION,
    ChatSettings,
    Miss,
    Schedule,
    StatRow,
    Store,
)
from bot.storage.db import MIGRATIONS

DAY = 86_400.0
T0 = 1_700_000_000.0  # a fixed "now" so age limits do not depend on the clock


def _has_tz_database() -> bool:
    try:
        ZoneInfo("Europe/Paris")
    except ZoneInfoNotFoundError:
        return False
    return True


needs_tz = pytest.mark.skipif(
    not _has_tz_database(), reason="no IANA time zone database (install tzdata)"
)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "mythbot.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as opened:
        yield opened


def _raw_rows(path: Path, query: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.execute(query).fetchall())
    finally:
        conn.close()


# -- schema and files -----------------------------------------------------------


def test_parent_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "bot.sqlite3"
    with Store(path) as store:
        store.count_answer("salary", "fr", "private", day="2024-05-01")
    assert path.is_file()


def test_memory_database_works_without_touching_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with Store(":memory:") as store:
        store.update_chat_settings(-1, mode="auto")
        assert store.chat_settings(-1).mode == "auto"
    assert list(tmp_path.iterdir()) == []


def test_schema_version_is_recorded_and_reopening_keeps_data(db_path: Path) -> None:
    with Store(db_path) as store:
        store.count_answer("salary", "fr", "private", day="2024-05-01")
    with Store(db_path) as store:
        store.count_answer("salary", "fr", "private", day="2024-05-01")
        assert store.stats()[0].answers == 2
    assert _raw_rows(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_opening_a_new_file_from_several_connections_at_once_succeeds(tmp_path: Path) -> None:
    # Each opening reads the schema version and then writes the schema: a
    # race between the two steps is what a bot and a CLI starting together hit.
    for attempt in range(5):
        path = tmp_path / f"race{attempt}.sqlite3"
        start = threading.Barrier(4)

        def open_and_close(path: Path = path, start: threading.Barrier = start) -> None:
            start.wait()
            Store(path).close()

        with ThreadPoolExecutor(4) as pool:
            for future in [pool.submit(open_and_close) for _ in range(4)]:
                future.result()
        assert _raw_rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_file_is_in_wal_mode(db_path: Path) -> None:
    with Store(db_path):
        assert _raw_rows(db_path, "PRAGMA journal_mode") == [("wal",)]


def test_a_database_from_a_newer_version_is_refused(db_path: Path) -> None:
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        Store(db_path)


# -- chat settings -----------------------------------------------------------------


def test_unknown_chat_gets_the_defaults(store: Store) -> None:
    assert store.chat_settings(-100123) == ChatSettings(
        -100123, mode="mention", lang="auto", cooldown_minutes=10
    )


def test_chat_settings_survive_reopening_the_file(db_path: Path) -> None:
    with Store(db_path) as store:
        store.update_chat_settings(-100123, mode="auto", lang="fr", cooldown_minutes=3)
    with Store(db_path) as store:
        assert store.chat_settings(-100123) == ChatSettings(-100123, "auto", "fr", 3)
        assert store.chat_settings(-100999) == ChatSettings(-100999)


def test_updating_one_setting_keeps_the_others(store: Store) -> None:
    store.update_chat_settings(-1, mode="off", lang="en", cooldown_minutes=30)
    updated = store.update_chat_settings(-1, cooldown_minutes=0)
    assert updated == ChatSettings(-1, "off", "en", 0)
    assert store.chat_settings(-1) == updated


def test_cached_settings_follow_every_update(store: Store) -> None:
    assert store.chat_settings(-1).mode == "mention"  # now cached
    store.update_chat_settings(-1, mode="auto")
    assert store.chat_settings(-1).mode == "auto"
    store.update_chat_settings(-1, mode="off")
    assert store.chat_settings(-1).mode == "off"


@pytest.mark.parametrize(
    "change",
    [{"mode": "loud"}, {"lang": "de"}, {"cooldown_minutes": -1}, {"cooldown_minutes": 10**9}],
)
def test_invalid_settings_are_rejected_and_nothing_changes(
    db_path: Path, change: dict[str, object]
) -> None:
    with Store(db_path) as store:
        store.update_chat_settings(-1, mode="auto")
        with pytest.raises(ValueError):
            store.update_chat_settings(-1, **change)  # type: ignore[arg-type]
        assert store.chat_settings(-1) == ChatSettings(-1, mode="auto")
    with Store(db_path) as store:
        assert store.chat_settings(-1) == ChatSettings(-1, mode="auto")


@needs_tz
def test_forget_chat_drops_settings_schedule_and_history_of_that_chat_only(
    db_path: Path,
) -> None:
    with Store(db_path) as store:
        for chat in (-1, -2):
            store.update_chat_settings(chat, mode="auto")
            store.set_schedule(Schedule(chat, 0, "09:00", "Europe/Paris"))
            store.record_weekly_post(chat, "salary")
        store.count_answer("salary", "fr", "group", day="2024-05-01")
        store.forget_chat(-1)
        assert store.chat_settings(-1) == ChatSettings(-1)  # not served from the cache
    with Store(db_path) as store:
        assert store.chat_settings(-1) == ChatSettings(-1)
        assert store.schedule(-1) is None
        assert store.weekly_history(-1) == []
        assert store.chat_settings(-2).mode == "auto"
        assert store.schedule(-2) is not None
        assert store.weekly_history(-2) == ["salary"]
        assert store.stats()[0].answers == 1


# -- user language ------------------------------------------------------------------


def test_user_lang_is_auto_until_set_and_survives_reopening(db_path: Path) -> None:
    with Store(db_path) as store:
        assert store.user_lang(42) == "auto"
        store.set_user_lang(42, "en")
        assert store.user_lang(42) == "en"
    with Store(db_path) as store:
        assert store.user_lang(42) == "en"
        assert store.user_lang(43) == "auto"


def test_going_back_to_auto_keeps_no_trace_of_the_user(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_user_lang(42, "fr")
        store.set_user_lang(42, "auto")
        assert store.user_lang(42) == "auto"
    assert _raw_rows(db_path, "SELECT * FROM user_lang") == []


def test_unknown_user_lang_is_rejected(store: Store) -> None:
    with pytest.raises(ValueError):
        store.set_user_lang(42, "de")  # type: ignore[arg-type]
    assert store.user_lang(42) == "auto"


# -- weekly schedules -----------------------------------------------------------------


@needs_tz
def test_schedules_survive_reopening_and_one_per_chat_replaces(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_schedule(Schedule(-2, 4, "17:30", "America/New_York", "en"))
        store.set_schedule(Schedule(-1, 0, "09:00", "Europe/Paris"))
        store.set_schedule(Schedule(-1, 2, "10:15", "Europe/Paris", "fr"))
    with Store(db_path) as store:
        assert store.schedule(-1) == Schedule(-1, 2, "10:15", "Europe/Paris", "fr")
        assert store.schedules() == [
            Schedule(-2, 4, "17:30", "America/New_York", "en"),
            Schedule(-1, 2, "10:15", "Europe/Paris", "fr"),
        ]


@needs_tz
def test_delete_schedule_says_whether_there_was_one(store: Store) -> None:
    store.set_schedule(Schedule(-1, 0, "09:00", "Europe/Paris"))
    assert store.delete_schedule(-1) is True
    assert store.delete_schedule(-1) is False
    assert store.schedule(-1) is None
    assert store.schedules() == []


@pytest.mark.parametrize(
    ("weekday", "at"), [(7, "09:00"), (-1, "09:00"), (0, "24:00"), (0, "9:00"), (0, "09:60")]
)
def test_impossible_schedules_are_rejected(weekday: int, at: str) -> None:
    with pytest.raises(ValueError):
        Schedule(-1, weekday, at, "Europe/Paris")


def test_unknown_time_zone_is_rejected(store: Store) -> None:
    for zone in ("Mars/Olympus_Mons", "../etc/passwd", ""):
        with pytest.raises(ValueError, match="time zone"):
            store.set_schedule(Schedule(-1, 0, "09:00", zone))
    assert store.schedules() == []


def test_weekly_history_is_oldest_first_and_per_chat(db_path: Path) -> None:
    with Store(db_path) as store:
        for intent in ("salary", "training", "diplomacy"):
            store.record_weekly_post(-1, intent)
        store.record_weekly_post(-2, "fifth_point")
    with Store(db_path) as store:
        store.record_weekly_post(-1, "salary")
        assert store.weekly_history(-1) == ["salary", "training", "diplomacy", "salary"]
        assert store.weekly_history(-2) == ["fifth_point"]
        assert store.weekly_history(-3) == []


# -- unanswered private questions -----------------------------------------------------


def test_identical_misses_are_grouped_ignoring_case_and_spaces(store: Store) -> None:
    store.add_miss("  Combien gagne un CM ?", "fr", now=T0)
    store.add_miss("combien   gagne un cm ?", "fr", now=T0 + 60)
    store.add_miss("COMBIEN GAGNE UN CM ?\n", "fr", now=T0 + 120)
    assert store.misses(now=T0 + 120) == [
        Miss("Combien gagne un CM ?", 3, T0, T0 + 120, "fr"),
    ]


def test_misses_are_most_frequent_first(store: Store) -> None:
    for text, times in (("once", 1), ("thrice", 3), ("twice", 2)):
        for i in range(times):
            store.add_miss(text, "en", now=T0 + i)
    assert [(m.text, m.count) for m in store.misses(now=T0 + 10)] == [
        ("thrice", 3),
        ("twice", 2),
        ("once", 1),
    ]


def test_misses_are_capped_in_number_and_age(db_path: Path) -> None:
    with Store(db_path) as store:
        store.add_miss("very old", "en", now=T0, max_age_days=90)
        store.add_miss("kept", "en", now=T0 + 50 * DAY)
        store.add_miss("question 0", "en", now=T0 + 91 * DAY)
        assert {m.text for m in store.misses(now=T0 + 91 * DAY, max_age_days=1000)} == {
            "kept",
            "question 0",
        }
        for i in range(1, 5):
            store.add_miss(f"question {i}", "en", now=T0 + 91 * DAY + i, max_count=3)
        texts = {m.text for m in store.misses(now=T0 + 91 * DAY + 5, max_age_days=90)}
        assert texts == {"question 2", "question 3", "question 4"}
        # The oldest rows are gone from the file, not merely hidden.
    assert _raw_rows(db_path, "SELECT count(*) FROM misses") == [(3,)]


def test_misses_older_than_the_window_are_not_listed(store: Store) -> None:
    store.add_miss("old", "en", now=T0)
    store.add_miss("recent", "en", now=T0 + 10 * DAY)
    listed = store.misses(now=T0 + 10 * DAY, max_age_days=5)
    assert [m.text for m in listed] == ["recent"]


def test_a_known_question_coming_back_is_not_pruned_by_count(store: Store) -> None:
    store.add_miss("a", "en", now=T0, max_count=2)
    store.add_miss("b", "en", now=T0 + 1, max_count=2)
    store.add_miss("a", "en", now=T0 + 2, max_count=2)
    store.add_miss("c", "en", now=T0 + 3, max_count=2)
    assert {m.text for m in store.misses(now=T0 + 3)} == {"a", "c"}


def test_long_miss_text_is_capped_and_blank_text_is_ignored(store: Store) -> None:
    store.add_miss("x" * 2000, "en", now=T0)
    store.add_miss("   \n\t ", "en", now=T0)
    [miss] = store.misses(now=T0)
    assert miss.text == "x" * MAX_MISS_CHARS


def test_misses_survive_reopening(db_path: Path) -> None:
    with Store(db_path) as store:
        store.add_miss("one", "en", now=T0)
        store.add_miss("two", "fr", now=T0)
        store.add_miss("two", "fr", now=T0)
    with Store(db_path) as store:
        assert sorted((m.text, m.count) for m in store.misses(now=T0)) == [("one", 1),
                                                                         ("two", 2)]


def test_a_miss_keeps_only_its_text_counts_times_and_language(db_path: Path) -> None:
    with Store(db_path) as store:
        store.add_miss("qui es-tu ?", "fr", now=T0)
    columns = {row[1] for row in _raw_rows(db_path, "PRAGMA table_info(misses)")}
    assert columns == {"id", "key", "text", "count", "first_seen", "last_seen", "lang"}


# -- statistics and votes ------------------------------------------------------------


def test_answers_are_counted_per_day_intent_language_and_chat_kind(db_path: Path) -> None:
    with Store(db_path) as store:
        for _ in range(3):
            store.count_answer("salary", "fr", "private", day="2024-05-01")
        store.count_answer("salary", "en", "private", day="2024-05-01")
        store.count_answer("salary", "fr", "group", day="2024-05-01")
        store.count_answer("diplomacy", "fr", "channel", day="2024-04-30")
    with Store(db_path) as store:
        assert store.stats() == [
            StatRow("2024-04-30", "diplomacy", "fr", "channel", 1, 0, 0),
            StatRow("2024-05-01", "salary", "en", "private", 1, 0, 0),
            StatRow("2024-05-01", "salary", "fr", "group", 1, 0, 0),
            StatRow("2024-05-01", "salary", "fr", "private", 3, 0, 0),
        ]
        assert [row.day for row in store.stats(since_day="2024-05-01")] == ["2024-05-01"] * 3


def test_the_default_day_is_todays_utc_date(store: Store) -> None:
    before = datetime.now(UTC).date().isoformat()
    store.count_answer("salary", "fr", "private")
    after = datetime.now(UTC).date().isoformat()
    assert store.stats()[0].day in {before, after}


@pytest.mark.parametrize("day", ["20240501", "2024-5-1", "2024-02-30", "yesterday"])
def test_malformed_days_are_rejected(store: Store, day: str) -> None:
    with pytest.raises(ValueError):
        store.count_answer("salary", "fr", "private", day=day)
    with pytest.raises(ValueError):
        store.stats(since_day=day)
    assert store.stats() == []


def test_unknown_chat_kind_is_rejected(store: Store) -> None:
    with pytest.raises(ValueError):
        store.count_answer("salary", "fr", "supergroup", day="2024-05-01")
    with pytest.raises(ValueError):
        store.vote("k", "salary", "fr", "secret", True, day="2024-05-01")
    assert store.stats() == []


def test_repeating_a_vote_does_not_count_twice(store: Store) -> None:
    assert store.vote("u1:m1", "salary", "fr", "private", True, day="2024-05-01").result() is True
    assert store.vote("u1:m1", "salary", "fr", "private", True, day="2024-05-01").result() is False
    assert store.vote("u2:m1", "salary", "fr", "private", True, day="2024-05-01").result() is True
    assert store.stats() == [StatRow("2024-05-01", "salary", "fr", "private", 0, 2, 0)]


def test_changing_a_vote_moves_the_count(db_path: Path) -> None:
    with Store(db_path) as store:
        store.count_answer("salary", "fr", "group", day="2024-05-01")
        assert store.vote("u1:m1", "salary", "fr", "group", True, day="2024-05-01").result()
    with Store(db_path) as store:
        # Changed the next day: the vote stays on the day it was first cast.
        changed = store.vote("u1:m1", "salary", "fr", "group", False, day="2024-05-02")
        assert changed.result() is True
        assert store.stats() == [StatRow("2024-05-01", "salary", "fr", "group", 1, 0, 1)]
        assert store.vote("u1:m1", "salary", "fr", "group", True, day="2024-05-02").result() is True
        assert store.stats() == [StatRow("2024-05-01", "salary", "fr", "group", 1, 1, 0)]


def test_votes_are_forgotten_after_the_memory_period(store: Store) -> None:
    store.vote("u1:m1", "salary", "fr", "private", True, day="2024-01-01")
    store.vote("u2:m2", "salary", "fr", "private", True, day="2024-06-01")
    assert store.vote("u1:m1", "salary", "fr", "private", True, day="2024-06-01").result() is True


def test_vote_keys_and_user_ids_are_not_written_in_clear(db_path: Path) -> None:
    voter_key = "user:987654321:message:55555"
    with Store(db_path) as store:
        store.vote(voter_key, "salary", "fr", "group", True, day="2024-05-01")
        store.count_answer("salary", "fr", "group", day="2024-05-01")
    # Closing checkpoints the WAL, so the whole database is in this one file.
    content = db_path.read_bytes()
    assert voter_key.encode() not in content
    assert b"987654321" not in content
    [(stored_key,)] = _raw_rows(db_path, "SELECT voter_hash FROM votes")
    assert isinstance(stored_key, bytes)
    assert len(stored_key) == 32


def test_returned_records_are_immutable(store: Store) -> None:
    settings = store.chat_settings(-1)
    with pytest.raises(AttributeError):
        settings.mode = "off"  # type: ignore[misc]
    assert store.chat_settings(-1).mode == "mention"


# -- concurrency ---------------------------------------------------------------------


def test_concurrent_writers_from_threads_lose_no_update(store: Store) -> None:
    threads, per_thread = 8, 100
    start = threading.Barrier(threads)

    def work(n: int) -> None:
        start.wait()
        for i in range(per_thread):
            store.count_answer("salary", "fr", "private", day="2024-05-01")
            store.vote(f"t{n}:m{i}", "salary", "fr", "private", i % 2 == 0, day="2024-05-01")
            store.add_miss("same question", "fr", now=T0 + i)
            store.chat_settings(-n)

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(work, n) for n in range(threads)]:
            future.result()  # re-raises anything a thread hit

    total = threads * per_thread
    assert store.stats() == [
        StatRow("2024-05-01", "salary", "fr", "private", total, total // 2, total // 2)
    ]
    assert store.misses(now=T0 + per_thread)[0].count == total


def test_two_stores_on_one_file_lose_no_update(db_path: Path) -> None:
    stores = [Store(db_path), Store(db_path)]
    per_store = 150
    try:

        def work(store: Store) -> None:
            for i in range(per_store):
                store.count_answer("training", "en", "group", day="2024-05-01")
                store.add_miss(f"q{i % 10}", "en", now=T0 + i)

        with ThreadPoolExecutor(len(stores)) as pool:
            for future in [pool.submit(work, s) for s in stores]:
                future.result()
        assert all(s.flush(timeout=30) for s in stores)  # each process's writes are its own
        assert stores[0].stats()[0].answers == per_store * len(stores)
        assert sum(m.count for m in stores[1].misses(now=T0 + per_store)) == 2 * per_store
    finally:
        for s in stores:
            s.close()


async def test_event_loop_and_worker_thread_can_use_the_store_at_once(store: Store) -> None:
    calls = 300

    def from_worker() -> None:
        for _ in range(calls):
            store.count_answer("diplomacy", "en", "channel", day="2024-05-01")

    async def from_loop() -> None:
        for i in range(calls):
            store.count_answer("diplomacy", "en", "channel", day="2024-05-01")
            if i % 10 == 0:
                await asyncio.sleep(0)

    await asyncio.gather(asyncio.to_thread(from_worker), from_loop())
    assert store.stats()[0].answers == 2 * calls


# -- the writer: off the caller's thread, in order, never losing what the file refuses -----


@pytest.fixture
def lock_holder(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another process holding the file's write lock until the test releases it."""
    Store(db_path).close()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def test_writes_refused_by_a_held_lock_are_kept_and_land_once_it_is_released(
    db_path: Path, lock_holder: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    with Store(db_path) as store:
        for _ in range(3):
            store.count_answer("salary", "fr", "private", day="2024-05-01")
        store.update_chat_settings(-1, mode="auto")
        assert store.chat_settings(-1).mode == "auto"  # served at once, written later
        assert store.flush(timeout=0.6) is False
        assert store.flush(timeout=0.6) is False
        lock_holder.execute("ROLLBACK")
        assert store.flush(timeout=10) is True
        assert store.stats()[0].answers == 3
    failures = [r for r in caplog.records if "cannot write to" in r.getMessage()]
    assert len(failures) == 1 and str(db_path) in failures[0].getMessage()  # logged once
    assert "works again" in caplog.text
    assert _raw_rows(db_path, "SELECT mode FROM chat_settings") == [("auto",)]


def test_closing_with_writes_the_file_still_refuses_says_they_are_lost(
    db_path: Path, lock_holder: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(db_path)
    store.count_answer("salary", "fr", "private", day="2024-05-01")
    store.close(timeout=0.5)
    assert "1 change(s) could not be written" in caplog.text


def test_a_write_that_fails_on_its_own_is_dropped_alone(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    def bad(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO chat_settings VALUES (-5, 'loud', 'fr', 1)")  # CHECK fails

    store.count_answer("salary", "fr", "private", day="2024-05-01")
    failed = store.writer.submit(bad)
    store.count_answer("salary", "fr", "private", day="2024-05-01")
    with pytest.raises(sqlite3.IntegrityError):
        failed.result(timeout=10)
    assert store.stats()[0].answers == 2
    assert "failed and is dropped" in caplog.text


def test_a_fail_fast_write_hears_of_the_first_refusal_and_still_lands(
    db_path: Path, lock_holder: sqlite3.Connection
) -> None:
    with Store(db_path) as store:
        recorded = store.record_updates([(7, '{"update_id": 7}')], received_at=1.0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            recorded.result(timeout=10)
        lock_holder.execute("ROLLBACK")
        assert store.flush(timeout=10)
        assert store.waiting_updates() == [(7, '{"update_id": 7}', 1.0)]


def test_the_inbox_keeps_an_update_until_handled_then_only_its_id(store: Store) -> None:
    store.record_updates([(1, "{}"), (2, "{}")], received_at=T0).result(timeout=10)
    store.record_updates([(2, '{"again": 1}')], received_at=T0 + 1).result(timeout=10)
    assert store.waiting_updates() == [(1, "{}", T0), (2, "{}", T0)]  # the first copy stays
    store.mark_handled([1], at=T0 + 2)
    assert store.flush()
    assert store.waiting_updates() == [(2, "{}", T0)]
    assert store.known_updates([1, 2, 3]) == {1, 2}
    assert _raw_rows(Path(store.path), "SELECT payload FROM inbox WHERE update_id = 1") == [
        (None,)]


def test_handled_updates_are_forgotten_after_two_days(store: Store) -> None:
    store.record_updates([(1, "{}")], received_at=T0)
    store.mark_handled([1], at=T0)
    store.record_updates([(2, "{}")], received_at=T0 + 3 * DAY)
    store.mark_handled([2], at=T0 + 3 * DAY)  # prunes what was handled two days before
    assert store.flush()
    assert store.known_updates([1, 2]) == {2}


def test_a_version_1_file_is_migrated_and_keeps_its_data(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("INSERT INTO chat_settings VALUES (-1, 'auto', 'fr', 5)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store(db_path) as store:
        assert store.chat_settings(-1) == ChatSettings(-1, "auto", "fr", 5)
        store.record_updates([(1, "{}")], received_at=T0).result(timeout=10)
    assert _raw_rows(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)] == [(2,)]


def test_an_up_to_date_file_opens_while_another_process_holds_the_lock(
    db_path: Path, lock_holder: sqlite3.Connection
) -> None:
    with Store(db_path) as store:
        assert store.chat_settings(-1) == ChatSettings(-1)
