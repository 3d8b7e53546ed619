"""The durable inbox: nothing a user sent is lost, and nothing is handled twice.

Updates reach `Inbox.receive` in batches (a getUpdates answer, or one webhook POST). Each
is recorded in SQLite (one transaction per batch, on the writer thread) and handed at
once to the lane of its chat, without waiting for the disk. `receive` returns when the
batch may be confirmed to Telegram: once recorded, or, when the file refuses the write
(disk full, lock held), once every update of it is handled. The poller asks for the next
batch (the offset that confirms this one) and the webhook answers its POST only then.

Lanes: one per chat, so that a chat's updates are handled one at a time, in order, and
chats go on side by side (up to ``concurrency`` updates at once). Button presses and
inline queries have lanes of their own outside that limit, so that they are answered
within Telegram's deadlines even behind a backlog of messages.

An update whose handler failed because a reply could not be delivered (`Undelivered`:
Telegram unreachable, a 5xx) stays at the head of its lane and is handled again once the
API answers, for at most ``retention`` seconds after it arrived; then it is dropped with a
log line. Its chat waits meanwhile, which keeps the chat's replies in order. That time is
measured on the monotonic clock: the wall clock (recorded in the file, for people) may be
set forward or back by hours, and must not drop, or keep for ever, what is waiting.

On start, `resume` hands the updates recorded but not handled before the last stop (or
crash) to their lanes first. Each `update_id` is handled once: ids already in memory or
in the file are ignored, which also absorbs webhook retries and the last polled batch
that Telegram sends again after a restart.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.storage import Store
from bot.telegram.delivery import POSTS, Availability, Posts, Undelivered

log = logging.getLogger(__name__)

CONCURRENCY = 32
MAX_BACKLOG = 1000
"""Updates held in memory at most: the poller fetches no more than this ahead."""
RETENTION = 3600.0
REMEMBERED_IDS = 10_000

LaneKey = tuple[str, int]
"""("chat", chat id), or for what must be answered within seconds, ("button", chat id) and
("inline", user id): those lanes skip the queue of messages."""

_HANDLING: contextvars.ContextVar[_Attempt] = contextvars.ContextVar("mythbot_handling")


@dataclass
class _Attempt:
    undelivered: BaseException | None = None


@dataclass(eq=False)
class Entry:
    update: Update
    since: float
    """When it arrived, on the inbox's monotonic clock (retention counts from there)."""
    attempts: int = 0
    handled: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())


def lane_of(update: Update) -> LaneKey:
    chat, user = update.effective_chat, update.effective_user
    if update.inline_query is not None:
        return "inline", update.inline_query.from_user.id
    kind = "button" if update.callback_query is not None else "chat"
    return kind, chat.id if chat is not None else user.id if user is not None else 0


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


async def note_undelivered(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Error handler: an update whose handler failed with `Undelivered` is kept for later."""
    attempt = _HANDLING.get(None)
    if attempt is not None and isinstance(context.error, Undelivered):
        attempt.undelivered = context.error


class Inbox:
    """Records, orders and handles updates; see the module's docstring."""

    def __init__(self, application: Application,  # type: ignore[type-arg]
                 store: Store, *, availability: Availability | None = None,
                 concurrency: int = CONCURRENCY, max_backlog: int = MAX_BACKLOG,
                 retention: float = RETENTION, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self._app = application
        self._store = store
        self.availability = availability or Availability()
        self._slots = asyncio.Semaphore(concurrency)
        self.max_backlog = max_backlog
        self.retention = retention
        self._clock = clock
        self._wall = wall
        self._lanes: dict[LaneKey, deque[Entry]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[None]] = set()
        self._held: dict[int, Entry] = {}  # in memory, not handled yet
        self._recent: OrderedDict[int, None] = OrderedDict()  # handled lately
        self._handled_ids: list[int] = []
        self._room = asyncio.Event()
        self._room.set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._changed = asyncio.Event()
        self._stopping = False
        self._unrecorded = False
        self._newest: int | None = None  # the highest update id received, once known
        self.handled = 0
        self.retried = 0
        self.given_up = 0
        application.add_error_handler(note_undelivered)

    # -- receiving -------------------------------------------------------------------------

    @property
    def backlog(self) -> int:
        """Updates in memory, waiting or being handled."""
        return len(self._held)

    async def room(self) -> int:
        """Wait until more updates may be fetched; how many."""
        while self.backlog >= self.max_backlog:
            self._room.clear()
            await self._room.wait()
        return self.max_backlog - self.backlog

    async def receive(self, updates: Sequence[Update],
                      payloads: Sequence[str | None] | None = None) -> None:
        """Record and dispatch a batch; return once Telegram may be told it arrived.
        ``payloads``: each update's JSON as Telegram sent it, when the caller has it (else
        it is serialised again, which costs more)."""
        sent = dict(zip((u.update_id for u in updates), payloads, strict=True)) if payloads \
            else {}
        fresh = self._fresh(updates)
        if not fresh:
            return
        since = self._clock()
        entries = [Entry(update, since) for update in fresh]
        recorded = asyncio.wrap_future(self._store.record_updates(
            [(u.update_id, sent.get(u.update_id) or u.to_json()) for u in fresh],
            self._wall()))
        recorded.add_done_callback(_retrieve)  # the failure may come after the handling
        for entry in entries:
            self._dispatch(entry)
        if self._newest is not None:
            self._newest = max(self._newest, *(u.update_id for u in fresh))
        waiting: set[asyncio.Future[Any]] = {recorded, *(e.handled for e in entries)}
        while waiting - {recorded}:  # until recorded, or else all handled
            done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if recorded in done:
                if recorded.exception() is None:
                    self._unrecorded = False
                    return
                if not self._unrecorded:  # the writer logs the cause, once too
                    log.warning("updates cannot be recorded (%s): each is confirmed to "
                                "Telegram once handled", recorded.exception())
                self._unrecorded = True

    def _fresh(self, updates: Sequence[Update]) -> list[Update]:
        fresh = [u for u in updates if u.update_id not in self._held
                 and u.update_id not in self._recent]
        # Telegram numbers updates in order: only an id at most the newest seen can have
        # been received before (a webhook retry, a batch sent again after a restart).
        again = [u.update_id for u in fresh
                 if self._newest is None or u.update_id <= self._newest]
        known = self._store.known_updates(again) if again else set()
        if known:
            log.info("ignored %d update(s) already received", len(known))
        return [u for u in fresh if u.update_id not in known]

    async def resume(self) -> int:
        """Hand the updates recorded before the last stop to their lanes, oldest first."""
        self._newest = await asyncio.to_thread(self._store.newest_update)
        waiting = await asyncio.to_thread(self._store.waiting_updates)
        bot = self._app.bot
        for update_id, payload, received_at in waiting:
            try:
                update = Update.de_json(json.loads(payload), bot)
            except Exception:  # a row this version cannot read: never handled, so drop it
                log.exception("update %d recorded before the stop is unreadable: dropped",
                              update_id)
                self._store.mark_handled([update_id], self._wall())
                continue
            # Its age before the stop can only be read on the wall clock; a clock set back
            # meanwhile must not make it younger than now.
            age = max(0.0, self._wall() - received_at)
            self._dispatch(Entry(update, self._clock() - age))
        if waiting:
            log.info("%d update(s) recorded before the last stop are handled first",
                     len(waiting))
        return len(waiting)

    # -- lanes -----------------------------------------------------------------------------

    async def idle(self) -> None:
        """Wait until every update received so far is handled (or given up)."""
        await self._idle.wait()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 30) -> None:
        """Wait until ``predicate()`` holds, checked again whenever an update is received,
        handled, or kept to be tried again."""
        async with asyncio.timeout(timeout):
            while not predicate():
                changed = self._changed
                await changed.wait()

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _dispatch(self, entry: Entry) -> None:
        self._held[entry.update.update_id] = entry
        self._idle.clear()
        self._notify()
        if self.backlog >= self.max_backlog:
            self._room.clear()
        key = lane_of(entry.update)
        lane = self._lanes.get(key)
        if lane is not None:
            lane.append(entry)
            return
        self._lanes[key] = lane = deque([entry])
        task = asyncio.create_task(self._drain(key, lane), name=f"mythbot-lane:{key[1]}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, key: LaneKey, lane: deque[Entry]) -> None:
        urgent = key[0] != "chat"
        try:
            while lane and not self._stopping:
                entry = lane[0]
                if urgent:
                    undelivered = await self._handle(entry)
                else:
                    async with self._slots:
                        if self._stopping:
                            return
                        undelivered = await self._handle(entry)
                if undelivered is not None:
                    if self._clock() - entry.since < self.retention:
                        entry.attempts += 1
                        self.retried += 1
                        self._notify()
                        await self.availability.pause(entry.attempts)
                        continue
                    self.given_up += 1
                    log.warning("update %d (chat %s): no reply could be delivered for %.0f "
                                "min (%s); dropped", entry.update.update_id, key[1],
                                self.retention / 60, undelivered)
                lane.popleft()
                self._finish(entry)
        finally:
            if self._lanes.get(key) is lane:
                del self._lanes[key]

    async def _handle(self, entry: Entry) -> BaseException | None:
        """Run the handlers; the `Undelivered` error that kept the update, if any."""
        attempt, posts = _Attempt(), Posts()
        token, posting = _HANDLING.set(attempt), POSTS.set(posts)
        task = asyncio.current_task()
        assert task is not None
        self._busy.add(task)
        try:
            await self._app.process_update(entry.update)
        except Exception:  # process_update hands handler errors to the error handlers
            log.exception("update %d could not be processed", entry.update.update_id)
        except asyncio.CancelledError:
            if posts.cut:  # stopped while Telegram held a reply of ours: it may have arrived
                log.info("update %d: stopped while its reply was being sent; not handled "
                         "again at the next start", entry.update.update_id)
                self._finish(entry)
            raise
        finally:
            self._busy.discard(task)
            POSTS.reset(posting)
            _HANDLING.reset(token)
        return attempt.undelivered

    def _finish(self, entry: Entry) -> None:
        update_id = entry.update.update_id
        self._held.pop(update_id, None)
        self._recent[update_id] = None
        while len(self._recent) > REMEMBERED_IDS:
            self._recent.popitem(last=False)
        self.handled += 1
        if not self._handled_ids:
            asyncio.get_running_loop().call_soon(self._mark_handled)
        self._handled_ids.append(update_id)
        if not entry.handled.done():
            entry.handled.set_result(None)
        if self.backlog < self.max_backlog:
            self._room.set()
        if not self._held:
            self._idle.set()
        self._notify()

    def _mark_handled(self) -> None:
        """One write for all the updates handled in this turn of the event loop."""
        ids, self._handled_ids = self._handled_ids, []
        if ids:
            self._store.mark_handled(ids, self._wall())

    # -- stopping --------------------------------------------------------------------------

    async def stop(self, grace: float) -> None:
        """Stop taking updates from the lanes; let those being handled finish for up to
        ``grace`` seconds, then cancel them. What was not handled stays recorded and is
        handled at the next start."""
        self._stopping = True
        idle = [task for task in self._tasks if task not in self._busy]
        for task in idle:
            task.cancel()
        busy = list(self._busy)
        if busy:
            _, late = await asyncio.wait(busy, timeout=grace)
            for task in late:
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._mark_handled()
        left = len(self._held)
        if left:
            log.info("stopped with %d update(s) waiting: they are handled at the next start",
                     left)
