"""Turn a decision into what a user sees: HTML text and buttons, in one language.

Pure: the console chat, the Telegram bot and inline mode all render through
these functions, so what an editor sees in `mythbot chat` is what users get.
Buttons carry what they ask for as callback data, which bot/callbacks.py encodes and
decodes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.callbacks import ShowList, ShowMyth, ShowSources, Top5Step, Vote, decode, encode
from bot.content import Content, Myth, Source
from bot.html import MAX_MESSAGE, escape, visible_length, visible_text
from bot.matching import Decision
from bot.smalltalk import Kind as SmallTalkKind
from bot.spec import LANGS
from bot.texts import text


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str | None = None
    url: str | None = None
    share: tuple[str, str] | None = None
    """(start payload, message): a "share" button. The front end builds the link to the bot
    (python-telegram-bot's create_deep_linked_url) and Telegram's share page around it."""


@dataclass(frozen=True, slots=True)
class Reply:
    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    intent: str | None = None
    """The myth this reply answers, when it answers one (for statistics)."""


def localised(value: str | Mapping[str, str] | None, lang: str) -> str:
    """A content text in `lang`: one text serves every language, a mapping has one each."""
    if value is None or isinstance(value, str):
        return value or ""
    return value.get(lang) or value.get(LANGS[0]) or ""


def source_line(source: Source, lang: str) -> str:
    """The citation under a rebuttal; the article's title stays in its own language."""
    parts = [f"« {escape(source.title)} »" if lang == "fr" else f"“{escape(source.title)}”"]
    if source.author:
        parts.append(f"{text('by', lang)} {escape(source.author)}")
    parts.append(escape(localised(source.site, lang)))
    parts.append(escape(source.date))
    line = ", ".join(parts)
    part = localised(source.part, lang)
    if part:
        line += f" ({escape(part)})"
    return f"<i>{text('source', lang)} : {line}</i>" if lang == "fr" else (
        f"<i>{text('source', lang)}: {line}</i>")


def myth_card(myth: Myth, lang: str) -> str:
    """The cliché, its rebuttal and its source: a self-contained message."""
    card = (f"<b>{text('cliche', lang)} : {escape(myth.title[lang])}</b>\n\n"
            if lang == "fr" else f"<b>{text('cliche', lang)}: {escape(myth.title[lang])}</b>\n\n")
    card += myth.rebuttal[lang].strip() + "\n\n" + source_line(myth.source, lang)
    return _fit(card)


def share_button(myth: Myth, lang: str) -> Button:
    """Share this myth: a link that opens the bot on it (/start <id>), with a line of text."""
    message = f"{text('share_text', lang)} {myth.title[lang]}"
    return Button(text("button_share", lang), share=(myth.id, message))


def myth_reply(myth: Myth, lang: str, *, bot_username: str | None = None,
               feedback: bool = False, navigation: bool = True) -> Reply:
    """A myth card with its buttons. Inline cards live in other people's chats, where only
    the share button makes sense: `navigation=False`."""
    rows: list[tuple[Button, ...]] = []
    if feedback:
        rows.append((Button(text("button_helpful", lang), encode(Vote(myth.id, True))),
                     Button(text("button_not_helpful", lang), encode(Vote(myth.id, False)))))
    nav = [Button(text("button_other", lang), encode(ShowList())),
           Button(text("button_sources", lang), encode(ShowSources()))]
    if not navigation:
        nav = []
    if bot_username:
        nav.append(share_button(myth, lang))
    if nav:
        rows.append(tuple(nav))
    return Reply(myth_card(myth, lang), tuple(rows), myth.id)


def myths_menu(content: Content, lang: str, intro: str | None = None) -> Reply:
    lines = [intro or text("myths_title", lang)]
    lines += [f"• {escape(m.title[lang])}" for m in content.myths]
    lines += ["", text("help_commands", lang)]
    buttons = tuple((Button(m.title[lang][:60], encode(ShowMyth(m.id))),) for m in content.myths)
    return Reply(_fit("\n".join(lines)), buttons)


def help_reply(content: Content, lang: str) -> Reply:
    return myths_menu(content, lang, text("help_intro", lang))


def sources_reply(content: Content, lang: str) -> Reply:
    lines = [text("sources_title", lang), ""]
    for source in content.sources:
        author = f", {text('by', lang)} {escape(source.author)}" if source.author else ""
        lines.append(f"• <b>{escape(source.title)}</b>{author} — "
                     f"{escape(localised(source.site, lang))}, "
                     f"{escape(source.date)}")
    return Reply("\n".join(lines))


def smalltalk_reply(kind: SmallTalkKind, content: Content, lang: str) -> Reply:
    """A word back to a hello or a thank-you; the sources to a question about them."""
    if kind == "sources":
        return sources_reply(content, lang)
    return Reply(text(f"smalltalk_{kind}", lang))


COMMAND_LIKENESS = 60
"""How close (rapidfuzz ratio, 0-100) a command must be to the typed one to be suggested:
"/mith" is 67 from "/myths"; "/xyz" is near none of them."""


def unknown_command_reply(command: str, known: Iterable[str], lang: str) -> Reply:
    """Say that a command is unknown and suggest the closest one, with the commands line."""
    typed = command.split("@", 1)[0].lower()
    best = process.extractOne(typed.lstrip("/"), [c.lstrip("/") for c in known],
                              scorer=fuzz.ratio, score_cutoff=COMMAND_LIKENESS)
    lines = [text("unknown_command", lang, command=escape(typed))]
    if best is not None:
        lines[0] += " " + text("did_you_mean", lang, command=f"/{best[0]}")
    return Reply("\n".join([*lines, text("help_commands", lang)]))


def clarify_reply(decision: Decision, content: Content, lang: str, question: str) -> Reply:
    quoted = escape(question.strip()[:80] + ("…" if len(question.strip()) > 80 else ""))
    ask = text("clarify" if len(decision.options) > 1 else "clarify_one", lang)
    body = f"« {quoted} »\n{ask}" if quoted else ask
    buttons = tuple((Button(content.by_id[i].title[lang][:60], encode(ShowMyth(i))),)
                    for i in decision.options if i in content.by_id)
    return Reply(body, buttons)


def reply_for(decision: Decision, content: Content, lang: str, question: str = "", *,
              bot_username: str | None = None, feedback: bool = False) -> Reply:
    """The one reply to a message: the rebuttal, a clarify question, or the help."""
    myth = content.by_id.get(decision.intent or "")
    if decision.kind == "answer" and myth is not None:
        return myth_reply(myth, lang, bot_username=bot_username, feedback=feedback)
    if decision.kind == "clarify":
        return clarify_reply(decision, content, lang, question)
    return help_reply(content, lang)


def top5_reply(content: Content, lang: str, step: int) -> Reply:
    """One step of the article's top 5; the last one is the unfinished fifth point."""
    top = content.top5
    step = min(max(step, 1), len(top))
    myth = top[step - 1]
    heading = text("top5_title", lang, n=step, total=len(top))
    body = _fit(f"{heading}\n\n{myth_card(myth, lang)}")
    buttons: tuple[tuple[Button, ...], ...] = ()
    if step < len(top):
        buttons = ((Button(text("button_next", lang), encode(Top5Step(step + 1))),),)
    return Reply(body, buttons, myth.id)


def _fit(html: str) -> str:
    """Stay within Telegram's limit; content checks make this a last resort."""
    if visible_length(html) <= MAX_MESSAGE:
        return html
    return escape(visible_text(html)[: MAX_MESSAGE - 1]) + "…"


def callback_reply(data: str, content: Content, lang: str, *,
                   bot_username: str | None = None, feedback: bool = False) -> Reply | None:
    """The reply a button press asks for, or None for data it cannot answer (a vote, a
    myth no longer in the content, data from an older version)."""
    match decode(data):
        case ShowList():
            return myths_menu(content, lang)
        case ShowSources():
            return sources_reply(content, lang)
        case ShowMyth(intent) if intent in content.by_id:
            return myth_reply(content.by_id[intent], lang, bot_username=bot_username,
                              feedback=feedback)
        case Top5Step(step) if content.top5:
            return top5_reply(content, lang, step)
    return None
