"""Send a core `Reply` to Telegram: keyboard, reply target, forum topic."""

from __future__ import annotations

from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ParseMode

from bot.replies import Button, Reply


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    return _markup(reply.buttons) if reply.buttons else None


@lru_cache(maxsize=512)
def _markup(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup:
    """Buttons and markups are immutable, and the same few keyboards recur: build each once
    (it cost a third of a decision per reply)."""
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(b.label, url=b.url) if b.url
         else InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
        for row in rows
    ])


async def answer(message: Message, reply: Reply, *, quote: bool) -> Message:
    """Answer in the message's chat (and topic); quoting it in groups so the thread is clear."""
    return await message.get_bot().send_message(
        chat_id=message.chat_id,
        text=reply.html,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(reply),
        message_thread_id=message.message_thread_id if message.is_topic_message else None,
        # The trigger may be deleted meanwhile: the answer still matters.
        reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True)
        if quote else None,
    )
