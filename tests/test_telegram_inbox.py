"""The inbox on its own, with a stand-in for the Application: order, once, retries, room."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from telegram import Update

from bot.storage import Store
from bot.telegram.delivery import Availability, Undelivered
from bot.telegram.inbox import Inbox, lane_of

Handle = Callable[[Update], Awaitable[None]]


class StandIn:
    """What the inbox uses of an Application: process_update, error handlers, bot."""

    def __init__(self, handle: Handle) -> None:
        self.handle = handle
        self.bot = None
        self.error_handlers: list[Callable[..., Awaitable[None]]] = []

    def add_error_handler(self, callback: Callable[..., Awaitable[None]]) -> None:
        self.error_handlers.append(callback)

    async def process_update(self, update: Update) -> None:
        try:
            await self.handle(update)
        except Exception as exc:  # as PTB does: errors go to the error handlers
            for callback in self.error_handlers:
                await callback(update, SimpleNamespace(error=exc))


def message(update_id: int, chat_id: int, text: str = "hi") -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text,
        "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
        "from": {"id": abs(chat_id), "is_bot": False, "first_name": "U"}}}, None)


def press(update_id: int, chat_id: int) -> Update:
    return Update.de_json({"update_id": update_id, "callback_query": {
        "id": str(update_id), "chat_instance": "1", "data": "list",
        "from": {"id": chat_id, "is_bot": False, "first_name": "U"},
        "message": {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "private"}}}},
        None)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = Store(tmp_path / "inbox.sqlite3")
    yield opened
    opened.close()


def inbox_for(store: Store, handle: Handle, **options: Any) -> Inbox:
    availability = Availability(first_pause=0.001, longest_pause=0.01)
    return Inbox(StandIn(handle), store, availability=availability,  # type: ignore[arg-type]
                 **options)


async def test_a_chats_updates_are_handled_in_order_while_chats_go_side_by_side(
        store: Store) -> None:
    order: list[tuple[int, int]] = []
    release = asyncio.Event()

    async def handle(update: Update) -> None:
        chat = update.effective_chat.id  # type: ignore[union-attr]
        if update.update_id == 1:
            await release.wait()  # chat 10's first update takes a while
        order.append((chat, update.update_id))

    inbox = inbox_for(store, handle)
    await inbox.receive([message(1, 10), message(2, 20), message(3, 10), message(4, 20)])
    await inbox.wait_for(lambda: len(order) == 2)
    assert order == [(20, 2), (20, 4)]  # chat 20 did not wait for chat 10
    release.set()
    await inbox.idle()
    assert [u for c, u in order if c == 10] == [1, 3]


async def test_each_update_is_handled_once_even_when_delivered_again(store: Store) -> None:
    handled: list[int] = []

    async def handle(update: Update) -> None:
        handled.append(update.update_id)

    inbox = inbox_for(store, handle)
    await inbox.receive([message(1, 10), message(2, 10)])
    await inbox.receive([message(2, 10), message(3, 10)])
    await inbox.idle()
    assert await asyncio.to_thread(store.flush)
    later = inbox_for(store, handle)  # after a restart: the file remembers
    await later.receive([message(3, 10), message(4, 10)])
    await later.idle()
    assert handled == [1, 2, 3, 4]


async def test_receiving_returns_once_recorded_without_waiting_for_the_handlers(
        store: Store, tmp_path: Path) -> None:
    release = asyncio.Event()

    async def handle(update: Update) -> None:
        await release.wait()

    inbox = inbox_for(store, handle)
    await inbox.receive([message(1, 10)])
    assert inbox.backlog == 1  # confirmed to Telegram, still being handled
    with sqlite3.connect(tmp_path / "inbox.sqlite3") as other:
        (row,) = other.execute("SELECT update_id, payload, handled_at FROM inbox").fetchall()
    assert row[0] == 1 and json.loads(row[1])["message"]["text"] == "hi" and row[2] is None
    release.set()
    await inbox.idle()
    assert await asyncio.to_thread(store.flush)
    with sqlite3.connect(tmp_path / "inbox.sqlite3") as other:
        (row,) = other.execute("SELECT update_id, payload, handled_at FROM inbox").fetchall()
    assert row[1] is None and row[2] is not None  # once handled, only the id is kept


async def test_when_the_file_refuses_the_batch_receiving_waits_for_the_handlers(
        store: Store, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "inbox.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    handled: list[int] = []

    async def handle(update: Update) -> None:
        handled.append(update.update_id)

    try:
        inbox = inbox_for(store, handle)
        await inbox.receive([message(1, 10), message(2, 20)])
        assert sorted(handled) == [1, 2]  # handled before the confirmation, not recorded
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_an_undelivered_reply_keeps_the_update_until_it_goes_through(
        store: Store) -> None:
    attempts: list[int] = []

    async def handle(update: Update) -> None:
        attempts.append(update.update_id)
        if len(attempts) < 4:
            raise Undelivered("connection refused")

    inbox = inbox_for(store, handle)
    await inbox.receive([message(1, 10), message(2, 10)])
    await inbox.idle()
    assert attempts == [1, 1, 1, 1, 2]  # update 2 waited behind update 1
    assert inbox.retried == 3 and inbox.given_up == 0


async def test_an_update_whose_reply_waited_past_the_retention_is_dropped(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    async def handle(update: Update) -> None:
        raise Undelivered("connection refused")

    inbox = inbox_for(store, handle, retention=0.0)
    await inbox.receive([message(1, 10)])
    await inbox.idle()
    assert inbox.given_up == 1 and "no reply could be delivered" in caplog.text


async def test_other_errors_do_not_keep_the_update(store: Store) -> None:
    attempts: list[int] = []

    async def handle(update: Update) -> None:
        attempts.append(update.update_id)
        raise ValueError("a bug")

    inbox = inbox_for(store, handle)
    await inbox.receive([message(1, 10)])
    await inbox.idle()
    assert attempts == [1] and inbox.retried == 0


async def test_updates_recorded_before_a_stop_are_resumed_in_order(store: Store) -> None:
    store.record_updates([(u.update_id, u.to_json()) for u in
                          (message(5, 10, "first"), message(6, 10, "second"))], 0.0)
    assert await asyncio.to_thread(store.flush)
    seen: list[str] = []

    async def handle(update: Update) -> None:
        seen.append(update.message.text)  # type: ignore[union-attr]

    inbox = inbox_for(store, handle, retention=float("inf"))
    assert await inbox.resume() == 2
    await inbox.receive([message(6, 10), message(7, 10, "third")])  # 6 again: ignored
    await inbox.idle()
    assert seen == ["first", "second", "third"]


async def test_button_presses_do_not_wait_behind_the_chats_messages(store: Store) -> None:
    release = asyncio.Event()
    order: list[int] = []

    async def handle(update: Update) -> None:
        if update.message is not None:
            await release.wait()
        order.append(update.update_id)

    inbox = inbox_for(store, handle, concurrency=1)
    await inbox.receive([message(1, 10), message(2, 20), press(3, 10)])
    await inbox.wait_for(lambda: order == [3])
    release.set()
    await inbox.idle()
    assert lane_of(press(3, 10)) == ("button", 10) and lane_of(message(1, 10)) == ("chat", 10)


async def test_no_more_is_fetched_than_the_backlog_allows(store: Store) -> None:
    release = asyncio.Event()

    async def handle(update: Update) -> None:
        await release.wait()

    inbox = inbox_for(store, handle, max_backlog=3)
    assert await inbox.room() == 3
    await inbox.receive([message(1, 10), message(2, 20), message(3, 30)])
    room = asyncio.create_task(inbox.room())
    await asyncio.sleep(0)
    assert not room.done()
    release.set()
    assert await room >= 1


async def test_stopping_leaves_waiting_updates_recorded_for_the_next_start(
        store: Store) -> None:
    started = asyncio.Event()

    async def handle(update: Update) -> None:
        started.set()
        await asyncio.Event().wait()  # never finishes

    inbox = inbox_for(store, handle)
    await inbox.receive([message(1, 10), message(2, 10), message(3, 20)])
    await started.wait()
    await inbox.stop(grace=0.01)
    assert await asyncio.to_thread(store.flush)
    assert [row[0] for row in store.waiting_updates()] == [1, 2, 3]
