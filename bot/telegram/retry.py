"""Retries so that no reply is lost to a flood limit or a passing server fault.

PTB's AIORateLimiter keeps under Telegram's limits and retries 429s after their
`retry_after`; it does not retry 5xx answers or dropped connections. This
subclass does, with a short exponential backoff. Bad requests (our fault) and
Forbidden (kicked, blocked) are never retried: they would fail again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

TRANSIENT_RETRIES = 4
RETRY_AFTER_RETRIES = 5
# getUpdates has its own retry loop in the Updater: retrying here would only delay it.
NOT_RETRIED = frozenset({"getUpdates", "getupdates"})


class RetryingRateLimiter(AIORateLimiter):
    def __init__(self, *, backoff: float = 0.5, transient_retries: int = TRANSIENT_RETRIES,
                 **kwargs: Any) -> None:
        kwargs.setdefault("max_retries", RETRY_AFTER_RETRIES)
        super().__init__(**kwargs)
        self.backoff = backoff
        self.transient_retries = transient_retries

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                     rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as exc:
                if endpoint in NOT_RETRIED or attempt >= self.transient_retries:
                    raise
                delay = self.backoff * 2**attempt
                attempt += 1
                log.warning("%s failed (%s); retry %d in %.1fs", endpoint, exc, attempt, delay)
                await asyncio.sleep(delay)
