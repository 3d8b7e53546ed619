"""Inline buttons, one handler per kind of press (bot/callbacks.py reads their data, app.py
routes them): show a myth, the list or the sources; turn the top 5's page; vote; anything
else is a button from an older version."""

from __future__ import annotations

import hashlib
import logging

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.callbacks import Vote, decode
from bot.conversation import deliver
from bot.replies import Reply, callback_reply
from bot.telegram.delivery import Undelivered
from bot.telegram.sending import carry_out, keyboard
from bot.telegram.state import Context, situation, user_lang
from bot.texts import text

log = logging.getLogger(__name__)

async def answer_query(query: CallbackQuery, notice: str | None = None) -> None:
    """Stop the button's spinner. Handled again after an outage, the press is too old to
    answer: the rest of the handler still matters, so that failure is only logged."""
    try:
        await query.answer(notice)
    except (BadRequest, Undelivered) as exc:
        log.info("could not answer button press %s: %s", query.id, exc)


def _pressed(update: Update) -> tuple[CallbackQuery, Message | None] | None:
    query = update.callback_query
    if query is None:
        return None
    return query, query.message if isinstance(query.message, Message) else None


async def show_button(update: Update, context: Context) -> None:
    """Show the myth, the list of myths or the sources the button names."""
    pressed = _pressed(update)
    if pressed is None:
        return
    query, message = pressed
    lang = user_lang(update, context)
    bot_state = context.bot_data
    private = message is not None and message.chat.type == ChatType.PRIVATE
    reply = callback_reply(query.data or "", bot_state.live.matcher.content, lang,
                           bot_username=bot_state.username, feedback=private)
    # CallbackQueries need answering even with nothing to say, or the button keeps spinning.
    await answer_query(query, None if reply else text("expired", lang))
    if reply is None or message is None:
        return
    where = situation(update, context, message, None)
    await carry_out(context, message, deliver(reply, where, lang, quote=False),
                    where.cooldown.now)


async def top5_button(update: Update, context: Context) -> None:
    """Turn the top 5's page: the message is edited in place."""
    pressed = _pressed(update)
    if pressed is None:
        return
    query, message = pressed
    lang = user_lang(update, context)
    reply = callback_reply(query.data or "", context.bot_data.live.matcher.content, lang)
    await answer_query(query, None if reply else text("expired", lang))
    if reply is not None and message is not None:
        await _edit(message, reply)


async def _edit(message: Message, reply: Reply) -> None:
    try:
        markup = keyboard(reply, message.get_bot().username)
        await message.edit_text(reply.html, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc):  # a double tap re-sends the same step
            raise


async def vote_button(update: Update, context: Context) -> None:
    """Count a "helpful?" vote: one per user and answer (a message, or an inline card
    shared anywhere), changeable. Every press is answered, or its button keeps spinning."""
    pressed = _pressed(update)
    if pressed is None:
        return
    query, message = pressed
    lang = user_lang(update, context)
    press = decode(query.data)
    bot_state = context.bot_data
    if not isinstance(press, Vote) or press.intent not in bot_state.live.matcher.content.by_id:
        await answer_query(query, text("expired", lang))
        return
    await answer_query(query, text("thanks_vote", lang))
    if message is not None:
        answered = f"{message.chat_id}:{message.message_id}"
        kind = {"private": "private", "channel": "channel"}.get(message.chat.type, "group")
    elif query.inline_message_id:
        answered, kind = f"inline:{query.inline_message_id}", "inline"
    else:  # an old message Telegram no longer shows us: nothing to count it against
        return
    # One vote per user per answer: the key names both, hashed again by the store.
    key = hashlib.sha256(f"{query.from_user.id}:{answered}".encode()).hexdigest()
    bot_state.store.vote(key, press.intent, lang, kind, press.helpful)


async def expired_button(update: Update, context: Context) -> None:
    """A button this version does not know (an old message's): say it has expired."""
    query = update.callback_query
    if query is not None:
        await answer_query(query, text("expired", user_lang(update, context)))
