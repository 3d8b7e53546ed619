"""Groups: answer when addressed (or, in auto mode, a clear cliché), and the settings that
admins change: /mode, /lang, /cooldown; /settings shows them."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType

from bot.conversation import parse_count, respond
from bot.models import MAX_COOLDOWN_MINUTES, lang_setting_of, mode_of
from bot.telegram.admin import admin_or_refuse, bot_can_read_group
from bot.telegram.sending import carry_out, confirm_saved, say
from bot.telegram.state import BotState, Context, situation, telegram_lang, user_lang
from bot.texts import text


async def group_text(update: Update, context: Context) -> None:
    """In a group: answer when addressed; in auto mode also a clear cliché, within cooldown."""
    message = update.effective_message
    if message is None or not message.text or _from_a_bot(message):
        return
    addressed, question = _addressed(message, context.bot_data)
    heard = situation(update, context, message, question, addressed=addressed)
    await carry_out(context, message, respond(heard), heard.cooldown.now)


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


async def lang_command(update: Update, context: Context) -> None:
    """Choose the answer language: a user's own in private, the group's (admins) in groups."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    choice = lang_setting_of((context.args or [""])[0].lower())
    lang = user_lang(update, context)
    if choice is None:
        await say(update, text("lang_usage", lang))
        return
    store = context.bot_data.store
    if chat.type == ChatType.PRIVATE and user is not None:
        store.set_user_lang(user.id, choice)
    elif not await admin_or_refuse(update, context):
        return
    else:
        store.update_chat_settings(chat.id, lang=choice)
    new_lang = choice if choice != "auto" else telegram_lang(user)
    await confirm_saved(update, context, text("saved", new_lang), new_lang)


async def _group_admin_guard(update: Update, context: Context) -> bool:
    chat = update.effective_chat
    lang = user_lang(update, context)
    if chat is None or chat.type == ChatType.PRIVATE:
        await say(update, text("groups_only", lang))
        return False
    return await admin_or_refuse(update, context)


async def mode(update: Update, context: Context) -> None:
    """Set when the bot speaks in this group: auto, mention or off (admins only)."""
    chat = update.effective_chat
    lang = user_lang(update, context)
    choice = mode_of((context.args or [""])[0].lower())
    if choice is None:
        await say(update, text("mode_usage", lang))
        return
    if chat is None or not await _group_admin_guard(update, context):
        return
    context.bot_data.store.update_chat_settings(chat.id, mode=choice)
    reads = choice != "auto" or await bot_can_read_group(chat.id, context)
    await confirm_saved(update, context, text("saved" if reads else "auto_needs_reading", lang),
                        lang)


async def cooldown(update: Update, context: Context) -> None:
    """Set how long before the same myth is answered again in this group (admins only)."""
    chat = update.effective_chat
    lang = user_lang(update, context)
    minutes = parse_count((context.args or [""])[0])
    if minutes is None or minutes > MAX_COOLDOWN_MINUTES:
        await say(update, text("cooldown_usage", lang))
        return
    if chat is None or not await _group_admin_guard(update, context):
        return
    context.bot_data.store.update_chat_settings(chat.id, cooldown_minutes=minutes)
    await confirm_saved(update, context, text("saved", lang), lang)


async def settings(update: Update, context: Context) -> None:
    """Show this group's mode, language and cooldown."""
    chat = update.effective_chat
    lang = user_lang(update, context)
    if chat is None or chat.type == ChatType.PRIVATE:
        await say(update, text("groups_only", lang))
        return
    current = context.bot_data.store.chat_settings(chat.id)
    reads = await bot_can_read_group(chat.id, context)
    await say(update, text("settings", lang, mode=current.mode, chat_lang=current.lang,
                           cooldown=current.cooldown_minutes,
                           reads=text("yes" if reads else "no", lang)))
