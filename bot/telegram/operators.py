"""The operators' commands (MYTHBOT_ADMINS) and the content watcher."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from telegram import Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.html import escape
from bot.live import Reload
from bot.replies import Reply
from bot.reports import stats_summary
from bot.telegram.admin import is_operator
from bot.telegram.sending import answer
from bot.telegram.state import Context, user_lang
from bot.texts import text

log = logging.getLogger(__name__)
MAX_PROBLEMS_SHOWN = 10
WATCH_JOB = "watch-content"
"""The content watcher's job name (bot/telegram/app.py schedules it every few seconds)."""


class ReloadStillRunning(logging.Filter):
    """APScheduler warns at every tick that finds the watcher still at work ("maximum number
    of running instances reached"): that is a retraining taking longer than the interval,
    which is normal, not a problem. The tick is dropped either way; so is the warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        job = record.args[0] if isinstance(record.args, tuple) and record.args else None
        return not (getattr(job, "name", None) == WATCH_JOB
                    and "maximum number of running instances" in str(record.msg))


RELOAD_STILL_RUNNING = ReloadStillRunning()
"""One filter object: adding it again at the next start-up is a no-op."""


def reload_message(result: Reload, lang: str, myths: int) -> str:
    if result.applied:
        return text("reload_fixed" if result.recovered else "reload_ok", lang, n=myths)
    if not result.changed:
        return text("reload_same", lang)
    errors = [p for p in result.problems if p.severity == "error"]
    lines = [escape(p.format()) for p in errors[:MAX_PROBLEMS_SHOWN]]
    more = f"\n… (+{len(errors) - MAX_PROBLEMS_SHOWN})" if len(errors) > MAX_PROBLEMS_SHOWN else ""
    return f"{text('reload_failed', lang)}\n<pre>{chr(10).join(lines)}{more}</pre>"


async def _operator_message(update: Update,
                            context: Context) -> tuple[Message, str] | None:
    """The message and language of an operator's command; refuses anyone else."""
    message = update.effective_message
    if message is None:
        return None
    lang = user_lang(update, context)
    if not is_operator(update, context):
        await answer(message, Reply(text("operators_only", lang)), quote=False)
        return None
    return message, lang


async def reload_command(update: Update, context: Context) -> None:
    """Reload the content now (operators only)."""
    found = await _operator_message(update, context)
    if found is None:
        return
    message, lang = found
    live = context.bot_data.live
    result = await asyncio.to_thread(live.reload, force=True)
    await answer(message, Reply(reload_message(result, lang, len(live.matcher.content.myths))),
                 quote=False)


async def watch_content(context: Context) -> None:
    """Pick up edits to the content folder; tell the operators when an edit is refused, and
    when a later edit fixes it (otherwise the last word they saw would be the refusal)."""
    bot_state = context.bot_data
    # Loading, checking and training take a moment: off the event loop, so updates keep flowing.
    result = await asyncio.to_thread(bot_state.live.reload)
    if not result.changed or (result.applied and not result.recovered):
        return
    myths = len(bot_state.live.matcher.content.myths)
    for operator in bot_state.config.admins:
        try:
            await context.bot.send_message(operator, reload_message(result, "fr", myths))
        except TelegramError as exc:
            log.warning("could not warn operator %s about the content: %s", operator,
                        _why_undelivered(exc))


def _why_undelivered(exc: TelegramError) -> str:
    """Telegram's words, and what the operator can do about them."""
    if isinstance(exc, BadRequest) and "chat not found" in exc.message.lower():
        return (f"{exc.message}: a bot can only write to someone who wrote to it first; "
                "the operator must send /start to the bot once, in a private chat")
    if isinstance(exc, Forbidden):
        return f"{exc.message}: the operator blocked the bot; they must unblock it and /start"
    return f"{type(exc).__name__}: {exc.message}"


async def stats_command(update: Update, context: Context) -> None:
    """Show the operators answers and votes per myth for the last 30 days."""
    found = await _operator_message(update, context)
    if found is None:
        return
    message, lang = found
    since = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%d")
    # Off the event loop: the store first waits for the writes still queued.
    rows = await asyncio.to_thread(context.bot_data.store.stats, since_day=since)
    body = stats_summary(rows) if rows else text("stats_empty", lang)
    await answer(message, Reply(f"{text('stats_title', lang, since=since)}\n<pre>"
                                f"{escape(body)}</pre>"), quote=False)
