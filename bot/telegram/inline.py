"""Inline mode: `@bot facebook` in any chat lists matching myths to share as cards."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode

from bot.content import Myth
from bot.html import visible_text
from bot.matching import Matcher
from bot.replies import myth_card, myth_reply
from bot.telegram.sending import keyboard
from bot.telegram.state import Context, telegram_lang

MAX_RESULTS = 50
CACHE_SECONDS = 30
# Inline results are a list to pick from: any myth the model gives a real chance.
INLINE_FLOOR = 10.0
TOP_MYTHS = 12
"""The likeliest myths ranked for a query; titles that contain it are added after them."""


def inline_myths(matcher: Matcher, query: str) -> tuple[list[Myth], str | None]:
    """The myths to offer for a query (all, in the article's order, when it is empty)."""
    content = matcher.content
    if not query.strip():
        return list(content.myths), None
    norm, ranked, _ = matcher.scores(query, TOP_MYTHS)
    chosen = [content.by_id[intent] for intent, score in ranked if score >= INLINE_FLOOR]
    titles = [m for m in content.myths if query.strip().lower() in m.title["fr"].lower()
              or query.strip().lower() in m.title["en"].lower()]
    for myth in titles:
        if myth not in chosen:
            chosen.append(myth)
    return chosen[:MAX_RESULTS], matcher.detect_lang(query, norm)


async def inline_query(update: Update, context: Context) -> None:
    """Answer an inline query with myth cards in the user's language."""
    query = update.inline_query
    if query is None:
        return
    bot_state = context.bot_data
    found, detected = inline_myths(bot_state.live.matcher, query.query[:256])
    lang = detected or telegram_lang(query.from_user)
    results = [
        InlineQueryResultArticle(
            id=myth.id,
            title=myth.title[lang],
            description=visible_text(myth.rebuttal[lang])[:120],
            input_message_content=InputTextMessageContent(myth_card(myth, lang),
                                                          parse_mode=ParseMode.HTML),
            reply_markup=keyboard(myth_reply(myth, lang, bot_username=bot_state.username or None,
                                             navigation=False), bot_state.username or None),
        )
        for myth in found
    ]
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)


async def chosen_result(update: Update, context: Context) -> None:
    """Count a shared card (needs inline feedback turned on in @BotFather)."""
    chosen = update.chosen_inline_result
    if chosen is None:
        return
    bot_state = context.bot_data
    if chosen.result_id in bot_state.live.matcher.content.by_id:
        lang = telegram_lang(chosen.from_user)
        bot_state.store.count_answer(chosen.result_id, lang, "inline")
