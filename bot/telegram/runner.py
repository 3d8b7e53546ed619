"""`mythbot run`: configuration, logging without secrets, then the bot until SIGINT/SIGTERM.

Updates come in through the durable inbox (`bot.telegram.inbox`), which is why this does
not use PTB's `run_polling`: PTB's Updater confirms a batch of updates to Telegram as
soon as it has put them in an in-memory queue, and a crash then loses the whole backlog.
A custom `BaseUpdateProcessor` would not help: it only sees updates once the Updater
has confirmed them, one at a time, in the queue's order (so no lanes per chat and no
way past the backlog for button presses). What keeps the code smallest is to own the
two ends PTB leaves open: polling is a short loop of our own (`Poller`) that confirms
a batch only once the inbox has recorded it, and feeds `Application.process_update`
through the inbox's lanes; in webhook mode PTB's webhook server is kept (secret token,
parsing) with the inbox as its queue, so that Telegram's POST is answered only once
the update is recorded.

Stopping (SIGINT, SIGTERM) takes a few seconds at most: fetching stops at once, updates
being handled get ``STOP_GRACE`` seconds to finish, and whatever is still waiting stays
recorded for the next start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from types import TracebackType
from typing import Any, Self

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.ext import Application, Updater
from tornado.httpserver import HTTPServer

from bot.live import ContentError, LiveContent
from bot.paths import content_folder, default_db
from bot.storage import Store
from bot.storage.db import StorageError
from bot.storage.speaker import SpeakerLock
from bot.telegram.app import (
    ALLOWED_UPDATES,
    UpdatesRequest,
    build_application,
    setup_bot,
)
from bot.telegram.config import Config, ConfigError, config_from, redact, setup_logging
from bot.telegram.delivery import Availability, DeliveryLimiter
from bot.telegram.health import start_health
from bot.telegram.inbox import Inbox
from bot.telegram.state import BotState

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10.0
"""Long polling: Telegram holds getUpdates this long when there is nothing new."""
BATCH = 100
# Stopping stays under 5 s even when everything is slow: handlers 2 s, the last
# confirmation 0.5 s, writes still refused by the file 1.5 s (then logged as lost).
STOP_GRACE = 2.0
CONFIRM_TIMEOUT = 0.5
STOP_WRITES = 1.5
STANDBY_CHECK = 0.25
"""A standby looks this often whether the speaking process has ended."""


def run_from_args(args: argparse.Namespace) -> int:
    # Opt in to PTB 22's timedelta durations now, instead of a deprecation warning per 429.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        config = config_from(token=args.token, content=content_folder(args.content),
                             db=str(args.db or default_db()), base_url=args.base_url,
                             admins=args.admins, webhook_url=args.webhook_url,
                             listen=args.listen, port=args.port, secret_token=args.secret_token)
    except ConfigError as exc:
        print(f"mythbot: {exc}", file=sys.stderr)
        return 2
    setup_logging(config, args.log_level.upper(), args.log_format)
    try:
        return run(config)
    except (ContentError, StorageError) as exc:
        print(f"mythbot: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # the last word must not leak the token either
        if args.debug:
            log.exception("stopped by an error")
        print(f"mythbot: {redact(f'{type(exc).__name__}: {exc}', config.token)}"
              + ("" if args.debug else " (--debug shows the traceback)"), file=sys.stderr)
        return 1


def run(config: Config) -> int:
    return asyncio.run(serve(config))


async def serve(config: Config) -> int:
    """Run the bot until SIGINT or SIGTERM, then stop cleanly; while another process
    answers for the same database, wait as its standby (`bot.storage.speaker`)."""
    live = LiveContent(config.content)  # before waiting: a standby takes over at once
    stop = stop_requested()
    with SpeakerLock(config.db) as speaker:
        if not await stand_by(speaker, stop):
            log.info("stopped")
            return 0
        await serve_application(build_application(config, live, Store(config.db)), stop)
    return 0


def stop_requested() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def stand_by(speaker: SpeakerLock, stop: asyncio.Event, *,
                   every: float = STANDBY_CHECK) -> bool:
    """Wait until this process holds the database's speaker lock (True), or a stop is
    requested first (False). Said once, in one line, so that an operator who started a
    second bot knows why it is silent."""
    if speaker.acquire():
        return True
    log.warning("another mythbot (pid %s) answers for %s: this one stands by, silent, and "
                "takes over when it stops", speaker.holder(), speaker.db)
    while not speaker.acquire():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        if stop.is_set():
            return False
    log.warning("the other mythbot stopped: this one answers now")
    return True


async def serve_application(application: Application,  # type: ignore[type-arg]
                            stop: asyncio.Event | None = None) -> None:
    """Run an Application built by `build_application` until SIGINT or SIGTERM (or
    ``stop``).

    A stop request is heard while starting too: with the network down, start-up waits for
    Telegram (as a mid-run outage does) and SIGTERM still ends it at once."""
    stop = stop or stop_requested()
    service = Service(application)
    starting = asyncio.create_task(service.start(), name="mythbot-start")
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not starting.done():
        starting.cancel()  # start() stops what it had started before it re-raises
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        return
    starting.result()
    try:
        await service.run_until(stop)
    finally:
        await service.stop()


class Poller:
    """Long polling that confirms a batch (asks for the next offset) only once the inbox
    has it, and fetches no more than the inbox has room for."""

    def __init__(self, bot: Bot, inbox: Inbox, *, timeout: float = POLL_TIMEOUT,
                 allowed_updates: Sequence[str] = ALLOWED_UPDATES,
                 sent: UpdatesRequest | None = None) -> None:
        self.bot = bot
        self.inbox = inbox
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates)
        self.offset = 0
        self.sent = sent

    async def run(self) -> None:
        await _retrying("deleteWebhook", self.bot.delete_webhook)
        failures = 0
        while True:
            room = await self.inbox.room()
            try:
                updates = await self.bot.get_updates(
                    offset=self.offset, limit=min(BATCH, room),
                    timeout=timedelta(seconds=self.timeout),
                    allowed_updates=self.allowed_updates)
            except InvalidToken:
                raise
            except TelegramError as exc:
                failures += 1
                if failures == 1:
                    _log_poll_error(exc)
                await asyncio.sleep(_pause(failures))
                continue
            if failures:
                log.info("polling works again")
                failures = 0
            if updates:
                json_sent = self.sent.payloads if self.sent is not None else {}
                await self.inbox.receive(updates, [json_sent.get(u.update_id) for u in updates])
                self.offset = updates[-1].update_id + 1

    async def confirm(self) -> None:
        """Tell Telegram that every batch received so far is in the inbox, so that it is
        not sent again at the next start (it would be recognised and ignored anyway)."""
        if not self.offset:
            return
        with contextlib.suppress(TelegramError, TimeoutError):
            await asyncio.wait_for(
                self.bot.get_updates(offset=self.offset, limit=1, timeout=timedelta(0),
                                     allowed_updates=self.allowed_updates),
                CONFIRM_TIMEOUT)


async def _retrying(what: str, call: Callable[[], Awaitable[object]]) -> None:
    failures = 0
    while True:
        try:
            await call()
            return
        except InvalidToken:
            raise
        except TelegramError as exc:
            failures += 1
            if failures == 1:
                log.warning("%s failed (%s): trying again", what, exc)
            await asyncio.sleep(_pause(failures))


def _pause(failures: int) -> float:
    return min(5.0, 0.1 * 2.0 ** (failures - 1))


def _log_poll_error(error: TelegramError) -> None:
    if isinstance(error, Conflict):
        log.error("409 Conflict: another process is polling with this bot token. Stop it, or "
                  "delete its webhook; this one keeps trying.")
    else:
        log.warning("getUpdates failed (%s): trying again", error)


class _InboxQueue(asyncio.Queue[object]):
    """The queue PTB's webhook server puts each update in: `put` returns, and Telegram's
    POST gets its answer, only once the inbox has recorded (or handled) the update."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self._inbox = inbox

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            await self._inbox.receive([item])
        else:
            await super().put(item)


class Service:
    """The running bot: its Application, the inbox, and polling or the webhook server."""

    def __init__(self, application: Application,  # type: ignore[type-arg]
                 *, poll_timeout: float = POLL_TIMEOUT, stop_grace: float = STOP_GRACE) -> None:
        self.app = application
        self.state: BotState = application.bot_data
        self.config = self.state.config
        limiter = application.bot.rate_limiter
        availability = (limiter.availability if isinstance(limiter, DeliveryLimiter)
                        else Availability())
        self.availability = availability
        self.inbox = Inbox(application, self.state.store, availability=availability,
                           retention=self.config.reply_retention, clock=self.state.clock)
        self._health: HTTPServer | None = None
        self.poller: Poller | None = None
        self.poll_timeout = poll_timeout
        self.stop_grace = stop_grace
        self._polling: asyncio.Task[None] | None = None
        self._updater: Updater | None = None

    async def start(self) -> None:
        try:
            # getMe: with Telegram unreachable at start-up, wait for it rather than crash.
            await _retrying("connecting to Telegram (getMe)", self.app.initialize)
            await setup_bot(self.app)
            await self.app.start()
            await self.inbox.resume()
            if self.config.webhook:
                await self._start_webhook()
            else:
                log.info("polling for updates")
                sent = self.state.updates_request
                self.poller = Poller(self.app.bot, self.inbox, timeout=self.poll_timeout,
                                     sent=sent if isinstance(sent, UpdatesRequest) else None)
                self._polling = asyncio.create_task(self.poller.run(), name="mythbot-poller")
            if self.config.health_port is not None:
                self._health = start_health(self.config.health_listen,
                                            self.config.health_port, self.health)
                log.info("health on http://%s:%d/healthz", self.config.health_listen,
                         self.config.health_port)
        except BaseException:
            await self.stop()
            raise

    async def _start_webhook(self) -> None:
        url = self.config.webhook_url or ""
        log.info("webhook mode on %s:%d", self.config.listen, self.config.port)
        self._updater = Updater(bot=self.app.bot, update_queue=_InboxQueue(self.inbox))
        await self._updater.initialize()
        await self._updater.start_webhook(
            listen=self.config.listen, port=self.config.port,
            url_path=url.rstrip("/").rsplit("/", 1)[-1], webhook_url=url,
            secret_token=self.config.secret_token, allowed_updates=ALLOWED_UPDATES)

    async def run_until(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set; a poller that fails for good (a revoked token)
        ends it too, with its error."""
        waiting = asyncio.create_task(stop.wait())
        watched: set[asyncio.Task[Any]] = {waiting}
        if self._polling is not None:
            watched.add(self._polling)
        try:
            done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
        if self._polling is not None and self._polling in done:
            self._polling.result()

    def health(self) -> dict[str, Any]:
        """What GET /healthz says."""
        return {"serving": self.app.running, "mode": "webhook" if self.config.webhook
                else "polling", "telegram": "reachable" if self.availability.up
                else "unreachable", "backlog": self.inbox.backlog,
                "myths": len(self.state.live.matcher.content.myths)}

    async def stop(self) -> None:
        """Stop fetching, give what is being handled a moment, then close everything."""
        if self._health is not None:
            self._health.stop()
        if self._updater is not None and self._updater.running:
            await self._updater.stop()
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._polling
        await self.inbox.stop(self.stop_grace)
        if self.poller is not None:
            await self.poller.confirm()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        await asyncio.to_thread(self.state.store.close, STOP_WRITES)
        log.info("stopped")

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()
