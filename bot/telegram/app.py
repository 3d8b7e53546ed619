"""Build the python-telegram-bot Application: every handler is wired here and only here."""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeDefault,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.live import LiveContent
from bot.storage import Store
from bot.telegram import handlers as h
from bot.telegram.config import Config
from bot.telegram.delivery import DeliveryLimiter
from bot.telegram.inline import chosen_result, inline_query
from bot.telegram.operators import reload_command, stats_command, watch_content
from bot.telegram.state import BotState
from bot.telegram.weekly import restore_jobs, weekly

log = logging.getLogger(__name__)
ALLOWED_UPDATES = Update.ALL_TYPES
TELEGRAM_API = "https://api.telegram.org/bot"
UPDATES_REQUEST = "updates_request"
"""Where `build_application` leaves its `UpdatesRequest` in ``bot_data``, for the poller."""

COMMANDS = {
    "private": {
        "fr": [("myths", "Tous les mythes"), ("top5", "Le top 5 de l'article"),
               ("sources", "Les sources"), ("lang", "Langue : auto, fr ou en"),
               ("help", "Aide")],
        "en": [("myths", "All the myths"), ("top5", "The article's top 5"),
               ("sources", "The sources"), ("lang", "Language: auto, fr or en"),
               ("help", "Help")],
    },
    "group": {
        "fr": [("ask", "Poser une question au bot"), ("myths", "Tous les mythes"),
               ("settings", "Réglages du groupe"), ("mode", "Admins : auto, mention ou off"),
               ("lang", "Admins : langue du groupe"), ("cooldown", "Admins : délai en minutes"),
               ("weekly", "Admins : mythe de la semaine")],
        "en": [("ask", "Ask the bot a question"), ("myths", "All the myths"),
               ("settings", "Group settings"), ("mode", "Admins: auto, mention or off"),
               ("lang", "Admins: group language"), ("cooldown", "Admins: cooldown in minutes"),
               ("weekly", "Admins: myth of the week")],
    },
}

Context = ContextTypes.DEFAULT_TYPE


class UpdatesRequest(HTTPXRequest):
    """The getUpdates connection, keeping each update's JSON as Telegram sent it: the inbox
    records that, instead of serialising PTB's objects back (40 µs an update, most of the
    inbox's cost). PTB documents `parse_json_payload` as the method to override."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)
        self.payloads: dict[int, str] = {}

    # PTB declares it static and calls it on the instance: an instance method works.
    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        data = super().parse_json_payload(payload)
        result = data.get("result")
        if isinstance(result, list):
            self.payloads = {item["update_id"]: json.dumps(item, ensure_ascii=False)
                             for item in result
                             if isinstance(item, dict) and isinstance(item.get("update_id"), int)}
        return data


def build_application(config: Config, live: LiveContent, store: Store, *,
                      limiter: DeliveryLimiter | None = None) -> Application:  # type: ignore[type-arg]
    """The Application, its handlers and state; `bot.telegram.runner.Service` runs it (updates
    come through the durable inbox, not PTB's Updater, hence ``updater(None)``)."""
    application = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.base_url.rstrip("/") if config.base_url else TELEGRAM_API)
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .updater(None)
        # A slow answer must be waited for: a send that timed out may have arrived, and is
        # never sent again (bot/telegram/delivery.py).
        .read_timeout(config.send_timeout)
        .write_timeout(config.send_timeout)
        .rate_limiter(limiter or DeliveryLimiter())
        .get_updates_request(updates_request := UpdatesRequest())
        .build()
    )
    application.bot_data[UPDATES_REQUEST] = updates_request
    application.bot_data["state"] = BotState(config, live, store)
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:  # type: ignore[type-arg]
    # Edits are never answered: only new messages (and channel posts for /weekly).
    message = filters.UpdateType.MESSAGE
    private = message & filters.ChatType.PRIVATE
    groups = message & filters.ChatType.GROUPS
    for name, callback in (("start", h.start), ("help", h.help_command), ("myths", h.myths),
                           ("mythes", h.myths), ("sources", h.sources), ("top5", h.top5),
                           ("ask", h.ask), ("lang", h.lang_command), ("mode", h.mode),
                           ("cooldown", h.cooldown), ("settings", h.settings)):
        application.add_handler(CommandHandler(name, callback, filters=message))
    application.add_handler(CommandHandler(
        "weekly", weekly, filters=message | filters.UpdateType.CHANNEL_POST))
    application.add_handler(CommandHandler("reload", reload_command, filters=private))
    application.add_handler(CommandHandler("stats", stats_command, filters=private))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND,
                                           h.private_text))
    application.add_handler(MessageHandler(private & filters.COMMAND, h.help_command))
    application.add_handler(MessageHandler(
        private & ~filters.TEXT & ~filters.StatusUpdate.ALL, h.private_other))
    application.add_handler(MessageHandler(groups & filters.TEXT & ~filters.COMMAND,
                                           h.group_text))
    application.add_handler(CallbackQueryHandler(h.button))
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_handler(ChosenInlineResultHandler(chosen_result))
    application.add_handler(ChatMemberHandler(h.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(ChatMemberHandler(h.member_changed, ChatMemberHandler.CHAT_MEMBER))
    application.add_error_handler(h.error_handler)


async def setup_bot(application: Application) -> None:  # type: ignore[type-arg]
    """After connecting: learn who the bot is, register commands, restore jobs."""
    bot_state: BotState = application.bot_data["state"]
    me = application.bot.bot
    bot_state.username = me.username or ""
    bot_state.bot_id = me.id
    bot_state.can_read_all_group_messages = bool(me.can_read_all_group_messages)
    await register_commands(application)
    restored = restore_jobs(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(watch_content, bot_state.config.reload_seconds,
                                            first=bot_state.config.reload_seconds,
                                            name="watch-content")
    log.info("@%s ready: %d myths, %d weekly schedule(s), reads all group messages: %s",
             bot_state.username, len(bot_state.live.matcher.content.myths), restored,
             bot_state.can_read_all_group_messages)


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    bot = application.bot
    try:
        for scope, kind in ((BotCommandScopeDefault(), "private"),
                            (BotCommandScopeAllGroupChats(), "group")):
            for lang, commands in COMMANDS[kind].items():
                await bot.set_my_commands([BotCommand(c, d) for c, d in commands], scope=scope,
                                          language_code=None if lang == "en" else lang)
    except TelegramError as exc:  # a menu is a comfort: the bot works without it
        log.warning("could not register the command menu: %s", exc)

