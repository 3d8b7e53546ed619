"""The conversation rules (group policy, language, cooldown, flood) as plain unit tests, on
a small content of their own (tests/conftest.py): an edit of the shipped YAML changes none."""

from __future__ import annotations

import ast
import subprocess
import sys
from typing import Any

import pytest

from bot.callbacks import Press, Vote, decode
from bot.conversation import Cooldown, Outcome, Situation, cooldown_verdict, deliver, respond
from bot.matching import Matcher
from bot.models import ChatSettings
from bot.replies import Reply
from bot.texts import text
from tests.conftest import ROOT

CHAT = -100
SALARY_FR = "combien gagne un smm ?"
CLICHE_FR = "franchement n'importe qui peut s'improviser smm"
CHATTER_FR = "je suis sur facebook ce soir, tu viens ?"


@pytest.fixture
def make_situation(small_matcher: Matcher) -> Any:
    """A `Situation` for `text`: a private message unless told otherwise. ``mode``, ``lang``
    and ``cooldown_minutes`` set the chat's settings."""

    def make(text: str | None, *, mode: str = "mention", lang: str = "auto",
             cooldown_minutes: int = 10, **kwargs: Any) -> Situation:
        settings = ChatSettings(CHAT, mode, lang, cooldown_minutes)  # type: ignore[arg-type]
        kwargs.setdefault("bot_username", "mythbot")
        return Situation(text, small_matcher, settings=settings, **kwargs)

    return make


def presses(reply: Reply) -> list[Press | None]:
    return [decode(b.data) for row in reply.buttons for b in row if b.data]


def _said(outcome: Outcome) -> str:
    assert outcome.reply is not None, outcome
    return outcome.reply.html


def test_a_private_question_gets_its_rebuttal_counted(make_situation: Any) -> None:
    outcome = respond(make_situation(SALARY_FR))
    assert outcome.kind == "answer"
    assert outcome.reply is not None and outcome.reply.intent == "salary"
    assert outcome.count is not None and outcome.count.chat_kind == "private"
    assert (outcome.quote, outcome.reserve, outcome.miss) == (False, False, None)


def test_a_private_answer_asks_for_a_vote_but_not_in_the_console(make_situation: Any) -> None:
    voted = respond(make_situation(SALARY_FR))
    silent = respond(make_situation(SALARY_FR, votes=False))
    assert voted.reply is not None and silent.reply is not None
    assert Vote("salary", True) in presses(voted.reply)
    assert not any(isinstance(p, Vote) for p in presses(silent.reply))


def test_an_unknown_private_question_gets_the_help_and_is_kept_as_a_miss(
        make_situation: Any) -> None:
    outcome = respond(make_situation("quelle heure est-il à tokyo", keep_misses=True))
    assert outcome.kind == "help"
    assert outcome.miss == ("quelle heure est-il à tokyo", "fr")
    assert outcome.count is None
    assert respond(make_situation("quelle heure est-il à tokyo")).miss is None


@pytest.mark.parametrize(("flood", "kind", "key"), [
    ("warn", "notice", "flood"), ("drop", "silent", None)], ids=["warned-once", "then-silent"])
def test_a_private_flood_gets_one_notice_then_silence(make_situation: Any, flood: str,
                                                      kind: str, key: str | None) -> None:
    outcome = respond(make_situation(SALARY_FR, flood=flood))
    assert outcome.kind == kind
    if key:
        assert _said(outcome) == text(key, "fr")


def test_a_sticker_gets_the_text_only_notice_unless_flooding(make_situation: Any) -> None:
    assert _said(respond(make_situation(None))) == text("text_only", "fr")
    assert respond(make_situation(None, flood="warn")).kind == "silent"


@pytest.mark.parametrize(("choice", "telegram", "expected"), [
    ("auto", "en", "fr"), ("en", "fr", "en")], ids=["message-language", "user-choice-wins"])
def test_private_language_is_the_users_choice_else_the_messages(
        make_situation: Any, choice: str, telegram: str, expected: str) -> None:
    outcome = respond(make_situation(SALARY_FR, user_choice=choice, telegram_lang=telegram))
    assert outcome.lang == expected


def test_the_help_follows_the_telegram_language_when_the_message_says_nothing(
        make_situation: Any) -> None:
    assert respond(make_situation("???", telegram_lang="en")).lang == "en"


def test_group_chatter_is_not_answered_in_mention_mode(make_situation: Any) -> None:
    outcome = respond(make_situation(SALARY_FR, chat="group", addressed=False))
    assert (outcome.kind, outcome.why) == ("silent", "not addressed")


def test_a_mention_is_answered_quoted_and_reserved(make_situation: Any) -> None:
    outcome = respond(make_situation(SALARY_FR, chat="group"))
    assert outcome.kind == "answer"
    assert outcome.quote and outcome.reserve
    assert outcome.count is not None and outcome.count.chat_kind == "group"
    assert outcome.reply is not None
    assert not any(isinstance(p, Vote) for p in presses(outcome.reply))


def test_off_mode_answers_only_commands(make_situation: Any) -> None:
    assert respond(make_situation(SALARY_FR, chat="group", mode="off")).why == "mode off"
    assert respond(make_situation(SALARY_FR, chat="group", mode="off",
                                  command=True)).kind == "answer"


def test_ask_without_a_question_gets_the_usage(make_situation: Any) -> None:
    outcome = respond(make_situation("  ", chat="group", command=True))
    assert _said(outcome) == text("ask_usage", "fr")
    assert outcome.quote


def test_auto_mode_answers_a_clear_cliche_and_ignores_chatter(make_situation: Any) -> None:
    cliche = respond(make_situation(CLICHE_FR, chat="group", mode="auto", addressed=False))
    chatter = respond(make_situation(CHATTER_FR, chat="group", mode="auto", addressed=False))
    assert cliche.reply is not None and cliche.reply.intent == "anyone_can_do_it"
    assert chatter.kind == "silent" and chatter.why.startswith("not sure")


def test_the_groups_language_wins_then_the_users_private_choice(make_situation: Any) -> None:
    fixed = respond(make_situation(SALARY_FR, chat="group", lang="en"))
    assert fixed.lang == "en"
    help_ = respond(make_situation("???", chat="group", user_choice="en", telegram_lang="fr"))
    assert help_.lang == "en"


def test_the_cooldown_keeps_a_myth_from_being_answered_twice_unless_asked(
        make_situation: Any) -> None:
    recent = Cooldown(now=120, recent=(60,), last={"anyone_can_do_it": 60})
    unasked = respond(make_situation(CLICHE_FR, chat="group", mode="auto", addressed=False,
                                     cooldown=recent))
    asked = respond(make_situation(CLICHE_FR, chat="group", cooldown=recent))
    assert (unasked.kind, unasked.why) == ("silent", "cooldown")
    assert asked.kind == "answer"
    later = Cooldown(now=60 + 600, last={"anyone_can_do_it": 60})
    assert respond(make_situation(CLICHE_FR, chat="group", mode="auto", addressed=False,
                                  cooldown=later)).kind == "answer"


def test_past_the_minute_cap_who_asked_hears_busy_once_a_minute(make_situation: Any) -> None:
    full = Cooldown(now=30, recent=(1, 2, 3, 4))
    first = respond(make_situation(SALARY_FR, chat="group", cooldown=full))
    assert (_said(first), first.why, first.reserve) == (text("busy", "fr"), "busy", False)
    noticed = Cooldown(now=30, recent=(1, 2, 3, 4), busy_noticed=10)
    assert respond(make_situation(SALARY_FR, chat="group", cooldown=noticed)).kind == "silent"


def test_the_minute_cap_forgets_answers_older_than_a_minute() -> None:
    assert cooldown_verdict(Cooldown(now=60.5, recent=(1, 2, 3, 4)), "salary", 10,
                            solicited=True) == "busy"
    assert cooldown_verdict(Cooldown(now=61, recent=(1, 2, 3, 4)), "salary", 10,
                            solicited=True) == "ok"


def test_a_button_pressed_in_a_group_is_sent_unquoted_within_the_cap(
        make_situation: Any) -> None:
    reply = Reply("<b>x</b>", intent="salary")
    sent = deliver(reply, make_situation(None, chat="group"), "fr", quote=False)
    assert (sent.quote, sent.reserve) == (False, True)
    busy = deliver(reply, make_situation(None, chat="group",
                                         cooldown=Cooldown(now=5, recent=(1, 2, 3, 4))), "fr")
    assert busy.why == "busy"


def test_the_core_imports_neither_telegram_nor_sqlite() -> None:
    core = "bot.conversation, bot.console, bot.policy, bot.models, bot.reports, bot.live"
    probe = (f"import sys; import {core}; "
             "print(sorted(m for m in ('telegram', 'sqlite3', 'bot.storage') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_only_storage_imports_sqlite() -> None:
    importers = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names]
        names += [node.module or "" for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom)]
        if "sqlite3" in names and "storage" not in path.relative_to(ROOT).parts:
            importers.append(str(path.relative_to(ROOT)))
    assert importers == []
