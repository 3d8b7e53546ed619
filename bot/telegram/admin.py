"""Who may change a chat's settings: its real administrators, as Telegram says."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram.state import state

log = logging.getLogger(__name__)


async def is_chat_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the sender administers this chat (anonymous admins and channels included)."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or message is None:
        return False
    # An anonymous admin posts as the group itself, and a channel post comes from the channel:
    # only administrators can do either.
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    if user is None:
        return False
    admins = await chat_admins(chat.id, context)
    return user.id in admins


async def chat_admins(chat_id: int, context: ContextTypes.DEFAULT_TYPE) -> frozenset[int]:
    bot_state = state(context)
    now = bot_state.clock()
    cached = bot_state.admins.get(chat_id, now)
    if cached is not None:
        return cached
    try:
        members = await context.bot.get_chat_administrators(chat_id)
    except TelegramError as exc:
        # Refusing is the safe answer when Telegram cannot tell us.
        log.warning("could not fetch the administrators of chat %s: %s", chat_id, exc)
        return frozenset()
    admins = frozenset(member.user.id for member in members)
    bot_state.admins.put(chat_id, admins, now)
    return admins


async def bot_can_read_group(chat_id: int, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether ordinary group messages reach the bot: privacy mode off, or the bot is admin."""
    bot_state = state(context)
    if bot_state.can_read_all_group_messages:
        return True
    return bot_state.bot_id in await chat_admins(chat_id, context)


def is_operator(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in state(context).config.admins
