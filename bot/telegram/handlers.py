"""What the bot does for each kind of update: thin handlers over the core.

Each handler reads the update, asks the core (matcher, replies) and sends the
reply. Group rules: answer commands, mentions and replies to the bot; in
`auto` mode also a message that clearly repeats a cliché, within the cooldown.
"""

from __future__ import annotations

import hashlib
import logging

from telegram import CallbackQuery, Message, MessageEntity, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.conversation import Cooldown, Flood, Outcome, Situation, deliver, respond
from bot.models import LANG_SETTINGS, MODES, ChatSettings
from bot.replies import (
    Reply,
    callback_reply,
    myth_reply,
    myths_menu,
    sources_reply,
    top5_reply,
)
from bot.telegram.admin import admin_or_refuse, bot_can_read_group
from bot.telegram.delivery import Undelivered
from bot.telegram.sending import answer, keyboard
from bot.telegram.state import BotState, state, telegram_lang, user_lang
from bot.texts import text

log = logging.getLogger(__name__)

MAX_COOLDOWN = 24 * 60


def parse_count(raw: str) -> int | None:
    """A whole number written with ASCII digits, else None: "²" and "٣" pass
    `str.isdigit` yet `int` refuses the first, and nobody means the second."""
    return int(raw) if raw.isascii() and raw.isdecimal() else None


def _stat_kind(message: Message) -> str:
    return {"private": "private", "channel": "channel"}.get(message.chat.type, "group")


async def _send(update: Update, reply: Reply, *, quote: bool | None = None) -> Message | None:
    message = update.effective_message
    if message is None:
        return None
    return await answer(message, reply, quote=quote if quote is not None
                        else message.chat.type != ChatType.PRIVATE)


async def _send_text(update: Update, html: str) -> Message | None:
    return await _send(update, Reply(html))


def _count(bot_state: BotState, reply: Reply, lang: str, message: Message) -> None:
    """Count an answer, once sent: queued for the writer thread, never awaited."""
    if reply.intent:
        bot_state.store.count_answer(reply.intent, lang, _stat_kind(message))


async def answer_query(query: CallbackQuery, notice: str | None = None) -> None:
    """Stop the button's spinner. Handled again after an outage, the press is too old to
    answer: the rest of the handler still matters, so that failure is only logged."""
    try:
        await query.answer(notice)
    except (BadRequest, Undelivered) as exc:
        log.info("could not answer button press %s: %s", query.id, exc)


# --- commands everyone can use -------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the user, or open the myth a deep link (t.me/<bot>?start=<id>) names."""
    bot_state = state(context)
    content = bot_state.live.matcher.content
    lang = user_lang(update, context)
    message = update.effective_message
    if context.args and context.args[0] in content.by_id and message is not None:
        reply = myth_reply(content.by_id[context.args[0]], lang, bot_username=bot_state.username,
                           feedback=message.chat.type == ChatType.PRIVATE)
        await _send(update, reply)
        _count(bot_state, reply, lang, message)
        return
    await _send(update, myths_menu(content, lang, text("welcome", lang)))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the myths and the commands."""
    lang = user_lang(update, context)
    await _send(update, myths_menu(state(context).live.matcher.content, lang))


async def myths(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show every myth as a button."""
    await help_command(update, context)


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the two source articles."""
    lang = user_lang(update, context)
    await _send(update, sources_reply(state(context).live.matcher.content, lang))


async def top5(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start the article's top 5; the "next" button edits this one message."""
    lang = user_lang(update, context)
    await _send(update, top5_reply(state(context).live.matcher.content, lang, 1))


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer `/ask <question>`: works in every group, even in privacy mode."""
    message = update.effective_message
    if message is None:
        return
    handle = f"@{state(context).username}".lower()
    question = " ".join(a for a in context.args or [] if a.lower() != handle)
    await _respond(update, context, message, question, command=True)


async def lang_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Choose the answer language: a user's own in private, the group's (admins) in groups."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    choice = (context.args or [""])[0].lower()
    lang = user_lang(update, context)
    if choice not in LANG_SETTINGS:
        await _send_text(update, text("lang_usage", lang))
        return
    store = state(context).store
    if chat.type == ChatType.PRIVATE and user is not None:
        store.set_user_lang(user.id, choice)  # type: ignore[arg-type]
    elif not await admin_or_refuse(update, context):
        return
    else:
        store.update_chat_settings(chat.id, lang=choice)  # type: ignore[arg-type]
    new_lang = choice if choice != "auto" else telegram_lang(user)
    await _send_text(update, text("saved", new_lang))


# --- group settings (admins only) ----------------------------------------------------------


async def _group_admin_guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat = update.effective_chat
    lang = user_lang(update, context)
    if chat is None or chat.type == ChatType.PRIVATE:
        await _send_text(update, text("groups_only", lang))
        return False
    return await admin_or_refuse(update, context)


async def mode(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Set when the bot speaks in this group: auto, mention or off (admins only)."""
    chat = update.effective_chat
    lang = user_lang(update, context)
    choice = (context.args or [""])[0].lower()
    if choice not in MODES:
        await _send_text(update, text("mode_usage", lang))
        return
    if chat is None or not await _group_admin_guard(update, context):
        return
    state(context).store.update_chat_settings(chat.id, mode=choice)  # type: ignore[arg-type]
    if choice == "auto" and not await bot_can_read_group(chat.id, context):
        await _send_text(update, text("auto_needs_reading", lang))
        return
    await _send_text(update, text("saved", lang))


async def cooldown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Set how long before the same myth is answered again in this group (admins only)."""
    chat = update.effective_chat
    lang = user_lang(update, context)
    minutes = parse_count((context.args or [""])[0])
    if minutes is None or minutes > MAX_COOLDOWN:
        await _send_text(update, text("cooldown_usage", lang))
        return
    if chat is None or not await _group_admin_guard(update, context):
        return
    state(context).store.update_chat_settings(chat.id, cooldown_minutes=minutes)
    await _send_text(update, text("saved", lang))


async def settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show this group's mode, language and cooldown."""
    chat = update.effective_chat
    lang = user_lang(update, context)
    if chat is None or chat.type == ChatType.PRIVATE:
        await _send_text(update, text("groups_only", lang))
        return
    current = state(context).store.chat_settings(chat.id)
    reads = await bot_can_read_group(chat.id, context)
    await _send_text(update, text("settings", lang, mode=current.mode, chat_lang=current.lang,
                                  cooldown=current.cooldown_minutes,
                                  reads=text("yes" if reads else "no", lang)))


# --- messages ------------------------------------------------------------------------------


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any text in a private chat: the rebuttal, which-one buttons, or the help."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or user.is_bot or not message.text:
        return
    await _respond(update, context, message, message.text)


async def private_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice…: say politely that only text is read."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or user.is_bot:
        return
    await _respond(update, context, message, None)


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group: answer when addressed; in auto mode also a clear cliché, within cooldown."""
    message = update.effective_message
    if message is None or not message.text or _from_a_bot(message):
        return
    addressed, question = _addressed(message, state(context))
    await _respond(update, context, message, question, addressed=addressed)


def _from_a_bot(message: Message) -> bool:
    """Bots are never answered. An anonymous admin writes as the group itself (through a bot
    account): a person. A post by another chat (a linked channel's forward) is not."""
    if message.sender_chat is not None:
        return message.sender_chat.id != message.chat_id
    return bool((message.from_user and message.from_user.is_bot) or message.via_bot)


def _addressed(message: Message, bot_state: BotState) -> tuple[bool, str]:
    """Whether the message mentions or replies to the bot, and its text without the mention."""
    body = message.text or ""
    mentioned = False
    handle = f"@{bot_state.username}".lower()
    for entity, value in message.parse_entities([MessageEntity.MENTION,
                                                 MessageEntity.TEXT_MENTION]).items():
        if (entity.type == MessageEntity.MENTION and value.lower() == handle) or (
                entity.user is not None and entity.user.id == bot_state.bot_id):
            mentioned = True
            body = body.replace(value, " ")
    replied = message.reply_to_message
    to_bot = bool(replied and replied.from_user and replied.from_user.id == bot_state.bot_id)
    return mentioned or to_bot, body


async def _respond(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message,
                   question: str | None, *, addressed: bool = True,
                   command: bool = False) -> None:
    """Describe the message to the core, send what it says, record what it asks."""
    bot_state = state(context)
    flood: Flood = "ok"
    if message.chat.type == ChatType.PRIVATE and not command and update.effective_user:
        flood = bot_state.flood.check(update.effective_user.id, bot_state.clock(),
                                      key=update.update_id)
    situation = _situation(update, context, message, question, addressed=addressed,
                           command=command, flood=flood)
    await _carry_out(context, message, respond(situation))


def _situation(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message,
               question: str | None, *, addressed: bool = True, command: bool = False,
               flood: Flood = "ok") -> Situation:
    """What the core needs to know about a message; storage is read from its caches."""
    bot_state = state(context)
    user = update.effective_user
    private = message.chat.type == ChatType.PRIVATE
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


async def _carry_out(context: ContextTypes.DEFAULT_TYPE, message: Message,
                     outcome: Outcome) -> None:
    """Send the outcome's reply, then record what it asks.

    A group answer is reserved in the cooldown before the send is awaited, so that two
    updates handled at once cannot both pass it; and released if the send fails for lack of
    Telegram, so that the update, handled again later, is answered then."""
    if outcome.reply is None:
        return
    bot_state = state(context)
    chat_id, now = message.chat_id, bot_state.clock()
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


# --- buttons -------------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle inline buttons: show a myth, the list, the sources, the next top-5 step, a vote."""
    query = update.callback_query
    if query is None:
        return
    data = query.data or ""
    lang = user_lang(update, context)
    message = query.message if isinstance(query.message, Message) else None
    if data.startswith("v:"):
        await _vote(update, context, data, message)
        return
    bot_state = state(context)
    content = bot_state.live.matcher.content
    private = message is not None and message.chat.type == ChatType.PRIVATE
    step_ok = not data.startswith("t5:") or parse_count(data[3:]) is not None
    reply = callback_reply(data, content, lang, bot_username=bot_state.username,
                           feedback=private) if step_ok else None
    # CallbackQueries need answering even with nothing to say, or the button keeps spinning.
    await answer_query(query, None if reply else text("expired", lang))
    if reply is None or message is None:
        return
    if data.startswith("t5:"):
        await _edit(message, reply)
        return
    situation = _situation(update, context, message, None)
    await _carry_out(context, message, deliver(reply, situation, lang, quote=False))


async def _edit(message: Message, reply: Reply) -> None:
    try:
        await message.edit_text(reply.html, reply_markup=keyboard(reply))
    except BadRequest as exc:
        if "not modified" not in str(exc):  # a double tap re-sends the same step
            raise


async def _vote(update: Update, context: ContextTypes.DEFAULT_TYPE, data: str,
                message: Message | None) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or message is None:
        return
    lang = user_lang(update, context)
    _, intent, value = [*data.split(":"), "", ""][:3]
    bot_state = state(context)
    if intent not in bot_state.live.matcher.content.by_id or value not in {"0", "1"}:
        await answer_query(query, text("expired", lang))
        return
    await answer_query(query, text("thanks_vote", lang))
    # One vote per user per answer: the key names both, hashed again by the store.
    key = hashlib.sha256(f"{user.id}:{message.chat_id}:{message.message_id}".encode()).hexdigest()
    bot_state.store.vote(key, intent, lang, _stat_kind(message), value == "1")


# --- membership and errors -----------------------------------------------------------------


async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Introduce the bot once when it joins a group; forget a chat it was removed from."""
    change = update.my_chat_member
    if change is None:
        return
    bot_state = state(context)
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


async def member_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Someone's status changed in a chat (Telegram tells admin bots): a promoted or
    demoted admin counts as such at once, not when the cached list expires."""
    change = update.chat_member
    if change is not None:
        state(context).admins.forget(change.chat.id)


def forget_chat(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    bot_state = state(context)
    bot_state.store.forget_chat(chat_id)
    bot_state.cooldown.forget(chat_id)
    if context.job_queue is not None:
        for job in context.job_queue.get_jobs_by_name(f"weekly:{chat_id}"):
            job.schedule_removal()


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error with the update's ids (never its text) and carry on."""
    error = context.error
    if isinstance(update, Update):
        chat = update.effective_chat.id if update.effective_chat else None
        user = update.effective_user.id if update.effective_user else None
        where = f"update {update.update_id} (chat {chat}, user {user})"
    else:
        where = "polling" if update is None else type(update).__name__
    if isinstance(error, Undelivered):
        # Kept by the inbox and handled again once Telegram answers: not an error yet.
        log.info("%s: %s; handled again once Telegram answers", where, _describe(error))
        return
    if type(error).__name__ == "Conflict":
        log.error("409 Conflict: another process is polling with this bot token. Stop it, or "
                  "delete its webhook; this one keeps trying.")
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # A network fault the delivery rules already logged and judged: not a bug.
        log.warning("error while handling %s: %s", where, _describe(error))
        return
    log.error("error while handling %s: %s", where, _describe(error),
              exc_info=None if isinstance(error, TelegramError) else error)


def _describe(error: BaseException | None) -> str:
    return f"{type(error).__name__}: {error}" if error else "unknown error"
