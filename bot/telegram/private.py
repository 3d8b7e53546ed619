"""Private chats, and the commands everyone can use anywhere: the myths, the top 5, the
sources, /ask; any text gets an answer."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler

from bot.conversation import deliver, respond
from bot.replies import (
    myth_reply,
    myths_menu,
    sources_reply,
    top5_reply,
    unknown_command_reply,
)
from bot.telegram.sending import answer, carry_out, reply_to
from bot.telegram.state import Context, situation, user_lang
from bot.texts import text


async def start(update: Update, context: Context) -> None:
    """Welcome the user, or open the myth a deep link (t.me/<bot>?start=<id>) names."""
    bot_state = context.bot_data
    content = bot_state.live.matcher.content
    lang = user_lang(update, context)
    message = update.effective_message
    if message is None:
        return
    private = message.chat.type == ChatType.PRIVATE
    if context.args and context.args[0] in content.by_id:
        reply = myth_reply(content.by_id[context.args[0]], lang, bot_username=bot_state.username,
                           feedback=private)
        # A deep link is one more way to make the bot speak: in private the flood limit
        # applies, in a group the per-minute cap and the myth's cooldown (a card shared
        # again, not a question: the same card twice within the cooldown is spam).
        where = situation(update, context, message, context.args[0], counts_for_flood=True)
        outcome = respond(where) if where.flood != "ok" else deliver(reply, where, lang,
                                                                     solicited=False)
        await carry_out(context, message, outcome, where.cooldown.now)
        return
    await answer(message, myths_menu(content, lang, text("welcome", lang)), quote=not private)


async def help_command(update: Update, context: Context) -> None:
    """List the myths and the commands."""
    await reply_to(update, myths_menu(context.bot_data.live.matcher.content,
                                      user_lang(update, context)))


async def myths(update: Update, context: Context) -> None:
    """Show every myth as a button."""
    await help_command(update, context)


async def sources(update: Update, context: Context) -> None:
    """Show the two source articles."""
    await reply_to(update, sources_reply(context.bot_data.live.matcher.content,
                                         user_lang(update, context)))


async def top5(update: Update, context: Context) -> None:
    """Start the article's top 5; the "next" button edits this one message."""
    await reply_to(update, top5_reply(context.bot_data.live.matcher.content,
                                      user_lang(update, context), 1))


async def ask(update: Update, context: Context) -> None:
    """Answer `/ask <question>`: works in every group, even in privacy mode."""
    message = update.effective_message
    if message is None:
        return
    handle = f"@{context.bot_data.username}".lower()
    question = " ".join(a for a in context.args or [] if a.lower() != handle)
    # In private, /ask is a message like any other: it counts towards the flood limit.
    asked = situation(update, context, message, question, command=True, counts_for_flood=True)
    await carry_out(context, message, respond(asked), asked.cooldown.now)


async def private_text(update: Update, context: Context) -> None:
    """Answer any text in a private chat: the rebuttal, which-one buttons, or the help."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or user.is_bot or not message.text:
        return
    asked = situation(update, context, message, message.text, counts_for_flood=True)
    await carry_out(context, message, respond(asked))


async def unknown_command(update: Update, context: Context) -> None:
    """Say that a command is unknown and suggest the closest registered one (/mith: /myths)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    known = [command for handlers in context.application.handlers.values()
             for handler in handlers if isinstance(handler, CommandHandler)
             for command in handler.commands]
    await reply_to(update, unknown_command_reply(message.text.split()[0], known,
                                                 user_lang(update, context)))


async def private_other(update: Update, context: Context) -> None:
    """Stickers, photos, voice…: say politely that only text is read."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or user.is_bot:
        return
    sent = situation(update, context, message, None, counts_for_flood=True)
    await carry_out(context, message, respond(sent))
