"""Nothing lost, nothing said twice, in memory: Telegram's error answers (429, 5xx, 400), a
burst, storage trouble, a deep backlog, a restart on a recorded inbox. The real Application,
inbox and poller against an in-memory Bot API (tests/inprocess.py); what needs a real
connection or process is in tests/test_telegram_delivery.py.

Each test waits for events (a reply, a call reaching the API, the bot's inbox going idle),
never for a fixed time.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.live import LiveContent
from bot.storage import Store
from tests.fake_bot_api import FakeBotApi
from tests.harness import (
    QUESTION,
    Running,
    all_answered,
    ask_each,
    buttons,
    lost_and_twice,
    running_bot,
    users,
)

pytestmark = pytest.mark.in_memory

ANSWER = "Cliché : Combien gagne un SMM ?"
ALICE = FakeBotApi.user(3001, "Alice", language_code="fr")
MEMBER = FakeBotApi.user(2101, "Membre", language_code="fr")


# --- Telegram's error answers and a burst -------------------------------------------------


async def test_a_429_with_retry_after_still_delivers_the_reply(bot: Running,
                                                               api: FakeBotApi) -> None:
    api.fail_next("sendMessage", status=429, retry_after=1, times=2)
    api.send_text(FakeBotApi.private_chat(ALICE), ALICE, QUESTION)
    (reply,) = await bot.replies(3001, timeout=15)
    assert reply["text"].startswith("Cliché : Combien gagne un SMM ?")
    failed = [c for c in api.calls_to("sendMessage") if not c.ok]
    assert [c.error_code for c in failed] == [429, 429]
    assert failed[1].at - failed[0].at >= 0.9  # waited as told


async def test_a_bad_request_is_not_retried_and_the_bot_carries_on(
        bot: Running, api: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
    api.fail_next("sendMessage", status=400, retry_after=None,
                  description="Bad Request: message to be replied not found")
    api.send_text(FakeBotApi.private_chat(ALICE), ALICE, QUESTION)
    await api.wait_for_call("sendMessage")
    api.send_text(FakeBotApi.private_chat(ALICE), ALICE, QUESTION)
    (reply,) = await bot.replies(3001)
    assert reply["text"].startswith("Cliché :")
    assert len(api.calls_to("sendMessage")) == 2
    assert any("error while handling update 1 (chat 3001, user 3001)" in r.getMessage()
               for r in caplog.records)
    assert all(QUESTION not in r.getMessage() for r in caplog.records)


async def test_a_burst_past_telegrams_rate_limit_loses_no_update(bot: Running,
                                                                 api: FakeBotApi) -> None:
    users = [FakeBotApi.user(10_000 + i, f"U{i}", language_code="en") for i in range(100)]
    for user in users:
        api.send_text(FakeBotApi.private_chat(user), user, "how much does an SMM earn?")
    await api.wait_for_messages(100, timeout=60)
    answered = {m["chat"]["id"] for m in api.sent()}
    assert answered == {u["id"] for u in users}
    assert all(m["text"].startswith("Cliché: How much") for m in api.sent())


async def test_updates_recorded_before_a_stop_are_handled_first_in_order_per_chat(
        api: FakeBotApi, tmp_path: Path, shipped_live: LiveContent) -> None:
    db = tmp_path / "bot.sqlite3"
    alice = FakeBotApi.user(3101, "Alice", language_code="fr")
    chat = FakeBotApi.private_chat(alice)
    api.add_chat(chat)
    recorded = [
        {"update_id": 7, "message": {"message_id": 1, "date": int(time.time()), "chat": chat,
                                     "from": alice, "text": "/lang en",
                                     "entities": [{"type": "bot_command", "offset": 0,
                                                   "length": 5}]}},
        {"update_id": 8, "message": {"message_id": 2, "date": int(time.time()), "chat": chat,
                                     "from": alice, "text": QUESTION}},
    ]
    with Store(db) as store:  # what a bot killed after recording them left behind
        store.record_updates([(u["update_id"], json.dumps(u)) for u in recorded], time.time())
    async with running_bot(api, db, live=shipped_live) as bot:
        api.send_text(chat, alice, "/sources")  # arrives after the restart
        replies = await bot.replies(3101, 3)
        assert replies[0]["text"] == "Saved."
        assert replies[1]["text"].startswith("Cliché: How much does an SMM earn?")  # after /lang
        assert replies[2]["text"].startswith("<b>My sources</b>") or "Top 5" in replies[2][
            "text"]


async def test_replies_that_waited_longer_than_the_retention_are_dropped_with_a_log_line(
        api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        shipped_live: LiveContent) -> None:
    alice = FakeBotApi.user(3201, "Alice")
    update = {"update_id": 1, "message": {"message_id": 1, "date": int(time.time()),
                                          "chat": FakeBotApi.private_chat(alice),
                                          "from": alice, "text": QUESTION}}
    async with running_bot(api, tmp_path / "bot.sqlite3", reply_retention=0.0,
                           live=shipped_live) as bot:
        await api.go_down()
        await bot.inbox.receive([Update.de_json(update, bot.app.bot)])
        await bot.inbox.idle()
        await api.come_back()
    assert bot.inbox.given_up == 1
    assert "no reply could be delivered" in caplog.text
    assert api.sent() == []


async def test_a_429_on_one_chat_does_not_hold_up_the_others(bot: Running,
                                                            api: FakeBotApi) -> None:
    slow, *others = users(6, first=60_000)
    api.fail_next("sendMessage", status=429, retry_after=30)  # the first send: slow's
    ask_each(api, [slow])
    await api.wait_for_call("sendMessage")
    ask_each(api, others)
    await all_answered(api, others)  # while slow's chat waits its 30 s
    assert api.sent(slow["id"]) == []


async def test_a_502_then_success_sends_the_reply_once(bot: Running, api: FakeBotApi) -> None:
    api.fail_next("sendMessage", status=502, retry_after=None, times=3,
                  description="Bad Gateway")
    api.send_text(FakeBotApi.private_chat(MEMBER), MEMBER, QUESTION)
    (reply,) = await bot.replies(MEMBER["id"])
    assert reply["text"].startswith(ANSWER)
    await bot.inbox.idle()
    assert [c.ok for c in api.calls_to("sendMessage")] == [False, False, False, True]


# --- storage trouble never costs a reply ---------------------------------------------------


@pytest.fixture
def held_lock(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's connection holding the write lock of the bot's file."""
    Store(tmp_path / "bot.sqlite3").close()
    other = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


async def test_a_held_write_lock_delays_no_reply_and_the_writes_land_later(
        api: FakeBotApi, tmp_path: Path, held_lock: sqlite3.Connection,
        caplog: pytest.LogCaptureFixture, shipped_live: LiveContent) -> None:
    db = tmp_path / "bot.sqlite3"
    async with running_bot(api, db, live=shipped_live) as bot:
        alice, bob = FakeBotApi.user(3301, "Alice"), FakeBotApi.user(3302, "Bob", "en")
        api.send_text(FakeBotApi.private_chat(alice), alice, QUESTION)
        api.send_text(FakeBotApi.private_chat(alice), alice, "quelle heure est-il à Tokyo ?")
        api.send_text(FakeBotApi.private_chat(bob), bob, "/start salary")
        answered = await bot.replies(alice["id"], 2)
        (linked,) = await bot.replies(bob["id"])
        api.press_button(alice, answered[0], "v:salary:1")
        await api.wait_for(lambda: len(api.callback_answers) == 1)
        await api.wait_idle()  # every update confirmed to Telegram, once handled
        await bot.inbox.idle()
        assert held_lock.in_transaction  # all of it happened while the lock was held
        assert linked["text"].startswith("Cliché: How much")
        assert not await asyncio.to_thread(bot.state.store.flush, 1.0)  # writes wait
        failures = [r for r in caplog.records if "cannot write to" in r.getMessage()]
        assert len(failures) == 1 and str(db) in failures[0].getMessage()
        held_lock.execute("ROLLBACK")
        await bot.settled()
        rows = [r for r in bot.state.store.stats() if r.intent == "salary"]
        assert sum(r.answers for r in rows) == 2 and sum(r.helpful for r in rows) == 1
        assert [m.text for m in bot.state.store.misses()] == ["quelle heure est-il à Tokyo ?"]
    assert "writing to" in caplog.text and "works again" in caplog.text


class FullDisk(sqlite3.Connection):
    """A connection whose writes fail as on a full disk while `full` is set."""

    full = True

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        self._check(sql)
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        self._check(sql)
        return super().executemany(sql, *args)

    def _check(self, sql: str) -> None:
        if FullDisk.full and sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError("database or disk is full")


def full_disk(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                           factory=FullDisk)
    conn.execute("PRAGMA busy_timeout = 250")
    return conn


async def test_a_full_disk_delays_no_reply_and_nothing_is_confirmed_unhandled(
        api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        shipped_live: LiveContent) -> None:
    db = tmp_path / "bot.sqlite3"
    FullDisk.full = True
    store = Store(db, connect_writer=full_disk)
    people = users(5, first=70_000)
    try:
        async with running_bot(api, db, store=store, live=shipped_live) as bot:
            ask_each(api, people)
            await all_answered(api, people)
            await api.wait_idle()  # confirmed once handled, since they could not be recorded
            # Said once at most: in memory the handling may even finish before the refusal.
            assert caplog.text.count("cannot be recorded") <= 1
            assert sum("cannot write to" in r.getMessage() for r in caplog.records) == 1
            FullDisk.full = False
            await bot.settled()
            assert bot.state.store.stats()[0].answers == len(people)
    finally:
        FullDisk.full = False
    assert lost_and_twice(api, people) == (0, 0)


# --- a deep backlog, a restart ------------------------------------------------------------


async def test_buttons_and_inline_queries_are_answered_ahead_of_600_queued_messages(
        bot: Running, api: FakeBotApi) -> None:
    alice = FakeBotApi.user(3401, "Alice", language_code="fr")
    api.send_text(FakeBotApi.private_chat(alice), alice, "/myths")
    (menu,) = await bot.replies(alice["id"])
    assert ("Combien gagne un SMM ?", "m:salary") in buttons(menu)
    sent_before = len(api.calls_to("sendMessage"))
    ask_each(api, users(600, first=80_000))
    pressed = api.press_button(alice, menu, "m:salary")
    searched = api.inline_query(alice, "facebook")
    await api.wait_for(lambda: pressed in api.callback_answers
                       and searched in api.inline_answers, timeout=30)

    def sends_before(method: str) -> int:
        index = next(i for i, c in enumerate(api.calls) if c.method == method and c.ok)
        return sum(c.method == "sendMessage" for c in api.calls[:index]) - sent_before

    # At Telegram's 30 messages a second, 60 replies take 2 s: both answers came sooner.
    assert sends_before("answerCallbackQuery") < 60
    assert sends_before("answerInlineQuery") < 60
    assert bot.inbox.backlog > 400  # the messages were indeed queued ahead of them


async def test_fetching_stops_when_the_backlog_is_full(api: FakeBotApi, tmp_path: Path,
                                                      shipped_live: LiveContent) -> None:
    async with running_bot(api, tmp_path / "bot.sqlite3", live=shipped_live) as bot:
        bot.inbox.max_backlog = 150
        ask_each(api, users(400, first=90_000))
        await api.wait_for(lambda: bot.inbox.backlog >= 100 and api.polls_waiting == 0
                           and api.pending_updates >= 250, timeout=30)
        assert bot.inbox.backlog <= 150
