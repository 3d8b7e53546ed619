"""Every request to the Bot API goes through here: flood limits, and a retry only for what
cannot have arrived.

What can go wrong with a request, and what is done about it::

    TelegramError
    ├── RetryAfter (429)          flood limit: that chat waits retry_after, other chats go on,
    │                             and the request is sent again
    ├── BadRequest, Forbidden…    our fault or a closed door: raised, never retried (PTB
    │                             derives BadRequest from NetworkError: it is told apart first)
    └── NetworkError
        ├── Undelivered           (ours) the request certainly took no effect: connection
        │                         refused, reset while sending, a pool or connect timeout,
        │                         a 5xx answer. Raised to the handler; the inbox keeps the
        │                         update and handles it again once the API answers
        ├── lost answer           the request was sent, the connection died before the
        │                         answer: Telegram may have posted it. A message is not sent
        │                         again into a group (silence beats spam); into a private
        │                         chat it is sent again once (see PRIVATE_RESEND)
        └── slow answer           the read timed out: Telegram got the request and is slow.
                                  Never sent again (a resend posts the same reply twice)

Requests that post nothing (edits, answers to buttons, lookups) are safe to repeat, so
any network failure of theirs is `Undelivered`.

The flood limits are Telegram's: about 30 messages a second overall and 20 a minute per
group (aiolimiter, as PTB's AIORateLimiter), applied to requests that post or edit in a
chat. Answers to button presses and inline queries have no chat and are never queued
behind the backlog of messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import httpx
from aiolimiter import AsyncLimiter
from telegram.constants import FloodLimit
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

RETRY_AFTER_RETRIES = 5
PRIVATE_RESEND = True
"""A private message whose answer was lost is sent once more (once: at most one
duplicate). Measured in benchmarks/RESULTS.md ("Delivery under faults"): when the API
goes down it cuts requests in flight before reading them, and not sending again lost
them; sending once more turns them into a refused connection, so the update is kept and
answered when the API is back, at the price of a duplicate when the answer, not the
request, was lost. In a private chat an unanswered question is the worse failure."""

Fate = Literal["undelivered", "lost answer", "slow answer"]
ApiResult = bool | dict[str, Any] | list[dict[str, Any]]

# The transport failed before the whole request was sent: Telegram cannot have acted on it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError,
             httpx.WriteTimeout, httpx.UnsupportedProtocol, httpx.ProxyError)


class Undelivered(NetworkError):
    """The request certainly did not take effect: sending it again cannot post twice."""


@dataclass
class Posts:
    """What the handling of one update posted: the inbox sets one per attempt."""

    cut: bool = False
    """A message was sent to Telegram and the bot stopped before its answer came: like a slow
    answer, it may have arrived, so the update must not be handled again at the next start."""


POSTS: contextvars.ContextVar[Posts | None] = contextvars.ContextVar("mythbot_posts",
                                                                    default=None)


def fate(error: NetworkError) -> Fate:
    """What a network error says about whether Telegram acted on the request."""
    cause = error.__cause__
    if isinstance(cause, _NOT_SENT):
        return "undelivered"
    if isinstance(error, TimedOut):
        return "slow answer"
    if cause is None or isinstance(cause, TelegramError):
        # The server answered, with a 5xx (or an unreadable error page): not done.
        return "undelivered"
    return "lost answer"


def posts_a_message(endpoint: str) -> bool:
    """Whether sending the request twice would post twice."""
    name = endpoint.lower()
    return name.startswith(("send", "copymessage", "forwardmessage")) and name != "sendchataction"


def is_private(chat_id: object) -> bool:
    """Private chats have the user's (positive) id; groups and channels negative ids."""
    if isinstance(chat_id, int):
        return chat_id > 0
    return isinstance(chat_id, str) and chat_id.isascii() and chat_id.isdecimal()


def seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Availability:
    """Whether the Bot API answers. Updates whose reply could not be delivered wait here:
    while the API is down, one of them at a time tries again (with a growing pause) and
    the others wait for it to succeed; any request that succeeds wakes them all."""

    def __init__(self, *, first_pause: float = 0.1, longest_pause: float = 2.0) -> None:
        self.first_pause = first_pause
        self.longest_pause = longest_pause
        self._up = asyncio.Event()
        self._up.set()
        self._probing = False
        self.failures = 0
        """Requests that failed as undelivered, since start (for tests and logs)."""

    @property
    def up(self) -> bool:
        return self._up.is_set()

    def succeeded(self) -> None:
        if not self._up.is_set():
            log.warning("the Bot API answers again: sending what waited")
            self._up.set()

    def failed(self, error: BaseException) -> None:
        self.failures += 1
        if self._up.is_set():
            log.warning("the Bot API is unreachable (%s): replies are kept and sent when it "
                        "answers", error)
            self._up.clear()

    async def pause(self, attempt: int) -> None:
        """Wait before handling again an update whose reply was not delivered."""
        delay = min(self.longest_pause, self.first_pause * 2 ** max(attempt - 1, 0))
        if self._up.is_set():  # a passing fault (one 5xx): a short pause
            await asyncio.sleep(delay)
            return
        while not self._up.is_set():
            if not self._probing:
                self._probing = True
                try:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._up.wait(), delay)
                finally:
                    self._probing = False
                return  # this one tries again: the probe
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._up.wait(), self.longest_pause)


class DeliveryLimiter(BaseRateLimiter[int]):
    """Telegram's flood limits, per-chat 429 pauses, and the delivery rules above."""

    def __init__(self, *, overall_max_rate: float = FloodLimit.MESSAGES_PER_SECOND,
                 overall_time_period: float = 1,
                 group_max_rate: float = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
                 group_time_period: float = 60, max_retries: int = RETRY_AFTER_RETRIES,
                 private_resend: bool = PRIVATE_RESEND,
                 availability: Availability | None = None) -> None:
        self._overall = AsyncLimiter(overall_max_rate, overall_time_period)
        self._group_rate = (group_max_rate, group_time_period)
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._paused_until: dict[object, float] = {}
        self.max_retries = max_retries
        self.private_resend = private_resend
        self.availability = availability or Availability()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, ApiResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> ApiResult:
        if endpoint.lower() == "getupdates":  # the poller has its own pauses and logs
            return await self._observed(callback(*args, **kwargs))
        chat_id = data.get("chat_id")
        posts = posts_a_message(endpoint)
        limited = chat_id is not None and not endpoint.lower().startswith("get")
        flood_retries = 0
        resent = False
        while True:
            await self._wait_for_chat(chat_id)
            try:
                async with self._limits(chat_id, limited):
                    result = await self._sent(callback(*args, **kwargs), posts)
            except BadRequest:  # a NetworkError in PTB's tree, but our fault: never retried
                raise
            except RetryAfter as exc:
                wait = seconds(exc.retry_after)
                flood_retries += 1
                if flood_retries > (rate_limit_args or self.max_retries):
                    raise
                log.info("%s in chat %s: flood limit, sent again in %.1fs", endpoint, chat_id,
                         wait)
                self._pause_chat(chat_id, wait)
                continue
            except NetworkError as exc:
                what = fate(exc)
                if what == "undelivered":
                    self.availability.failed(exc)
                if what == "undelivered" or not posts:
                    raise Undelivered(f"{endpoint} not delivered: {exc}") from exc
                if (what == "lost answer" and is_private(chat_id) and self.private_resend
                        and not resent):
                    resent = True
                    log.warning("%s in private chat %s: answer lost (%s); sent once more",
                                endpoint, chat_id, exc)
                    continue
                log.warning("%s in chat %s: %s (%s); not sent again, it may have arrived",
                            endpoint, chat_id, what, exc)
                raise
            self.availability.succeeded()
            return result

    @staticmethod
    async def _sent(request: Coroutine[Any, Any, ApiResult], posts: bool) -> ApiResult:
        try:
            return await request
        except asyncio.CancelledError:
            tracked = POSTS.get()
            if posts and tracked is not None:
                tracked.cut = True
            raise

    async def _observed(self, request: Coroutine[Any, Any, ApiResult]) -> ApiResult:
        try:
            result = await request
        except BadRequest:
            raise
        except NetworkError as exc:
            if fate(exc) == "undelivered":
                self.availability.failed(exc)
            raise
        self.availability.succeeded()
        return result

    @contextlib.asynccontextmanager
    async def _limits(self, chat_id: object, limited: bool) -> AsyncIterator[None]:
        if not limited:
            yield
            return
        group = None if is_private(chat_id) else self._group(chat_id)
        async with contextlib.AsyncExitStack() as stack:
            if group is not None:
                await stack.enter_async_context(group)
            await stack.enter_async_context(self._overall)
            yield

    def _group(self, chat_id: object) -> AsyncLimiter:
        key = chat_id if isinstance(chat_id, int | str) else str(chat_id)
        limiter = self._groups.get(key)
        if limiter is None:
            if len(self._groups) > 512:  # forget idle groups, as AIORateLimiter does
                for idle in [k for k, v in self._groups.items() if v.has_capacity(v.max_rate)]:
                    del self._groups[idle]
            limiter = self._groups[key] = AsyncLimiter(*self._group_rate)
        return limiter

    def _pause_chat(self, chat_id: object, wait: float) -> None:
        loop = asyncio.get_running_loop()
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0),
                                          loop.time() + wait)

    async def _wait_for_chat(self, chat_id: object) -> None:
        loop = asyncio.get_running_loop()
        while (until := self._paused_until.get(chat_id)) is not None:
            left = until - loop.time()
            if left <= 0:
                self._paused_until.pop(chat_id, None)
                return
            await asyncio.sleep(left)
