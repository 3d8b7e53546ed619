"""Manners: a hello or a thank-you gets a word back, a question about the sources gets them,
an unknown command is named and the closest one suggested; a cliché with a "merci" still
gets its rebuttal. On the shipped small-talk phrases (intents/_smalltalk.yaml) and a small
content of this module's own, in the conversation rules and the console chat."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.console import chat_loop
from bot.content import load_content
from bot.conversation import Situation, respond
from bot.matching import Matcher
from bot.models import ChatSettings
from bot.replies import sources_reply
from bot.smalltalk import recognise
from bot.texts import text
from tests.conftest import ROOT, write_small_content


@pytest.fixture(scope="module")
def matcher(small_matcher: Matcher, tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    """The rule tests' small content, with the shipped small-talk phrases (which training
    does not read: the small content's model serves)."""
    loaded = load_content(write_content(tmp_path_factory.mktemp("manners"))).content
    assert loaded is not None
    return Matcher(replace(small_matcher.content, smalltalk=loaded.smalltalk),
                   model=small_matcher.model)


def write_content(root: Path) -> Path:
    """The rule tests' small content (tests/conftest.py) with the shipped small-talk phrases."""
    write_small_content(root)
    shutil.copy(ROOT / "intents" / "_smalltalk.yaml", root / "intents")
    return root


def situation(matcher: Matcher, message: str, **kwargs: Any) -> Situation:
    settings = ChatSettings(-100, kwargs.pop("mode", "mention"))
    return Situation(message, matcher, settings=settings, **kwargs)


def said(matcher: Matcher, message: str, **kwargs: Any) -> tuple[str, str, str]:
    """(outcome kind, language, reply HTML) for a message."""
    outcome = respond(situation(matcher, message, **kwargs))
    assert outcome.reply is not None, outcome
    return outcome.kind, outcome.lang, outcome.reply.html


# --- the conversation rules ---------------------------------------------------------------


@pytest.mark.parametrize(("message", "lang", "kind"), [
    ("merci", "fr", "thanks"), ("Merciii !", "fr", "thanks"), ("thanks, bye", "en", "thanks"),
    ("thx", "en", "thanks"), ("ok merci beaucoup", "fr", "thanks"),
    ("salut", "fr", "greetings"), ("coucou", "fr", "greetings"),
    ("hello there", "en", "greetings"), ("Hi!", "en", "greetings"),
])
def test_a_hello_or_a_thank_you_gets_a_word_back_in_its_language(
        matcher: Matcher, message: str, lang: str, kind: str) -> None:
    outcome = respond(situation(matcher, message, keep_misses=True, telegram_lang="fr"))
    assert (outcome.kind, outcome.lang) == ("smalltalk", lang)
    assert outcome.reply is not None and outcome.reply.html == text(f"smalltalk_{kind}", lang)
    assert outcome.miss is None  # not a question the editors should have answered


@pytest.mark.parametrize(("message", "lang"), [
    ("who wrote the article?", "en"), ("what are your sources?", "en"),
    ("c'est quoi tes sources", "fr"), ("qui a écrit l'article", "fr"),
    ("merci, c'est quoi tes sources ?", "fr"),
])
def test_a_question_about_the_sources_or_the_author_gets_the_sources(
        matcher: Matcher, message: str, lang: str) -> None:
    kind, answered_in, html = said(matcher, message)
    assert (kind, answered_in) == ("smalltalk", lang)
    assert html == sources_reply(matcher.content, lang).html


def test_a_cliche_with_a_thank_you_still_gets_its_rebuttal(matcher: Matcher) -> None:
    kind, _, html = said(matcher, "le smm passe ses journées sur facebook, merci")
    assert kind == "answer" and "<b>Faux</b> pour always_on_facebook" in html


def test_a_long_message_is_not_small_talk_for_one_polite_word(matcher: Matcher) -> None:
    message = "merci mais dis-moi quelle heure il est à tokyo en ce moment précis stp"
    assert recognise(message, matcher.content.smalltalk) is None
    assert said(matcher, message)[0] == "help"


def test_small_talk_follows_the_language_the_user_chose(matcher: Matcher) -> None:
    assert said(matcher, "merci", user_choice="en")[1:] == ("en", text("smalltalk_thanks", "en"))


def test_small_talk_is_answered_in_a_group_only_when_the_bot_is_addressed(
        matcher: Matcher) -> None:
    unasked = respond(situation(matcher, "merci", chat="group", mode="auto", addressed=False))
    asked = respond(situation(matcher, "merci", chat="group", addressed=True))
    assert unasked.kind == "silent" and unasked.reply is None
    assert asked.kind == "smalltalk" and asked.quote


def test_without_small_talk_phrases_a_thank_you_gets_the_help(matcher: Matcher) -> None:
    bare = Matcher(replace(matcher.content, smalltalk={}), model=matcher.model)
    assert said(bare, "merci")[0] == "help"


def test_a_misspelt_small_talk_key_is_an_error_at_its_line(tmp_path: Path) -> None:
    write_content(tmp_path / "content")
    path = tmp_path / "content" / "intents" / "_smalltalk.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = lines.index("thanks:") + 1
    path.write_text(path.read_text(encoding="utf-8").replace("\nthanks:", "\nthank:"),
                    encoding="utf-8")
    [problem] = load_content(tmp_path / "content").errors
    assert (problem.path, problem.line) == ("intents/_smalltalk.yaml", number)
    assert "unknown key 'thank'" in problem.message and "'thanks'" in problem.hint


# --- the console chat ---------------------------------------------------------------------


def chat(matcher: Matcher, *lines: str, width: int | None = 80) -> list[str]:
    """Each reply the console chat prints to the lines, wrapped as in an 80-column terminal."""
    out = io.StringIO()
    chat_loop(matcher, io.StringIO("".join(f"{line}\n" for line in lines)), out, width=width,
              start_lang="fr")
    return out.getvalue().rstrip("\n").split("\n\n")


@pytest.mark.parametrize("message", ["merci", "salut", "thanks, bye", "hello there", "thx"])
def test_the_console_answers_a_thank_you_or_a_hello_in_three_lines_at_most(
        matcher: Matcher, message: str) -> None:
    (reply,) = chat(matcher, message)
    assert 1 <= len(reply.splitlines()) <= 3, reply
    assert "cliché" in reply and "Titre" not in reply and "Title" not in reply


def test_the_console_shows_the_sources_to_a_question_about_them(matcher: Matcher) -> None:
    reply = "\n\n".join(chat(matcher, "what are your sources"))  # one blank line inside
    assert reply.splitlines()[0] == "My sources"
    assert "• Source — Blog, 2018-05-24" in reply


@pytest.mark.parametrize(("typed", "suggested"), [
    ("/mith", "/myths"), ("/sourcs", "/sources"), ("/TOP", "/top5")])
def test_an_unknown_command_is_named_and_the_closest_one_suggested(
        matcher: Matcher, typed: str, suggested: str) -> None:
    (reply,) = chat(matcher, typed, width=None)
    first = reply.splitlines()[0]
    assert first == (f"Je ne connais pas la commande {typed.lower()}. "
                     f"Tu voulais dire {suggested} ?")


def test_an_unknown_command_like_no_other_is_only_named(matcher: Matcher) -> None:
    (reply,) = chat(matcher, "/xyzzy", width=None)
    assert reply.splitlines()[0] == "Je ne connais pas la commande /xyzzy."
    assert "/myths" in reply.splitlines()[1]
