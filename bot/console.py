"""The console chat: the same engine and replies as the bot, in a terminal.

Buttons are shown numbered; typing the number presses the button.
"""

from __future__ import annotations

from typing import TextIO

from bot.html import visible_text
from bot.matching import Matcher
from bot.replies import (
    Reply,
    callback_reply,
    help_reply,
    myths_menu,
    reply_for,
    sources_reply,
    top5_reply,
)
from bot.texts import text

QUIT = {"/quit", "/exit", "quit", "exit"}


def render(reply: Reply) -> tuple[str, list[str]]:
    """Plain text of a reply, and the callback data of its numbered buttons."""
    lines = [visible_text(reply.html)]
    actions: list[str] = []
    for row in reply.buttons:
        for button in row:
            if button.data:
                actions.append(button.data)
                lines.append(f"  [{len(actions)}] {button.label}")
    return "\n".join(lines), actions


def answer_line(matcher: Matcher, line: str, lang: str | None, actions: list[str]) -> Reply:
    content = matcher.content
    reply_lang = lang or "fr"
    if line.isdigit() and 0 < int(line) <= len(actions):
        pressed = callback_reply(actions[int(line) - 1], content, reply_lang)
        if pressed is not None:
            return pressed
    command = line.split()[0].lower() if line.startswith("/") else ""
    if command in {"/myths", "/mythes"}:
        return myths_menu(content, reply_lang)
    if command == "/sources":
        return sources_reply(content, reply_lang)
    if command == "/top5":
        return top5_reply(content, reply_lang, 1)
    if command in {"/help", "/start"}:
        return help_reply(content, reply_lang)
    decision = matcher.decide(line, "private", default_lang=reply_lang)
    return reply_for(decision, content, lang or decision.lang, line)


def chat_loop(matcher: Matcher, inp: TextIO, out: TextIO, *, lang: str | None = None,
              interactive: bool = False) -> None:
    """Answer each line until end of input (or /quit when typed by hand)."""
    if interactive:
        print(visible_text(text("welcome", lang or "fr")), file=out)
        print("(/myths, /top5, /sources, /quit)", file=out)
    actions: list[str] = []
    while True:
        if interactive:
            print("> ", end="", file=out, flush=True)
        line = inp.readline()
        if not line:
            break
        line = line.strip()
        if not line:
            continue
        if line.lower() in QUIT:
            break
        shown, new_actions = render(answer_line(matcher, line, lang, actions))
        actions = new_actions or actions
        print(shown + "\n", file=out, flush=True)
