"""Nothing lost, nothing said twice, end to end: crashes, outages, slow and lost answers,
storage failures, a deep backlog, stopping, webhook retries.

Each test waits for events (a reply, a call reaching the server, the bot's inbox going
idle, a process exiting), never for a fixed time.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Update

from bot.storage import Store
from tests.fake_bot_api import FakeBotApi
from tests.harness import Running, buttons, running_bot, start_process
from tests.test_telegram_faults import free_port, post_update

QUESTION = "combien gagne un social media manager ?"
ANSWER = "Cliché : Combien gagne un SMM ?"
GROUP = FakeBotApi.group(-100_777, "Les CM de Nantes")
MEMBER = FakeBotApi.user(2101, "Membre", language_code="fr")
BOT = "@mythbot_test_bot"


def users(n: int, first: int = 50_000) -> list[dict[str, Any]]:
    return [FakeBotApi.user(first + i, f"U{i}", language_code="fr") for i in range(n)]


def ask_each(api: FakeBotApi, people: list[dict[str, Any]], text: str = QUESTION) -> None:
    for user in people:
        api.send_text(FakeBotApi.private_chat(user), user, text)


def replies_per_chat(api: FakeBotApi, people: list[dict[str, Any]]) -> Counter[int]:
    wanted = {u["id"] for u in people}
    return Counter(m["chat"]["id"] for m in api.sent() if m["chat"]["id"] in wanted)


def lost_and_twice(api: FakeBotApi, people: list[dict[str, Any]]) -> tuple[int, int]:
    counts = replies_per_chat(api, people)
    lost = sum(1 for u in people if counts[u["id"]] == 0)
    return lost, sum(n - 1 for n in counts.values() if n > 1)


async def all_answered(api: FakeBotApi, people: list[dict[str, Any]],
                       timeout: float = 60) -> None:
    await api.wait_for(lambda: lost_and_twice(api, people)[0] == 0, timeout,
                       "not every chat was answered")


# --- the process dies or is stopped --------------------------------------------------------


async def test_a_bot_killed_mid_burst_answers_everything_after_a_restart(
        api: FakeBotApi, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    people = users(150)
    first = await start_process(api, db)
    ask_each(api, people)
    # Past Telegram's first burst of 30: a kill then hits a send or two in flight.
    await api.wait_for_messages(80, timeout=60)
    first.signal(signal.SIGKILL)
    assert await first.wait(30) == -signal.SIGKILL
    before = len(api.sent())
    assert before < len(people), "the burst was over before the kill: nothing was tested"
    second = await start_process(api, db)
    await all_answered(api, people)
    second.signal(signal.SIGTERM)
    assert await second.wait(10) == 0
    lost, twice = lost_and_twice(api, people)
    assert lost == 0
    assert twice <= 5, f"{twice} chats answered twice"  # only what was in flight at the kill
    assert "handled first" in await second.log()


async def test_sigterm_mid_burst_exits_0_within_five_seconds_and_loses_nothing(
        api: FakeBotApi, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    people = users(150)
    first = await start_process(api, db)
    ask_each(api, people)
    await api.wait_for_messages(40, timeout=60)
    first.signal(signal.SIGTERM)
    assert await first.wait(timeout=5) == 0  # a container runtime waits 10 s by default
    assert len(api.sent()) < len(people), "the burst was over before the stop"
    second = await start_process(api, db)
    await all_answered(api, people)
    second.signal(signal.SIGTERM)
    assert await second.wait(5) == 0
    assert lost_and_twice(api, people) == (0, 0)


async def test_updates_recorded_before_a_stop_are_handled_first_in_order_per_chat(
        api: FakeBotApi, tmp_path: Path) -> None:
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
    async with running_bot(api, db) as bot:
        api.send_text(chat, alice, "/sources")  # arrives after the restart
        replies = await bot.replies(3101, 3)
        assert replies[0]["text"] == "Saved."
        assert replies[1]["text"].startswith("Cliché: How much does an SMM earn?")  # after /lang
        assert replies[2]["text"].startswith("<b>My sources</b>") or "Top 5" in replies[2][
            "text"]


# --- Telegram unreachable, slow, or losing answers -----------------------------------------


async def test_the_api_down_mid_burst_loses_no_reply(bot: Running, api: FakeBotApi) -> None:
    people = users(60)
    ask_each(api, people[:40])
    await api.wait_for_messages(10)
    await api.go_down()
    ask_each(api, people[40:])  # written during the outage: Telegram keeps them
    # The bot keeps the unsent replies and keeps trying, well past the 4 retries over 7.5 s
    # after which it used to drop them.
    await bot.inbox.wait_for(lambda: bot.availability.failures >= 12 and bot.inbox.backlog > 0)
    assert not bot.availability.up
    await api.come_back()
    await all_answered(api, people)
    await bot.settled()
    lost, twice = lost_and_twice(api, people)
    assert lost == 0 and twice == 0
    assert bot.inbox.given_up == 0


async def test_replies_that_waited_longer_than_the_retention_are_dropped_with_a_log_line(
        api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    alice = FakeBotApi.user(3201, "Alice")
    update = {"update_id": 1, "message": {"message_id": 1, "date": int(time.time()),
                                          "chat": FakeBotApi.private_chat(alice),
                                          "from": alice, "text": QUESTION}}
    async with running_bot(api, tmp_path / "bot.sqlite3", reply_retention=0.0) as bot:
        await api.go_down()
        await bot.inbox.receive([Update.de_json(update, bot.app.bot)])
        await bot.inbox.idle()
        await api.come_back()
    assert bot.inbox.given_up == 1
    assert "no reply could be delivered" in caplog.text
    assert api.sent() == []


@pytest.mark.parametrize("where", ["private", "group"])
async def test_a_send_answered_after_the_read_timeout_gives_exactly_one_reply(
        api: FakeBotApi, tmp_path: Path, where: str) -> None:
    api.set_admins(GROUP["id"], [MEMBER["id"]])
    async with running_bot(api, tmp_path / "bot.sqlite3", send_timeout=0.5) as bot:
        api.set_delay("sendMessage", 1.5)  # Telegram posts it, then answers too late
        if where == "private":
            api.send_text(FakeBotApi.private_chat(MEMBER), MEMBER, QUESTION)
        else:
            api.send_text(GROUP, MEMBER, f"{BOT} {QUESTION}")
        await api.wait_for_call("sendMessage")
        await bot.inbox.idle()
    chat_id = MEMBER["id"] if where == "private" else GROUP["id"]
    assert len(api.sent(chat_id)) == 1
    assert len(api.calls_to("sendMessage")) == 1


@pytest.mark.parametrize(("where", "posted", "expected"), [
    ("private", True, 2),   # sent once more: a duplicate, rather than risk no answer
    ("private", False, 1),  # sent once more: the answer after all
    ("group", True, 1),     # never sent again into a group: no duplicate...
    ("group", False, 0),    # ...even when that means silence
], ids=["private-answer-lost", "private-request-lost", "group-answer-lost",
        "group-request-lost"])
async def test_a_send_whose_connection_died_is_resent_once_in_private_never_in_groups(
        bot: Running, api: FakeBotApi, where: str, posted: bool, expected: int) -> None:
    api.cut_connection("sendMessage", after_effect=posted)
    if where == "private":
        api.send_text(FakeBotApi.private_chat(MEMBER), MEMBER, QUESTION)
    else:
        api.send_text(GROUP, MEMBER, f"{BOT} {QUESTION}")
    await api.wait_for(lambda: api.dropped_connections == 1)
    await api.wait_idle()
    await bot.inbox.idle()
    chat_id = MEMBER["id"] if where == "private" else GROUP["id"]
    assert len(api.sent(chat_id)) == expected


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
        caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "bot.sqlite3"
    async with running_bot(api, db) as bot:
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
        api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "bot.sqlite3"
    FullDisk.full = True
    store = Store(db, connect_writer=full_disk)
    people = users(5, first=70_000)
    try:
        async with running_bot(api, db, store=store) as bot:
            ask_each(api, people)
            await all_answered(api, people)
            await api.wait_idle()  # confirmed once handled, since they could not be recorded
            assert caplog.text.count("cannot be recorded") == 1
            assert sum("cannot write to" in r.getMessage() for r in caplog.records) == 1
            FullDisk.full = False
            await bot.settled()
            assert bot.state.store.stats()[0].answers == len(people)
    finally:
        FullDisk.full = False
    assert lost_and_twice(api, people) == (0, 0)


# --- a deep backlog ------------------------------------------------------------------------


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


async def test_fetching_stops_when_the_backlog_is_full(api: FakeBotApi, tmp_path: Path) -> None:
    async with running_bot(api, tmp_path / "bot.sqlite3") as bot:
        bot.inbox.max_backlog = 150
        ask_each(api, users(400, first=90_000))
        await api.wait_for(lambda: bot.inbox.backlog >= 100 and api.polls_waiting == 0
                           and api.pending_updates >= 250, timeout=30)
        assert bot.inbox.backlog <= 150


# --- webhook ---------------------------------------------------------------------------------


async def test_the_same_webhook_update_twice_is_answered_once(api: FakeBotApi,
                                                              tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    alice = FakeBotApi.user(3501, "Alice", language_code="fr")
    api.add_chat(FakeBotApi.private_chat(alice))
    update = {"update_id": 41, "message": {
        "message_id": 1, "date": int(time.time()), "chat": FakeBotApi.private_chat(alice),
        "from": alice, "text": QUESTION}}
    db = tmp_path / "w.sqlite3"
    settings = {"webhook_url": url, "listen": "127.0.0.1", "port": port, "secret_token": "s"}
    async with running_bot(api, db, **settings) as bot:
        first, again = await asyncio.gather(post_update(url, update, "s"),
                                            post_update(url, update, "s"))
        assert (first.status_code, again.status_code) == (200, 200)
        await bot.replies(alice["id"])
        later = await post_update(url, update, "s")  # Telegram retrying a lost 200
        assert later.status_code == 200
        await bot.inbox.idle()
    async with running_bot(api, db, **settings) as bot:  # and after a restart
        assert (await post_update(url, update, "s")).status_code == 200
        await bot.inbox.idle()
    assert len(api.sent(alice["id"])) == 1


async def test_a_webhook_post_is_answered_once_recorded_without_waiting_for_the_reply(
        api: FakeBotApi, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    alice = FakeBotApi.user(3601, "Alice", language_code="fr")
    api.add_chat(FakeBotApi.private_chat(alice))
    update = {"update_id": 42, "message": {
        "message_id": 1, "date": int(time.time()), "chat": FakeBotApi.private_chat(alice),
        "from": alice, "text": QUESTION}}
    db = tmp_path / "w.sqlite3"
    async with running_bot(api, db, webhook_url=url, listen="127.0.0.1", port=port,
                           secret_token="s"):
        api.set_delay("sendMessage", 1)  # the reply takes a while: the answer cannot wait
        response = await post_update(url, update, "s")
        assert response.status_code == 200
        with sqlite3.connect(db) as conn:  # another process reading the file at once
            assert conn.execute("SELECT update_id FROM inbox").fetchall() == [(42,)]


async def test_a_webhook_post_with_a_broken_body_is_refused(api: FakeBotApi,
                                                           tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    async with running_bot(api, tmp_path / "w.sqlite3", webhook_url=url, listen="127.0.0.1",
                           port=port, secret_token="s"), httpx.AsyncClient() as client:
        response = await client.post(url, content=b"{", headers={
            "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s"})
        assert response.status_code >= 400

