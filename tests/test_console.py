"""The console chat: the bot's language rules, and a terminal used properly."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.console import Session, chat_loop, history_path, render, respond, terminal_lang
from bot.content import Content
from bot.matching import Matcher
from bot.replies import Button, myths_menu
from tests.conftest import ROOT


def chat(matcher: Matcher, *lines: str, lang: str | None = None, width: int | None = None,
         start_lang: str = "fr") -> str:
    """What the chat prints for the lines, piped in."""
    out = io.StringIO()
    chat_loop(matcher, io.StringIO("".join(f"{line}\n" for line in lines)), out, lang=lang,
              width=width, start_lang=start_lang)
    return out.getvalue()


def replies(matcher: Matcher, *lines: str) -> list[str]:
    """The text of each reply to the lines, typed in turn in one conversation."""
    session = Session(lang="fr")
    shown = []
    for line in lines:
        text, actions = render(respond(matcher, line, session))
        if actions:
            session.actions = actions
        shown.append(text)
    return shown


# --- the same language rules as the Telegram bot ------------------------------------------


def test_buttons_answer_in_the_language_of_the_conversation(matcher: Matcher) -> None:
    answer, sources, menu = replies(matcher, "how much does an smm earn", "2", "1")
    assert answer.startswith("Cliché: How much does an SMM earn?")
    assert sources.startswith("My sources")
    assert menu.startswith("The clichés I bust")


@pytest.mark.parametrize(("command", "english"), [
    ("/sources", "My sources"),
    ("/top5", "Top 5 clichés about the SMM job (1/5)"),
    ("/myths", "The clichés I bust"),
    ("/help", "The clichés I bust"),
], ids=["sources", "top5", "myths", "help"])
def test_commands_answer_in_the_language_of_the_conversation(matcher: Matcher, command: str,
                                                             english: str) -> None:
    assert replies(matcher, "how much does an smm earn", command)[1].startswith(english)


def test_lang_fixes_the_answers_language_until_lang_auto(matcher: Matcher) -> None:
    saved, answer, auto, again = replies(
        matcher, "/lang en", "le smm passe ses journées sur facebook", "/lang auto",
        "le smm passe ses journées sur facebook")
    assert saved == "Saved."
    assert answer.startswith("Cliché: The SMM spends all day on Facebook")
    assert auto == "Saved."
    assert again.startswith("Cliché : Le SMM passe ses journées sur Facebook")


def test_lang_without_a_valid_choice_shows_its_usage(matcher: Matcher) -> None:
    assert replies(matcher, "/lang", "/lang de") == ["Usage : /lang auto|fr|en"] * 2


def test_help_lists_the_myths_without_claiming_nothing_was_recognised(
        matcher: Matcher) -> None:
    shown = replies(matcher, "/help")[0]
    assert shown.startswith("Les clichés que je démonte\n  [1] ")
    assert "reconnu" not in shown


def test_a_question_it_does_not_recognise_says_so(matcher: Matcher) -> None:
    shown = replies(matcher, "what's the weather like tomorrow")[0]
    assert shown.startswith("I didn't recognise a cliché in that.")


def test_commands_for_groups_and_unknown_commands_get_the_bot_s_answers(
        matcher: Matcher) -> None:
    settings, unknown, ask = replies(matcher, "/settings", "/frobnicate", "/ask")
    assert settings == "Cette commande sert dans les groupes."
    assert unknown.startswith("Je ne connais pas la commande /frobnicate.")
    assert ask.startswith("Usage : /ask ta question")


def test_ask_answers_its_question(matcher: Matcher) -> None:
    assert replies(matcher, "/ask combien gagne un smm")[0].startswith(
        "Cliché : Combien gagne un SMM ?")


def test_chat_lang_fixes_the_language_from_the_start(matcher: Matcher) -> None:
    shown = chat(matcher, "le smm passe ses journées sur facebook", lang="en")
    assert shown.startswith("Cliché: The SMM spends all day on Facebook")


@pytest.mark.parametrize(("environ", "lang"), [
    ({"LANG": "fr_FR.UTF-8"}, "fr"),
    ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
    ({"LC_ALL": "fr_CA.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
    ({"LANG": "C.UTF-8"}, "fr"),
    ({}, "fr"),
], ids=["french", "english", "other", "lc-all-first", "c-locale", "none"])
def test_the_terminal_s_locale_is_the_first_language(environ: dict[str, str],
                                                      lang: str) -> None:
    assert terminal_lang(environ) == lang


# --- source lines --------------------------------------------------------------------------


def test_source_lines_follow_the_reply_s_language(matcher: Matcher) -> None:
    english, french = replies(matcher, "does the smm also do customer service?",
                              "le smm fait aussi le service client")
    assert "blog post, 2015 (section on customer service)" in english
    assert "passage sur" not in english
    assert "billet de blog, 2015 (passage sur le service client)" in french
    assert "blog post" not in french.lower()


# --- the terminal --------------------------------------------------------------------------


def test_the_myth_list_is_printed_once_with_its_numbers(matcher: Matcher,
                                                        content: Content) -> None:
    shown = replies(matcher, "/myths")[0]
    for number, myth in enumerate(content.myths, 1):
        assert shown.count(myth.title["fr"]) == 1
        assert f"  [{number}] {myth.title['fr']}" in shown
    assert "•" not in shown


def test_a_listed_title_longer_than_its_button_is_shown_whole(content: Content) -> None:
    long_title = "x" * 61
    reply = myths_menu(content, "en")
    html = reply.html.replace(content.myths[0].title["en"], long_title)
    buttons = ((Button(long_title[:60], "m:diplomacy"),), *reply.buttons[1:])
    shown, actions = render(replace(reply, html=html, buttons=buttons))
    assert f"  [1] {long_title}\n" in shown
    assert actions[0] == "m:diplomacy" and len(actions) == len(content.myths)


def test_a_stale_step_number_after_the_top5_ends_does_nothing(matcher: Matcher) -> None:
    shown = replies(matcher, "/top5", "1", "1", "1", "1", "1")
    assert "(5/5)" in shown[4]
    assert shown[5] == "Pas de bouton [1] ici : écris une question, ou /help."


def test_a_number_without_a_button_presses_nothing(matcher: Matcher) -> None:
    assert replies(matcher, "combien gagne un smm", "3")[1] == (
        "Pas de bouton [3] ici : écris une question, ou /help.")


def test_buttons_of_an_earlier_answer_still_work_after_a_reply_without_any(
        matcher: Matcher) -> None:
    shown = replies(matcher, "how much does an smm earn", "/lang fr", "2")
    assert shown[2].startswith("Mes sources")


def test_paragraphs_are_wrapped_to_the_width_between_words(matcher: Matcher) -> None:
    question = "le smm passe ses journées sur facebook"
    wide = chat(matcher, question)
    narrow = chat(matcher, question, width=40)
    assert max(len(line) for line in narrow.splitlines()) <= 40
    assert narrow.split() == wide.split()  # the same words, none cut in two
    assert "\n\n" in narrow  # paragraphs stay apart


def test_french_punctuation_never_starts_a_wrapped_line(matcher: Matcher) -> None:
    for width in range(30, 70):
        for line in chat(matcher, "/sources", width=width).splitlines():
            assert not line.lstrip().startswith(("!", "?", ":", ";", "»")), (width, line)


def test_piped_output_is_not_wrapped(matcher: Matcher) -> None:
    shown = chat(matcher, "le smm passe ses journées sur facebook")
    assert max(len(line) for line in shown.splitlines()) > 200


def test_history_lives_in_the_xdg_state_folder(tmp_path: Path) -> None:
    assert history_path({"XDG_STATE_HOME": str(tmp_path)}) == (
        tmp_path / "mythbot" / "chat_history")


# --- in a real terminal ---------------------------------------------------------------------


class Terminal:
    """`mythbot chat` on a pseudo-terminal of a given width, typed into like a person would."""

    def __init__(self, tmp_path: Path, columns: int = 60) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        env = dict(os.environ, TERM="xterm", LANG="C.UTF-8", XDG_STATE_HOME=str(tmp_path))
        self.process = subprocess.Popen([sys.executable, "-m", "bot.cli", "chat"], cwd=ROOT,
                                        stdin=slave, stdout=slave, stderr=slave, env=env)
        os.close(slave)
        self.output = b""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 4096)
        except OSError:  # the child closed the terminal
            return False
        self.output += chunk
        return bool(chunk)

    def prompts(self, count: int, timeout: float = 60) -> None:
        """Wait until the chat has shown its prompt `count` times in all."""
        deadline = time.monotonic() + timeout
        while self.output.count(b"\n> ") < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._read(remaining):
                raise AssertionError(f"no prompt {count}: {self.text()[-500:]!r}")

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> str:
        self.process.wait(timeout=30)
        while self._read(0.2):
            pass
        os.close(self.master)
        return self.text()

    def text(self) -> str:
        plain = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]", b"", self.output)
        return plain.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture
def terminal(tmp_path: Path) -> Terminal:
    return Terminal(tmp_path)


def test_a_typed_line_can_be_edited_and_recalled(terminal: Terminal, tmp_path: Path) -> None:
    terminal.prompts(1)
    terminal.type(b"oops\x01\x0b/sources\r")  # Ctrl-A, Ctrl-K: readline's editing
    terminal.prompts(2)
    terminal.type(b"how much does an smm earn\r")
    terminal.prompts(3)
    terminal.type(b"\x1b[A\r")  # up arrow: the line before
    terminal.prompts(4)
    terminal.type(b"\x04")
    out = terminal.close()
    assert "Mes sources" in out
    assert out.count("Cliché: How much does an SMM earn?") == 2
    history = (tmp_path / "mythbot" / "chat_history").read_text()
    assert "/sources" in history and "how much does an smm earn" in history


def test_the_chat_fits_the_terminal_and_leaves_a_clean_line(terminal: Terminal) -> None:
    terminal.prompts(1)
    terminal.type(b"le smm passe ses journees sur facebook\r")
    terminal.prompts(2)
    terminal.type(b"\x04")  # Ctrl-D
    out = terminal.close()
    assert terminal.process.returncode == 0
    assert out.count("Salut !") == 1
    assert max(len(line) for line in out.splitlines()) <= 60
    assert out.endswith("> \n")  # the shell's prompt will start on a line of its own


@pytest.mark.parametrize("line", ["²", "٣", "1²"])
def test_digits_that_are_not_ascii_are_a_question_not_a_crash(matcher: Matcher,
                                                              line: str) -> None:
    session = Session()
    reply = respond(matcher, line, session)
    assert reply.html
