"""The bots the end-to-end benchmark runs, each in a process of its own.

    python -m benchmarks.bots {mythbot,echo,echo-limited} --base-url URL --token T [--db F]

- mythbot: the real bot of `mythbot run` (`build_application`, the shipped content,
  SQLite, the durable inbox), with one change: its `DeliveryLimiter` has
  Telegram's flood limits (30 messages a second, 20 a minute per group) raised to
  100,000 a second, so that the limiter's waits do not cap the measurement (its
  bookkeeping cost stays);
- mythbot-updater: the same bot on PTB's own Updater (`run_polling`, 32 updates at
  once, a batch confirmed to Telegram as soon as it is fetched), as it ran before the
  durable inbox: the difference with mythbot is the inbox's cost;
- echo: a bare python-telegram-bot bot with the same concurrency (32 updates at
  once): private texts are answered with the same text, group texts are handled
  and ignored (mythbot's `auto` mode stays silent on chatter too);
- echo-limited: the echo bot with mythbot's raised limiter, to tell the limiter's
  share from mythbot's own logic;
- echo-rich: the echo bot answering every private text with one fixed, typical
  mythbot answer (a rebuttal in HTML with its inline keyboard, built once at
  start-up): the framework's cost of sending mythbot's kind of reply, without any of
  mythbot's work per message.

Every bot gets a last handler (group 1000, after all others) that prints
`done <update_id> <time.monotonic()>` on stdout when an update is fully handled,
reply sent: the driver reads it (CLOCK_MONOTONIC is shared by the processes of
one machine).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

if TYPE_CHECKING:
    from bot.telegram.delivery import DeliveryLimiter

ROOT = Path(__file__).resolve().parent.parent
RAISED_RATE = 100_000.0
KINDS = ("mythbot", "mythbot-updater", "echo", "echo-limited", "echo-rich")


def raised_limiter() -> DeliveryLimiter:
    # Imported here: the bare echo bot must not pay for importing mythbot at start-up.
    from bot.telegram.delivery import DeliveryLimiter

    return DeliveryLimiter(overall_max_rate=RAISED_RATE, overall_time_period=1,
                           group_max_rate=RAISED_RATE, group_time_period=1)


async def mark_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the driver this update is fully handled."""
    sys.stdout.write(f"done {update.update_id} {time.monotonic():.6f}\n")
    sys.stdout.flush()


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a private text with the same text."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def rich_answer() -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """A handler answering any private text with one typical mythbot answer, built once."""
    from bot.content import load_content
    from bot.replies import myth_reply
    from bot.telegram.sending import keyboard

    content = load_content(ROOT).content
    if content is None:
        raise RuntimeError("the shipped content has errors")
    reply = myth_reply(content.myths[0], "fr", bot_username="mythbot_test_bot", feedback=True)
    markup = keyboard(reply, "mythbot_test_bot")

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a private text with the fixed rebuttal."""
        message = update.effective_message
        if message is not None and message.text:
            await message.reply_text(reply.html, parse_mode=ParseMode.HTML,
                                     reply_markup=markup,
                                     link_preview_options=LinkPreviewOptions(is_disabled=True))

    return answer


async def ignore(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle a group text and say nothing, as mythbot does with chatter."""


def echo_application(base_url: str, token: str, *, limited: bool,
                     rich: bool) -> Application:  # type: ignore[type-arg]
    builder = ApplicationBuilder().token(token).base_url(base_url).concurrent_updates(32)
    if limited:
        # DeliveryLimiter is typed for mythbot's Application, not this bare builder's.
        builder = builder.rate_limiter(raised_limiter())  # type: ignore[arg-type]
    application = builder.build()
    application.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
        rich_answer() if rich else echo))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.TEXT, ignore))
    return application


def mythbot_application(base_url: str, token: str, db: Path, *,
                        inbox: bool = True) -> Application:  # type: ignore[type-arg]
    from bot.live import LiveContent
    from bot.storage import Store
    from bot.telegram.app import add_handlers, build_application, setup_bot
    from bot.telegram.config import Config, setup_logging
    from bot.telegram.state import context_types

    config = Config(token=token, content=ROOT, db=db, base_url=base_url)
    setup_logging(config)
    if inbox:
        return build_application(config, LiveContent(ROOT), Store(db), limiter=raised_limiter())
    store = Store(db)

    async def close(application: Application) -> None:  # type: ignore[type-arg]
        store.close()

    application = (
        ApplicationBuilder().token(token).base_url(base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(32)
        .read_timeout(config.send_timeout).write_timeout(config.send_timeout)
        .rate_limiter(raised_limiter())
        .post_init(setup_bot).post_shutdown(close)
        .context_types(context_types(config, LiveContent(ROOT), store))
        .build()
    )
    add_handlers(application)
    return application


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--db", default=None, help="mythbot's SQLite file")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    if args.kind.startswith("mythbot"):
        if not args.db:
            parser.error("mythbot needs --db")
        application = mythbot_application(args.base_url, args.token, Path(args.db),
                                          inbox=args.kind == "mythbot")
    else:
        application = echo_application(args.base_url, args.token,
                                       limited=args.kind == "echo-limited",
                                       rich=args.kind == "echo-rich")
    application.add_handler(TypeHandler(Update, mark_done), group=1000)
    if args.kind == "mythbot":
        from bot.telegram.runner import serve_application

        asyncio.run(serve_application(application))
        return
    # mythbot's ALLOWED_UPDATES is Update.ALL_TYPES: the same for every bot.
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
