"""The error handler: every failure is logged once, at the level it deserves.

What reaches it, most specific first:

- `Undelivered` (bot/telegram/delivery.py): Telegram unreachable; the inbox keeps the
  update and handles it again: info;
- `telegram.error.Conflict`: another process polls with this token: error, no traceback;
- other `telegram.error.NetworkError` (not `BadRequest`): judged by the delivery rules: warning;
- any other `TelegramError`: error without traceback; anything else is a bug: traceback.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Conflict, NetworkError, TelegramError

from bot.telegram.delivery import Undelivered
from bot.telegram.state import Context

log = logging.getLogger(__name__)


async def error_handler(update: object, context: Context) -> None:
    """Log the error with the update's ids (never its text) and carry on."""
    error = context.error
    if isinstance(update, Update):
        chat = update.effective_chat.id if update.effective_chat else None
        user = update.effective_user.id if update.effective_user else None
        where = f"update {update.update_id} (chat {chat}, user {user})"
    else:
        where = "polling" if update is None else type(update).__name__
    if isinstance(error, Undelivered):
        # Kept by the inbox and handled again once Telegram answers: not an error yet.
        log.info("%s: %s; handled again once Telegram answers", where, _describe(error))
        return
    if isinstance(error, Conflict):
        log.error("409 Conflict: another process is polling with this bot token. Stop it, or "
                  "delete its webhook; this one keeps trying.")
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # A network fault the delivery rules already logged and judged: not a bug.
        log.warning("error while handling %s: %s", where, _describe(error))
        return
    log.error("error while handling %s: %s", where, _describe(error),
              exc_info=None if isinstance(error, TelegramError) else error)


def _describe(error: BaseException | None) -> str:
    return f"{type(error).__name__}: {error}" if error else "unknown error"
