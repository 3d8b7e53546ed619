"""The conversation rules: a situation in, an outcome out.

Pure and synchronous (no Telegram, no SQLite, no clock): the Telegram handlers and the
console chat describe a message as a `Situation`, `respond` says what to do with it as an
`Outcome`, and the caller sends the reply, then records what the outcome asks. Every rule
a user can observe lives here:

- private chats: every text gets an answer (the rebuttal, which-one buttons, or the
  help); past the flood limit, one notice then silence; anything but text gets a short
  "text only" notice;
- small talk: a short hello or thank-you that repeats no myth gets a word back, a question
  about the sources gets them (bot/smalltalk.py); in a group only when asked;
- groups: `off` answers only commands; `mention` answers commands, mentions and replies
  to the bot; `auto` also a message nobody addressed to the bot, but only when the
  matcher is sure (the stricter group rule); a myth is not answered again within the
  chat's cooldown unless someone asked, and past a few answers a minute the bot goes
  quiet (someone who asked hears "busy", once a minute);
- language: a /lang choice (the group's in a group, the user's in private) wins; else
  the message's own language; else (group) the user's private choice, then their
  Telegram language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from bot.matching import ChatKind, Matcher
from bot.models import ChatSettings, LangSetting
from bot.replies import Reply, reply_for, smalltalk_reply
from bot.smalltalk import recognise
from bot.texts import text

GROUP_ANSWERS_PER_MINUTE = 4
"""Above this, a busy group sees the bot go quiet rather than flood the chat."""

Flood = Literal["ok", "warn", "drop"]
"""A private user's standing: answer, send the one flood notice, or stay silent."""
Verdict = Literal["ok", "cooldown", "busy"]
OutcomeKind = Literal["answer", "ask", "help", "smalltalk", "notice", "silent"]


@dataclass(frozen=True, slots=True)
class Cooldown:
    """What a group's recent answers were, when the message came (``now``, in seconds)."""

    now: float = 0.0
    recent: tuple[float, ...] = ()
    """When the chat's answers of the last minute were sent."""
    last: Mapping[str, float] = field(default_factory=dict)
    """When each myth was last answered in the chat."""
    busy_noticed: float | None = None
    """When the chat last heard the "busy" notice."""
    per_minute: int = GROUP_ANSWERS_PER_MINUTE


@dataclass(frozen=True, slots=True)
class Situation:
    """Everything the rules need to know about one message."""

    text: str | None
    """The question (a mention of the bot removed); None for a sticker, photo, voice…"""
    matcher: Matcher
    """The content version that answers this whole message."""
    chat: ChatKind = "private"
    addressed: bool = True
    """Mentions or replies to the bot (always true in private)."""
    command: bool = False
    """Asked with a command (/ask): answered even in a group left `off`."""
    settings: ChatSettings = field(default_factory=lambda: ChatSettings(0))
    user_choice: LangSetting = "auto"
    """The language the user chose with /lang in private."""
    telegram_lang: str = "fr"
    """The user's Telegram language, reduced to one we speak."""
    flood: Flood = "ok"
    cooldown: Cooldown = field(default_factory=Cooldown)
    bot_username: str | None = None
    """For share buttons; None shows none (the console)."""
    votes: bool = True
    """Whether private answers carry the "helpful?" buttons (not in the console)."""
    keep_misses: bool = False


@dataclass(frozen=True, slots=True)
class Count:
    """One answer to add to the statistics, once it is sent."""

    intent: str
    lang: str
    chat_kind: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to do with a message: send `reply` (or nothing), then record what is asked."""

    kind: OutcomeKind
    reply: Reply | None = None
    why: str = ""
    """Why the bot stays silent or only sends a notice."""
    lang: str = "fr"
    quote: bool = False
    """Reply to the message itself (groups, so the thread is clear)."""
    reserve: bool = False
    """Hold the group's cooldown before sending, release it if the send fails."""
    count: Count | None = None
    miss: tuple[str, str] | None = None
    """(question, language) of a private question nobody could answer."""


def parse_count(raw: str) -> int | None:
    """A whole number written with ASCII digits, else None: "²" and "٣" pass
    `str.isdigit` yet `int` refuses the first, and nobody means the second."""
    return int(raw) if raw.isascii() and raw.isdecimal() else None


def forced_lang(situation: Situation) -> str | None:
    """The language someone chose with /lang (the group's, or the user's in private)."""
    chosen = situation.settings.lang if situation.chat == "group" else situation.user_choice
    return None if chosen == "auto" else chosen


def fallback_lang(situation: Situation) -> str:
    """The language to use when a message says nothing about it."""
    forced = forced_lang(situation)
    if forced is not None:
        return forced
    if situation.chat == "group" and situation.user_choice != "auto":
        return situation.user_choice
    return situation.telegram_lang


def cooldown_verdict(cooldown: Cooldown, intent: str, minutes: int, *,
                     solicited: bool) -> Verdict:
    """'ok' to answer now, 'busy' past the per-minute cap, 'cooldown' for a myth answered
    lately. Someone who asked the bot skips the myth cooldown (they want the answer) but
    not the per-minute cap (a group must never be flooded)."""
    now = cooldown.now
    if sum(1 for sent in cooldown.recent if now - sent < 60) >= cooldown.per_minute:
        return "busy"
    last = cooldown.last.get(intent)
    if solicited or last is None or now - last >= minutes * 60:
        return "ok"
    return "cooldown"


def busy_notice_due(cooldown: Cooldown) -> bool:
    """The "busy" notice is sent once a minute per chat, so that it cannot flood either."""
    return cooldown.busy_noticed is None or cooldown.now - cooldown.busy_noticed >= 60


def respond(situation: Situation) -> Outcome:
    """What to do with one message."""
    lang = fallback_lang(situation)
    quote = situation.chat == "group"
    if situation.chat == "private" and situation.flood != "ok":
        if situation.flood == "warn" and situation.text is not None:
            return Outcome("notice", Reply(text("flood", lang)), why="flood", lang=lang)
        return Outcome("silent", why="flood", lang=lang)
    if situation.text is None:
        return Outcome("notice", Reply(text("text_only", lang)), why="not text", lang=lang,
                       quote=quote)
    if situation.command and not situation.text.strip():
        return Outcome("notice", Reply(text("ask_usage", lang)), why="no question", lang=lang,
                       quote=quote)
    mode = situation.settings.mode
    if situation.chat == "group" and not situation.command:
        if mode == "off":
            return Outcome("silent", why="mode off", lang=lang)
        if not situation.addressed and mode != "auto":
            return Outcome("silent", why="not addressed", lang=lang)
    solicited = situation.chat == "private" or situation.addressed or situation.command
    matcher = situation.matcher
    # Someone who asks the bot (privately, by mention, reply or /ask) gets the private rule;
    # the group rule, stricter and gated by topic words, is for messages nobody addressed to it.
    decision = matcher.decide(situation.text, "private" if solicited else "group",
                              default_lang=lang)
    answer_lang = forced_lang(situation) or decision.lang
    if not solicited and decision.kind != "answer":
        return Outcome("silent", why=f"not sure: {decision.reason}", lang=answer_lang)
    talk = recognise(situation.text, matcher.content.smalltalk) if solicited else None
    # Only what no myth claims, unless the message holds nothing but small talk ("qui a écrit
    # l'article ?" may look like the fifth point): a cliché with a "merci" gets its rebuttal.
    if talk is not None and (decision.kind != "answer" or talk.only):
        talk_lang = forced_lang(situation) or talk.lang or decision.lang
        return deliver(smalltalk_reply(talk.kind, matcher.content, talk_lang), situation,
                       talk_lang, kind="smalltalk")
    private = situation.chat == "private"
    reply = reply_for(decision, matcher.content, answer_lang, situation.text,
                      bot_username=situation.bot_username, feedback=private and situation.votes)
    kind: OutcomeKind = "answer" if decision.kind == "answer" and reply.intent else (
        "ask" if decision.kind == "clarify" else "help")
    outcome = deliver(reply, situation, answer_lang, kind=kind, solicited=solicited)
    if private and decision.kind == "none" and situation.keep_misses:
        return replace(outcome, miss=(situation.text, decision.lang))
    return outcome


def deliver(reply: Reply, situation: Situation, lang: str, *, kind: OutcomeKind = "answer",
            solicited: bool = True, quote: bool = True) -> Outcome:
    """Send a reply already chosen (an answer, a button's): in private at once; in a group if
    the cooldown and the per-minute cap allow it, quoted (unless ``quote`` is false) and
    reserved in the cooldown; else silence, or the "busy" notice for someone who asked.
    An answer to a myth is counted."""
    if situation.chat == "private":
        count = Count(reply.intent, lang, "private") if reply.intent else None
        return Outcome(kind, reply, lang=lang, count=count)
    verdict = cooldown_verdict(situation.cooldown, reply.intent or "",
                               situation.settings.cooldown_minutes, solicited=solicited)
    if verdict == "busy" and solicited and busy_notice_due(situation.cooldown):
        notice_lang = fallback_lang(situation)
        return Outcome("notice", Reply(text("busy", notice_lang)), why="busy",
                       lang=notice_lang, quote=True)
    if verdict != "ok":
        return Outcome("silent", why=verdict, lang=lang)
    count = Count(reply.intent, lang, "group") if reply.intent else None
    return Outcome(kind, reply, lang=lang, quote=quote, reserve=True, count=count)
