"""Build the python-telegram-bot Application: every handler is wired here and only here."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
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
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import callbacks
from bot.live import LiveContent
from bot.storage import Store
from bot.telegram import buttons, groups, membership, private
from bot.telegram.config import Config
from bot.telegram.delivery import DeliveryLimiter
from bot.telegram.errors import error_handler
from bot.telegram.inline import chosen_result, inline_query
from bot.telegram.operators import (
    RELOAD_STILL_RUNNING,
    WATCH_JOB,
    reload_command,
    stats_command,
    watch_content,
)
from bot.telegram.state import BotState, context_types
from bot.telegram.weekly import restore_jobs, weekly

log = logging.getLogger(__name__)
ALLOWED_UPDATES = Update.ALL_TYPES
TELEGRAM_API = "https://api.telegram.org/bot"

MENU: dict[str, dict[str, tuple[str, str]]] = {
    # command: {chat kind: (French, English) description}, for the commands shown in
    # Telegram's menu; the menu lists them in the order their handlers are registered.
    "ask": {"group": ("Poser une question au bot", "Ask the bot a question")},
    "myths": {"private": ("Tous les mythes", "All the myths"),
              "group": ("Tous les mythes", "All the myths")},
    "top5": {"private": ("Le top 5 de l'article", "The article's top 5")},
    "sources": {"private": ("Les sources", "The sources")},
    "settings": {"group": ("Réglages du groupe", "Group settings")},
    "mode": {"group": ("Admins : auto, mention ou off", "Admins: auto, mention or off")},
    "lang": {"private": ("Langue : auto, fr ou en", "Language: auto, fr or en"),
             "group": ("Admins : langue du groupe", "Admins: group language")},
    "cooldown": {"group": ("Admins : délai en minutes", "Admins: cooldown in minutes")},
    "weekly": {"group": ("Admins : mythe de la semaine", "Admins: myth of the week")},
    "help": {"private": ("Aide", "Help")},
}
MENU_SCOPES = (("private", BotCommandScopeDefault()), ("group", BotCommandScopeAllGroupChats()))


class UpdatesRequest(HTTPXRequest):
    """The getUpdates connection, keeping each update's JSON as Telegram sent it: the inbox
    records that, instead of serialising PTB's objects back (40 µs an update, most of the
    inbox's cost). PTB documents `parse_json_payload` as the method to override."""

    def __init__(self, httpx_kwargs: dict[str, Any] | None = None) -> None:
        super().__init__(connection_pool_size=1, httpx_kwargs=httpx_kwargs)
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
                      limiter: DeliveryLimiter | None = None,
                      transport: httpx.AsyncBaseTransport | None = None,
                      ) -> Application:  # type: ignore[type-arg]
    """The Application, its handlers and state; `bot.telegram.runner.Service` runs it (updates
    come through the durable inbox, not PTB's Updater, hence ``updater(None)``).

    ``transport`` carries every Bot API request instead of the network: tests answer them
    in memory (httpx.MockTransport), as PTB's HTTPXRequest allows through httpx_kwargs."""
    httpx_kwargs = {"transport": transport} if transport is not None else None
    application = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.base_url.rstrip("/") if config.base_url else TELEGRAM_API)
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .updater(None)
        # A slow answer must be waited for: a send that timed out may have arrived, and is
        # never sent again (bot/telegram/delivery.py).
        .request(HTTPXRequest(connection_pool_size=256, read_timeout=config.send_timeout,
                              write_timeout=config.send_timeout, httpx_kwargs=httpx_kwargs))
        .rate_limiter(limiter or DeliveryLimiter())
        .get_updates_request(updates_request := UpdatesRequest(httpx_kwargs))
        .context_types(context_types(config, live, store))
        .build()
    )
    application.bot_data.updates_request = updates_request
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:  # type: ignore[type-arg]
    """Every handler, by feature. Commands are registered in the order of their menu."""
    # Edits are never answered: only new messages (and channel posts for /weekly).
    message = filters.UpdateType.MESSAGE
    private_chat = message & filters.ChatType.PRIVATE
    group_chat = message & filters.ChatType.GROUPS
    for names, callback in ((("ask",), private.ask), (("myths", "mythes"), private.myths),
                            (("top5",), private.top5), (("sources",), private.sources),
                            (("settings",), groups.settings), (("mode",), groups.mode),
                            (("lang",), groups.lang_command), (("cooldown",), groups.cooldown)):
        application.add_handler(CommandHandler(names, callback, filters=message))
    application.add_handler(CommandHandler(
        "weekly", weekly, filters=message | filters.UpdateType.CHANNEL_POST))
    application.add_handler(CommandHandler("help", private.help_command, filters=message))
    application.add_handler(CommandHandler("start", private.start, filters=message))
    application.add_handler(CommandHandler("reload", reload_command, filters=private_chat))
    application.add_handler(CommandHandler("stats", stats_command, filters=private_chat))
    application.add_handler(MessageHandler(private_chat & filters.TEXT & ~filters.COMMAND,
                                           private.private_text))
    application.add_handler(MessageHandler(private_chat & filters.COMMAND,
                                           private.unknown_command))
    application.add_handler(MessageHandler(
        private_chat & ~filters.TEXT & ~filters.StatusUpdate.ALL, private.private_other))
    application.add_handler(MessageHandler(group_chat & filters.TEXT & ~filters.COMMAND,
                                           groups.group_text))
    # PTB calls a pattern that is a function with the button's data.
    application.add_handler(CallbackQueryHandler(buttons.show_button, pattern=callbacks.is_show))
    application.add_handler(CallbackQueryHandler(buttons.top5_button, pattern=callbacks.is_top5))
    application.add_handler(CallbackQueryHandler(buttons.vote_button, pattern=callbacks.is_vote))
    application.add_handler(CallbackQueryHandler(buttons.expired_button))
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_handler(ChosenInlineResultHandler(chosen_result))
    application.add_handler(ChatMemberHandler(membership.membership,
                                              ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(ChatMemberHandler(membership.member_changed,
                                              ChatMemberHandler.CHAT_MEMBER))
    application.add_error_handler(error_handler)


def menu(application: Application, kind: str) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    """(command, French, English) of the menu for a kind of chat: the registered commands
    that have a description for it, in the order they were registered."""
    registered = [command for group in sorted(application.handlers)
                  for handler in application.handlers[group]
                  if isinstance(handler, CommandHandler) for command in handler.commands]
    return [(command, *MENU[command][kind]) for command in registered
            if kind in MENU.get(command, {})]


async def setup_bot(application: Application) -> None:  # type: ignore[type-arg]
    """After connecting: learn who the bot is, register commands, restore jobs."""
    bot_state: BotState = application.bot_data
    me = application.bot.bot
    bot_state.username = me.username or ""
    bot_state.bot_id = me.id
    bot_state.can_read_all_group_messages = bool(me.can_read_all_group_messages)
    await register_commands(application)
    restored = restore_jobs(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(watch_content, bot_state.config.reload_seconds,
                                            first=bot_state.config.reload_seconds,
                                            name=WATCH_JOB)
        logging.getLogger("apscheduler.scheduler").addFilter(RELOAD_STILL_RUNNING)
    log.info("@%s ready: %d myths, %d weekly schedule(s), reads all group messages: %s",
             bot_state.username, len(bot_state.live.matcher.content.myths), restored,
             bot_state.can_read_all_group_messages)


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    bot = application.bot
    try:
        for kind, scope in MENU_SCOPES:
            entries = menu(application, kind)
            for index, lang in ((1, "fr"), (2, "en")):
                await bot.set_my_commands([BotCommand(e[0], e[index]) for e in entries],
                                          scope=scope,
                                          language_code=None if lang == "en" else lang)
    except TelegramError as exc:  # a menu is a comfort: the bot works without it
        log.warning("could not register the command menu: %s", exc)
