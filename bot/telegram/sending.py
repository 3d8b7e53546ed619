"""Send a core `Reply` to Telegram, and carry out an `Outcome`: send, then record.

Every send goes through the bot, so through its rate limiter (bot/telegram/delivery.py).
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from urllib.parse import quote

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.helpers import create_deep_linked_url

from bot.conversation import Outcome
from bot.replies import Button, Reply
from bot.telegram.delivery import Undelivered
from bot.telegram.state import Context
from bot.texts import text

SAVE_WAIT = 5.0
"""How long a settings change waits for the file before the admin is told it is not saved."""


def keyboard(reply: Reply, bot_username: str | None = None) -> InlineKeyboardMarkup | None:
    return _markup(reply.buttons, bot_username) if reply.buttons else None


@lru_cache(maxsize=512)
def _markup(rows: tuple[tuple[Button, ...], ...],
            bot_username: str | None) -> InlineKeyboardMarkup:
    """Buttons and markups are immutable, and the same few keyboards recur: build each once
    (it cost a third of a decision per reply)."""
    return InlineKeyboardMarkup([
        [_button(b, bot_username) for b in row if b.share is None or bot_username]
        for row in rows
    ])


def _button(button: Button, bot_username: str | None) -> InlineKeyboardButton:
    if button.share is not None and bot_username:
        payload, message = button.share
        link = create_deep_linked_url(bot_username, payload)
        return InlineKeyboardButton(button.label, url=f"https://t.me/share/url?url="
                                    f"{quote(link, safe='')}&text={quote(message, safe='')}")
    if button.url:
        return InlineKeyboardButton(button.label, url=button.url)
    return InlineKeyboardButton(button.label, callback_data=button.data)


async def answer(message: Message, reply: Reply, *, quote: bool) -> Message:
    """Answer in the message's chat (and topic); quoting it in groups so the thread is clear."""
    # Through the bot, so through its rate limiter; the trigger may be deleted meanwhile:
    # the answer still matters.
    markup = keyboard(reply, message.get_bot().username)
    return await message.reply_html(reply.html, reply_markup=markup, do_quote=quote,
                                    allow_sending_without_reply=True)


async def reply_to(update: Update, reply: Reply) -> Message | None:
    """Answer the update's message, quoting it outside private chats."""
    message = update.effective_message
    if message is None:
        return None
    return await answer(message, reply, quote=message.chat.type != ChatType.PRIVATE)


async def say(update: Update, html: str) -> Message | None:
    """A short text in answer to the update's message, quoted outside private chats."""
    return await reply_to(update, Reply(html))


async def confirm_saved(update: Update, context: Context, html: str, lang: str, *,
                        quote: bool | None = None) -> None:
    """Confirm a change (settings, a schedule) only once it is in the file: a confirmation
    followed by a loss at the next crash is worse than an honest "not saved yet". The
    change stays queued, and applies meanwhile, when the file refuses it (disk full).
    ``quote``: as `reply_to` does unless told."""
    on_disk = await asyncio.to_thread(context.bot_data.store.flush, SAVE_WAIT)
    message = update.effective_message
    if message is None:
        return
    await answer(message, Reply(html if on_disk else text("not_saved", lang)),
                 quote=message.chat.type != ChatType.PRIVATE if quote is None else quote)


async def carry_out(context: Context, message: Message, outcome: Outcome,
                    now: float = 0.0) -> None:
    """Send the outcome's reply, then record what it asks; ``now`` is the time the group's
    cooldown was read at.

    A group answer is reserved in the cooldown before the send is awaited, so that two
    updates handled at once cannot both pass it; and released if the send fails for lack of
    Telegram, so that the update, handled again later, is answered then."""
    if outcome.reply is None:
        return
    bot_state = context.bot_data
    chat_id = message.chat_id
    if outcome.why == "busy":
        bot_state.cooldown.noticed_busy(chat_id, now)
    if outcome.reserve:
        bot_state.cooldown.record(chat_id, outcome.reply.intent, now)
    try:
        await answer(message, outcome.reply, quote=outcome.quote)
    except Undelivered:
        if outcome.reserve:
            bot_state.cooldown.release(chat_id, outcome.reply.intent, now)
        raise
    # Storage comes after the reply and never holds it up: queued for the writer thread.
    if outcome.miss is not None:
        bot_state.store.add_miss(*outcome.miss)
    if outcome.count is not None:
        bot_state.store.count_answer(outcome.count.intent, outcome.count.lang,
                                     outcome.count.chat_kind)
