"""What the handlers share: content, storage, policies, and what the bot knows of itself."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import Update, User
from telegram.ext import ContextTypes

from bot.live import LiveContent
from bot.storage import Store
from bot.telegram.config import Config
from bot.telegram.policy import AdminCache, FloodGuard, GroupCooldown


@dataclass
class BotState:
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


def state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    found = context.bot_data["state"]
    assert isinstance(found, BotState)
    return found


def telegram_lang(user: User | None) -> str:
    """The user's Telegram language, reduced to one we speak."""
    code = (user.language_code or "") if user else ""
    return "fr" if code.lower().startswith("fr") else "en" if code else "fr"


def user_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The language to talk to this user in when their message says nothing about it: the
    chat's or user's /lang choice, then (in a group left on auto) the user's own private
    choice, then their Telegram language."""
    forced = forced_lang(update, context)
    if forced is not None:
        return forced
    chat, user = update.effective_chat, update.effective_user
    if user is not None and chat is not None and chat.type != "private":
        chosen = state(context).store.user_lang(user.id)
        if chosen != "auto":
            return chosen
    return telegram_lang(user)


def forced_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The language someone chose with /lang (chat's, then user's), or None for 'auto'."""
    chat, user = update.effective_chat, update.effective_user
    store = state(context).store
    if chat is not None and chat.type != "private":
        chosen = store.chat_settings(chat.id).lang
        return None if chosen == "auto" else chosen
    if user is not None:
        chosen = store.user_lang(user.id)
        return None if chosen == "auto" else chosen
    return None
