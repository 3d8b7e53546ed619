"""Who may change a chat's settings: its real administrators, as Telegram says."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.replies import Reply
from bot.telegram.delivery import Undelivered
from bot.telegram.sending import answer
from bot.telegram.state import Context, user_lang
from bot.texts import text

log = logging.getLogger(__name__)


class AdminLookupFailed(Exception):
    """Telegram would not say who administers the chat: ask the user to try again, rather
    than refuse them as if they were not an admin."""


async def is_chat_admin(update: Update, context: Context) -> bool:
    """Whether the sender administers this chat now (anonymous admins and channels
    included); `AdminLookupFailed` when Telegram cannot tell.

    An admin bot hears of every promotion and demotion (``chat_member`` updates, which drop
    the cached list), so the cached list is current there. Elsewhere Telegram tells the bot
    nothing, and a demoted admin would keep changing settings until the list expires: the
    sender's status is asked afresh (getChatMember), one request per settings change."""
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
    if context.bot_data.bot_id in admins:
        return user.id in admins
    return await _is_admin_now(chat.id, user.id, context)


async def _is_admin_now(chat_id: int, user_id: int, context: Context) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except Undelivered:
        raise  # Telegram unreachable: the update is handled again once it answers
    except TelegramError as exc:
        log.warning("could not fetch the status of user %s in chat %s: %s", user_id, chat_id,
                    exc)
        raise AdminLookupFailed(str(exc)) from exc
    return member.status in {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


async def admin_or_refuse(update: Update, context: Context) -> bool:
    """Whether the sender administers this chat; if not, tell them (or, when Telegram could
    not say, ask them to try again)."""
    try:
        if await is_chat_admin(update, context):
            return True
        key = "admins_only"
    except AdminLookupFailed:
        key = "admin_check_failed"
    message = update.effective_message
    if message is not None:
        await answer(message, Reply(text(key, user_lang(update, context))),
                     quote=message.chat.type != "private")
    return False


async def chat_admins(chat_id: int, context: Context) -> frozenset[int]:
    bot_state = context.bot_data
    now = bot_state.clock()
    cached = bot_state.admins.get(chat_id, now)
    if cached is not None:
        return cached
    try:
        members = await context.bot.get_chat_administrators(chat_id)
    except Undelivered:
        raise  # Telegram unreachable: the update is handled again once it answers
    except TelegramError as exc:
        log.warning("could not fetch the administrators of chat %s: %s", chat_id, exc)
        raise AdminLookupFailed(str(exc)) from exc
    admins = frozenset(member.user.id for member in members)
    bot_state.admins.put(chat_id, admins, now)
    return admins


async def bot_can_read_group(chat_id: int, context: Context) -> bool:
    """Whether ordinary group messages reach the bot: privacy mode off, or the bot is admin."""
    bot_state = context.bot_data
    if bot_state.can_read_all_group_messages:
        return True
    try:
        return bot_state.bot_id in await chat_admins(chat_id, context)
    except AdminLookupFailed:
        return False


def is_operator(update: Update, context: Context) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.bot_data.config.admins
