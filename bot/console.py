"""The console chat: the same conversation rules (`bot.conversation`) as the bot, in a terminal.

Buttons are shown numbered; typing the number presses the button. The conversation keeps a
language as a Telegram private chat does: `/lang fr|en` (or `chat --lang`) fixes it, otherwise
each question is answered in its own language and buttons and commands follow the last answer.
"""

from __future__ import annotations

import contextlib
import os
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot import conversation
from bot.callbacks import Top5Step, decode
from bot.conversation import Situation
from bot.html import visible_text
from bot.matching import Matcher
from bot.models import lang_setting_of
from bot.paths import history_file
from bot.replies import (
    Button,
    Reply,
    callback_reply,
    myths_menu,
    sources_reply,
    top5_reply,
    unknown_command_reply,
)
from bot.spec import LANGS
from bot.texts import text

QUIT = {"/quit", "/exit", "quit", "exit"}
PROMPT = "> "
HISTORY_LINES = 1000
GROUP_COMMANDS = {"/mode", "/cooldown", "/settings", "/weekly"}
COMMANDS = ("/myths", "/help", "/top5", "/sources", "/lang", "/ask", "/start", "/quit")
"""What an unknown command is compared with, to suggest the closest."""
_FRENCH_SPACES = re.compile(r" (?=[!?:;»])|(?<=«) ")


@dataclass
class Session:
    """What a conversation remembers between lines."""

    lang: str = "fr"
    """The conversation's language: the last reply's, the one buttons and commands use."""
    forced: str | None = None
    """The language chosen with `/lang fr|en` or `chat --lang`; None lets each question decide."""
    actions: list[str] = field(default_factory=list)
    """The callback data of the numbered buttons last shown."""


def terminal_lang(environ: Mapping[str, str] = os.environ) -> str:
    """The terminal's language, as the bot takes a Telegram user's: French for a French
    locale or none at all (C, POSIX), English for any other."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        code = environ.get(name, "")
        if code:
            break
    if not code or code in {"C", "POSIX"} or code.startswith("C."):
        return LANGS[0]
    return "fr" if code.lower().startswith("fr") else "en"


def respond(matcher: Matcher, line: str, session: Session) -> Reply:
    """The reply to one line typed in the chat: a button number, a command or a question."""
    content = matcher.content
    lang = session.forced or session.lang
    if line.isascii() and line.isdecimal():  # "²" passes isdigit, and int refuses it
        return _press(matcher, int(line), session)
    if not line.startswith("/"):
        return _answer(matcher, line, session)
    command, _, rest = line.partition(" ")
    command = command.lower()
    if command == "/start":
        return myths_menu(content, lang, text("welcome", lang))
    if command in {"/help", "/myths", "/mythes"}:
        return myths_menu(content, lang)
    if command == "/sources":
        return sources_reply(content, lang)
    if command == "/top5":
        return top5_reply(content, lang, 1)
    if command == "/lang":
        return _choose_lang(rest.strip().lower(), session)
    if command == "/ask":
        return _answer(matcher, rest, session) if rest.strip() else Reply(
            text("ask_usage", lang))
    if command in GROUP_COMMANDS:
        return Reply(text("groups_only", lang))
    return unknown_command_reply(command, COMMANDS, lang)


def _answer(matcher: Matcher, question: str, session: Session) -> Reply:
    """A question, answered by the same rules as a Telegram private chat (the console has no
    votes, no share links and no flood)."""
    choice = lang_setting_of(session.forced or "auto") or "auto"
    outcome = conversation.respond(Situation(question, matcher, user_choice=choice,
                                             telegram_lang=session.lang, votes=False))
    session.lang = outcome.lang
    assert outcome.reply is not None  # a private question always gets a reply
    return outcome.reply


def _press(matcher: Matcher, number: int, session: Session) -> Reply:
    lang = session.forced or session.lang
    if not 0 < number <= len(session.actions):
        return Reply(text("no_button", lang, n=number))
    data = session.actions[number - 1]
    pressed = callback_reply(data, matcher.content, lang)
    if pressed is None:
        return Reply(text("no_button", lang, n=number))
    if isinstance(decode(data), Top5Step):
        # The bot edits the top-5 message in place: its old buttons are gone, even when the
        # last step has none.
        session.actions = []
    return pressed


def _choose_lang(choice: str, session: Session) -> Reply:
    if choice not in {"auto", *LANGS}:
        return Reply(text("lang_usage", session.forced or session.lang))
    session.forced = None if choice == "auto" else choice
    session.lang = session.forced or session.lang
    return Reply(text("saved", session.lang))


def render(reply: Reply, width: int | None = None) -> tuple[str, list[str]]:
    """Plain text of a reply, and the callback data of its numbered buttons.

    A listed item that is also a button (the myths menu) is shown once, numbered in place.
    With a width, each paragraph is wrapped to it between words.
    """
    buttons = [button for row in reply.buttons for button in row if button.data]
    placed: set[int] = set()
    lines: list[str] = []
    for line in visible_text(reply.html).split("\n"):
        index = _listed_button(line, buttons, placed)
        if index is None:
            lines.append(line)
        else:
            placed.add(index)
            lines.append(f"  [{index + 1}] {line[2:]}")
    lines += [f"  [{i + 1}] {b.label}" for i, b in enumerate(buttons) if i not in placed]
    shown = "\n".join(_wrap(line, width) for line in lines) if width else "\n".join(lines)
    return shown, [button.data or "" for button in buttons]


def _listed_button(line: str, buttons: list[Button], placed: set[int]) -> int | None:
    if not line.startswith("• "):
        return None
    for index, button in enumerate(buttons):
        label = button.label
        if index not in placed and label and line[2:].startswith(label):
            return index
    return None


def _wrap(line: str, width: int) -> str:
    """One paragraph wrapped between words, continuation lines under its text."""
    if len(line) <= width:
        return line
    body = line.lstrip()
    indent = " " * (len(line) - len(body))
    hanging = indent
    if body.startswith("["):  # a numbered button: "  [12] label"
        hanging += " " * (body.find("]") + 2)
    elif body.startswith("• "):
        hanging += "  "
    # French puts a space before ! ? : ; » and after «: never break a line there.
    glued = _FRENCH_SPACES.sub("\N{NO-BREAK SPACE}", body)
    wrapped = textwrap.fill(glued, width, initial_indent=indent, subsequent_indent=hanging,
                            break_long_words=False, break_on_hyphens=False)
    return wrapped.replace("\N{NO-BREAK SPACE}", " ")


def chat_loop(matcher: Matcher, inp: TextIO, out: TextIO, *, lang: str | None = None,
              interactive: bool = False, width: int | None = None,
              start_lang: str | None = None) -> None:
    """Answer each line until end of input (or /quit).

    `lang` fixes the answers' language as `/lang` does; `start_lang` is the conversation's
    language until a question says otherwise. Interactive, lines are read with readline
    (editing, history) and the chat opens with a welcome.
    """
    session = Session(lang=lang or start_lang or terminal_lang(), forced=lang)
    read = _terminal_reader() if interactive else _stream_reader(inp)
    if interactive:
        welcome = f"{text('welcome', session.lang)}\n{text('help_commands', session.lang)} · /quit"
        print(render(Reply(welcome), width)[0], file=out, flush=True)
    while True:
        try:
            line = read()
        except (EOFError, KeyboardInterrupt):
            if interactive:
                print(file=out, flush=True)  # the shell's prompt starts on a clean line
            break
        line = line.strip()
        if not line:
            continue
        if line.lower() in QUIT:
            break
        reply = respond(matcher, line, session)
        shown, actions = render(reply, width)
        if actions:
            session.actions = actions
        print(shown + "\n", file=out, flush=True)


def _stream_reader(inp: TextIO) -> Callable[[], str]:
    def read() -> str:
        line = inp.readline()
        if not line:
            raise EOFError
        return line

    return read


def _terminal_reader() -> Callable[[], str]:
    """`input()` with readline's line editing, and a history kept between sessions."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Python built without readline (Windows)
        return lambda: input(PROMPT)
    history = history_path()
    with contextlib.suppress(OSError):  # no history yet, or unreadable: start afresh
        readline.read_history_file(history)
    readline.set_history_length(HISTORY_LINES)

    def read() -> str:
        line = input(PROMPT)
        try:
            history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(history)
        except OSError:
            pass  # a read-only home loses the history, not the chat
        return line

    return read


def history_path(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the chat keeps its line history (bot/paths.py decides)."""
    return history_file(environ)
