"""Run the real mythbot service against the fake Bot API server, as `mythbot run` does."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.live import LiveContent
from bot.storage import Store
from bot.telegram.app import build_application
from bot.telegram.config import Config
from bot.telegram.delivery import Availability, DeliveryLimiter
from bot.telegram.inbox import Inbox
from bot.telegram.runner import Service
from bot.telegram.state import BotState
from tests.conftest import ROOT
from tests.fake_bot_api import FakeBotApi
from tests.inprocess import InMemoryBotApi

JSON = dict[str, Any]
QUESTION = "combien gagne un social media manager ?"


@dataclass
class Running:
    api: FakeBotApi
    app: Application  # type: ignore[type-arg]
    state: BotState
    service: Service

    @property
    def inbox(self) -> Inbox:
        return self.service.inbox

    @property
    def availability(self) -> Availability:
        return self.service.inbox.availability

    def texts(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.api.sent(chat_id)]

    async def replies(self, chat_id: int, n: int = 1, timeout: float = 10) -> list[JSON]:
        """The bot's messages in a chat, once there are at least n."""
        return await self.api.wait_for_messages(n, chat_id=chat_id, timeout=timeout)

    async def settled(self) -> None:
        """Once every update received so far is handled and what it wrote is in the file
        (statistics and misses are written after the reply, off the event loop)."""
        await self.inbox.idle()
        assert await asyncio.to_thread(self.state.store.flush, 30)


def users(n: int, first: int = 50_000) -> list[dict[str, Any]]:
    """A crowd of French-speaking users, ids from `first` on."""
    return [FakeBotApi.user(first + i, f"U{i}", language_code="fr") for i in range(n)]


def ask_each(api: FakeBotApi, people: list[dict[str, Any]], text: str = QUESTION) -> None:
    """Each of `people` asks `text` in their private chat."""
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


def buttons(message: JSON) -> list[tuple[str, str]]:
    """(label, callback data or url) of every inline button of a sent message."""
    markup = message.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data") or b.get("url", ""))
            for row in markup.get("inline_keyboard", []) for b in row]


@asynccontextmanager
async def running_bot(api: FakeBotApi, db: Path, *, content: Path = ROOT,
                      admins: frozenset[int] = frozenset(), reload_seconds: float = 60.0,
                      keep_misses: bool = True,
                      clock: Callable[[], float] | None = None,
                      store: Store | None = None,
                      limiter: DeliveryLimiter | None = None,
                      live: LiveContent | None = None,
                      **settings: Any) -> AsyncIterator[Running]:
    """mythbot polling `api`, with its SQLite file at `db`; ``settings`` override Config
    fields (send_timeout, reply_retention, webhook_url...). An `InMemoryBotApi` is reached
    through its transport, without a socket; ``live`` shares content already loaded."""
    content = live.folder if live is not None else content
    config = replace(Config(token=api.token, content=content, db=db, base_url=api.base_url,
                            admins=admins, reload_seconds=reload_seconds,
                            keep_misses=keep_misses), **settings)
    store = store or Store(db)
    limiter = limiter or DeliveryLimiter(availability=Availability(first_pause=0.02,
                                                                   longest_pause=0.5))
    transport = api.transport if isinstance(api, InMemoryBotApi) else None
    app = build_application(config, live or LiveContent(content), store, limiter=limiter,
                            transport=transport)
    bot_state: BotState = app.bot_data
    if clock is not None:
        bot_state.clock = clock
    async with Service(app, poll_timeout=1) as service:
        yield Running(api, app, bot_state, service)


@dataclass
class BotProcess:
    """`mythbot run` in a process of its own, as an operator starts it."""

    process: asyncio.subprocess.Process
    stderr: asyncio.Task[bytes]

    async def wait(self, timeout: float) -> int:
        return await asyncio.wait_for(self.process.wait(), timeout)

    def signal(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    async def log(self) -> str:
        return (await self.stderr).decode(errors="replace")


async def spawn_process(api: FakeBotApi, db: Path, *extra: str) -> asyncio.subprocess.Process:
    """`python -m bot.cli run` against `api`, as an operator starts it; its log on stderr."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--token", api.token, "--base-url",
        api.base_url, "--db", str(db), *extra, cwd=str(ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


async def start_process(api: FakeBotApi, db: Path, *extra: str) -> BotProcess:
    """Start `python -m bot.cli run` against `api`; returns once it polls."""
    process = await spawn_process(api, db, *extra)
    assert process.stderr is not None
    running = BotProcess(process, asyncio.create_task(process.stderr.read()))
    await api.wait_for(lambda: api.polls_waiting > 0 or process.returncode is not None,
                       timeout=60, message="the bot process never polled")
    assert process.returncode is None, await running.log()
    return running
