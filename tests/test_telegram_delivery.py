"""Nothing lost, nothing said twice, end to end over HTTP, for what only a real connection or
process shows: a killed or stopped process, Telegram unreachable, answers too slow or cut
off, webhook retries. The rest of the delivery rules run in memory
(tests/test_telegram_resilience.py).

Each test waits for events (a reply, a call reaching the server, the bot's inbox going
idle, a process exiting), never for a fixed time.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.fake_bot_api import FakeBotApi
from tests.harness import (
    QUESTION,
    Running,
    all_answered,
    ask_each,
    lost_and_twice,
    running_bot,
    start_process,
    users,
)
from tests.test_telegram_faults import free_port, post_update

GROUP = FakeBotApi.group(-100_777, "Les CM de Nantes")
MEMBER = FakeBotApi.user(2101, "Membre", language_code="fr")
BOT = "@mythbot_test_bot"


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

