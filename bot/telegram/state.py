"""What the handlers share (content, storage, policies, what the bot knows of itself), and
what it knows about one message: the `Situation` the conversation core decides on."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Message, Update, User
from telegram.constants import ChatType
from telegram.ext import CallbackContext, ContextTypes, ExtBot
from telegram.request import BaseRequest

from bot.conversation import Cooldown, Flood, Situation, fallback_lang
from bot.live import LiveContent
from bot.models import ChatSettings
from bot.policy import AdminCache, FloodGuard, GroupCooldown
from bot.storage import Store
from bot.telegram.config import Config


@dataclass
class BotState:
    """The handlers' shared state: PTB's ``bot_data`` (see `context_types`)."""

    config: Config
    live: LiveContent
    store: Store
    cooldown: GroupCooldown = field(default_factory=GroupCooldown)
    flood: FloodGuard = field(default_factory=FloodGuard)
    admins: AdminCache = field(default_factory=AdminCache)
    clock: Callable[[], float] = time.monotonic
    username: str = ""
    bot_id: int = 0
    can_read_all_group_messages: bool = False
    updates_request: BaseRequest | None = None
    """The getUpdates connection that keeps each update's JSON, for the poller."""


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotState]
"""What every handler and job receives: ``context.bot_data`` is the `BotState`."""


def context_types(config: Config, live: LiveContent,
                  store: Store) -> ContextTypes[Context, dict[Any, Any], dict[Any, Any],
                                                BotState]:
    """PTB's `ContextTypes` with a `BotState` as ``bot_data``. PTB builds ``bot_data`` itself,
    without arguments: the class handed to it binds this bot's config, content and store."""

    class BoundState(BotState):
        def __init__(self) -> None:
            super().__init__(config, live, store)

    return ContextTypes(bot_data=BoundState)


def telegram_lang(user: User | None) -> str:
    """The user's Telegram language, reduced to one we speak."""
    code = (user.language_code or "") if user else ""
    return "fr" if code.lower().startswith("fr") else "en" if code else "fr"


def user_lang(update: Update, context: Context) -> str:
    """The language to talk to this user in when their message says nothing about it
    (`bot.conversation.fallback_lang` decides, from the chat's and the user's choices)."""
    chat, user = update.effective_chat, update.effective_user
    bot_state = context.bot_data
    group = chat is not None and chat.type != ChatType.PRIVATE
    return fallback_lang(Situation(
        None, bot_state.live.matcher, chat="group" if group else "private",
        settings=bot_state.store.chat_settings(chat.id) if chat is not None and group
        else ChatSettings(0),
        user_choice=bot_state.store.user_lang(user.id) if user else "auto",
        telegram_lang=telegram_lang(user)))


def situation(update: Update, context: Context, message: Message, question: str | None, *,
              addressed: bool = True, command: bool = False,
              counts_for_flood: bool = False) -> Situation:
    """What the core needs to know about a message. Storage is read from its caches; a
    private message (not a command, not a button) counts towards the user's flood limit."""
    bot_state = context.bot_data
    user = update.effective_user
    private = message.chat.type == ChatType.PRIVATE
    flood: Flood = "ok"
    if private and counts_for_flood and user is not None:
        # Handled again after an outage, the same update gets the same verdict.
        flood = bot_state.flood.check(user.id, bot_state.clock(), key=update.update_id)
    return Situation(
        question, bot_state.live.matcher,  # one content version for the whole answer
        chat="private" if private else "group", addressed=addressed, command=command,
        settings=ChatSettings(message.chat_id) if private
        else bot_state.store.chat_settings(message.chat_id),
        user_choice=bot_state.store.user_lang(user.id) if user else "auto",
        telegram_lang=telegram_lang(user), flood=flood,
        cooldown=Cooldown() if private
        else bot_state.cooldown.snapshot(message.chat_id, bot_state.clock()),
        bot_username=bot_state.username, keep_misses=bot_state.config.keep_misses)
