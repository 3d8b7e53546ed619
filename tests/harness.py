"""Run the real mythbot Application against the fake Bot API server, as `mythbot run` does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.live import LiveContent
from bot.store import Store
from bot.telegram.app import ALLOWED_UPDATES, build_application, setup_bot
from bot.telegram.config import Config
from bot.telegram.retry import RetryingRateLimiter
from bot.telegram.state import BotState
from tests.conftest import ROOT
from tests.fake_bot_api import FakeBotApi

JSON = dict[str, Any]


@dataclass
class Running:
    api: FakeBotApi
    app: Application  # type: ignore[type-arg]
    state: BotState

    def texts(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.api.sent(chat_id)]

    async def replies(self, chat_id: int, n: int = 1, timeout: float = 10) -> list[JSON]:
        """The bot's messages in a chat, once there are at least n."""
        return await self.api.wait_for_messages(n, chat_id=chat_id, timeout=timeout)


def buttons(message: JSON) -> list[tuple[str, str]]:
    """(label, callback data or url) of every inline button of a sent message."""
    markup = message.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data") or b.get("url", ""))
            for row in markup.get("inline_keyboard", []) for b in row]


@asynccontextmanager
async def running_bot(api: FakeBotApi, db: Path, *, content: Path = ROOT,
                      admins: frozenset[int] = frozenset(), reload_seconds: float = 60.0,
                      keep_misses: bool = True,
                      clock: Callable[[], float] | None = None) -> AsyncIterator[Running]:
    config = Config(token=api.token, content=content, db=db, base_url=api.base_url,
                    admins=admins, reload_seconds=reload_seconds, keep_misses=keep_misses)
    store = Store(db)
    app = build_application(config, LiveContent(content), store,
                            limiter=RetryingRateLimiter(backoff=0.05))
    bot_state: BotState = app.bot_data["state"]
    if clock is not None:
        bot_state.clock = clock
    try:
        async with app:
            await setup_bot(app)  # run_polling's post_init: getMe facts, commands, jobs
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1,
                                            allowed_updates=ALLOWED_UPDATES)
            try:
                yield Running(api, app, bot_state)
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        store.close()
