"""The bot's own membership (joined, removed) and admins' changes, as Telegram reports them."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden

from bot.telegram.state import Context, telegram_lang
from bot.texts import text

log = logging.getLogger(__name__)


async def membership(update: Update, context: Context) -> None:
    """Introduce the bot once when it joins a group; forget a chat it was removed from."""
    change = update.my_chat_member
    if change is None:
        return
    bot_state = context.bot_data
    chat_id = change.chat.id
    old, new = change.old_chat_member.status, change.new_chat_member.status
    gone = {ChatMemberStatus.LEFT, ChatMemberStatus.BANNED}
    bot_state.admins.forget(chat_id)
    if new in gone:
        forget_chat(context, chat_id)
        log.info("removed from chat %s: its settings and schedule are deleted", chat_id)
        return
    if old in gone and change.chat.type in {ChatType.GROUP, ChatType.SUPERGROUP}:
        lang = telegram_lang(change.from_user)
        try:
            await context.bot.send_message(chat_id, text("intro_group", lang))
        except Forbidden:
            log.info("could not introduce myself in chat %s", chat_id)


async def member_changed(update: Update, context: Context) -> None:
    """Someone's status changed in a chat (Telegram tells admin bots): a promoted or
    demoted admin counts as such at once, not when the cached list expires."""
    change = update.chat_member
    if change is not None:
        context.bot_data.admins.forget(change.chat.id)


def forget_chat(context: Context, chat_id: int) -> None:
    """Forget a chat the bot left: its settings, schedule, cooldowns and weekly job."""
    bot_state = context.bot_data
    bot_state.store.forget_chat(chat_id)
    bot_state.cooldown.forget(chat_id)
    if context.job_queue is not None:
        for job in context.job_queue.get_jobs_by_name(f"weekly:{chat_id}"):
            job.schedule_removal()
