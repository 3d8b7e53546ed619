"""Matching: the right myth in the right language, and silence for chatter."""

from __future__ import annotations

import pytest

from bot.content import load_content
from bot.matching import Candidate, Matcher, Thresholds, _decide
from bot.normalise import fold, normalise
from tests.conftest import MakeContent


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Le SMM passe ses JOURNÉES sur Facebook !!!", "le smm passe ses journees sur facebook"),
        ("c'est l'œuvre d'un CM", "c est l oeuvre d un cm"),
        ("  spaces\tand\nlines  ", "spaces and lines"),
    ],
    ids=["case-accents-punctuation", "ligature-apostrophes", "whitespace"],
)
def test_fold_removes_case_accents_and_punctuation(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_job_titles_and_abbreviations_fold_to_one_token() -> None:
    for text in ("smm", "social media manager", "Social Média Managers",
                 "gestionnaire de réseaux sociaux"):
        assert normalise(text).content == ("smm",), text
    assert normalise("t'es tjrs sur fb").content == ("toujours", "facebook")
    assert normalise("u r always on fb").content == ("always", "facebook")


def test_repeated_letters_fold_so_shouting_still_matches() -> None:
    assert normalise("faceboooook").content == normalise("facebook").content
    assert normalise("diplomatte").content == normalise("diplomate").content


@pytest.mark.parametrize(
    ("text", "intent", "lang"),
    [
        ("le social media manager passe ses journées sur facebook", "always_on_facebook", "fr"),
        ("tu passes tes journées sur fb non ?", "always_on_facebook", "fr"),
        ("social media managers spend all day on facebook", "always_on_facebook", "en"),
        ("combien gagne un community manager", "salary", "fr"),
        ("how much does a social media manager earn", "salary", "en"),
        ("il faut quel diplome pour devenir smm", "training", "fr"),
        ("n'importe qui peut faire ce boulot", "anyone_can_do_it", "fr"),
        ("et le cinquième cliché alors ?", "fifth_point", "fr"),
        ("where is the fifth point", "fifth_point", "en"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_a_cliche_is_answered_with_its_myth_in_its_language(
    matcher: Matcher, text: str, intent: str, lang: str
) -> None:
    decision = matcher.decide(text, "group")
    assert (decision.kind, decision.intent, decision.lang) == ("answer", intent, lang)
    assert decision.example and decision.score >= matcher.thresholds.group


@pytest.mark.parametrize("text", ["le smm passe sa journéé sur facebok", "combien gagne un smmm",
                                  "how mutch does a social media manager earn"])
def test_typos_still_find_the_myth(matcher: Matcher, text: str) -> None:
    assert matcher.decide(text, "private").kind == "answer"


@pytest.mark.parametrize(
    "text",
    ["je suis sur facebook ce soir", "anyone can come tonight?", "le diplomate russe est arrivé",
     "top 5 des films", "facebook", "on mange où ce midi ?", "mon salaire tombe demain",
     "my printer is broken again", ""],
)
def test_group_chatter_is_not_answered(matcher: Matcher, text: str) -> None:
    assert matcher.decide(text, "group").kind != "answer"


def test_groups_are_stricter_than_private_chats(matcher: Matcher) -> None:
    limits = matcher.thresholds
    assert limits.group > limits.private
    text = "ton taf c'est liker des posts de 9h a 18h mdr"
    private, group = matcher.decide(text, "private"), matcher.decide(text, "group")
    assert private.score == group.score
    assert (private.kind == "answer") >= (group.kind == "answer")


def test_two_close_intents_ask_which_one(make_content: MakeContent) -> None:
    folder = make_content({
        "alpha": {"fr": ["le smm gere les pages", "alpha unique"],
                  "en": ["the smm runs pages", "alpha only"]},
        "beta": {"fr": ["le smm gère les pages !", "beta unique"],
                 "en": ["the smm runs the pages", "beta only"]},
    })
    content = load_content(folder).content
    assert content is not None
    decision = Matcher(content).decide("le smm gere les pages", "private")
    assert decision.kind == "clarify"
    assert set(decision.options) == {"alpha", "beta"}


def test_a_near_miss_written_by_editors_silences_the_match(matcher: Matcher) -> None:
    decision = matcher.decide("je suis sur facebook ce soir", "private")
    assert decision.kind == "none"
    assert decision.nearest is not None and decision.nearest.near_miss


def test_a_decision_names_the_runner_up(matcher: Matcher) -> None:
    decision = matcher.decide("le community manager est toujours sur facebook", "private")
    assert decision.runner_up is not None
    assert decision.runner_up.intent != decision.intent
    assert decision.runner_up.score <= decision.score


def test_thresholds_are_tunable_without_touching_the_index(matcher: Matcher) -> None:
    strict = Matcher(matcher.content, Thresholds(private=101, group=101))
    assert strict.decide("combien gagne un community manager", "private").kind != "answer"


def candidate(intent: str, score: float, similarity: float, coverage: float = 50.0,
              near_miss: bool = False) -> Candidate:
    return Candidate(intent, score, f"example of {intent}", "fr", near_miss, similarity, coverage)


LIMITS = Thresholds()


def test_a_very_close_example_with_no_rival_is_answered_a_little_under_the_threshold() -> None:
    best = candidate("salary", LIMITS.group - 5, similarity=80)
    decision = _decide([best, candidate("training", LIMITS.group - 20, 60)], None, "fr", "group",
                       LIMITS)
    assert (decision.kind, decision.intent) == ("answer", "salary")
    assert "no rival" in decision.reason


def test_a_close_example_with_a_rival_is_not_answered_under_the_threshold() -> None:
    ranked = [candidate("salary", LIMITS.group - 5, 80),
              candidate("training", LIMITS.group - 9, 75)]
    assert _decide(ranked, None, "fr", "group", LIMITS).kind != "answer"


def test_keywords_alone_do_not_make_an_answer() -> None:
    best = candidate("anyone_can_do_it", 80, similarity=LIMITS.min_similarity - 1, coverage=100)
    decision = _decide([best], None, "fr", "group", LIMITS)
    assert decision.kind == "none" and "whatever the keywords" in decision.reason


def test_a_strong_near_miss_vetoes_but_a_weak_one_does_not() -> None:
    best = candidate("always_on_facebook", 90, similarity=72)
    strong = candidate("always_on_facebook", 95, 95, near_miss=True)
    weak = candidate("always_on_facebook", 73, 73, near_miss=True)
    assert _decide([best], strong, "fr", "group", LIMITS).kind == "none"
    assert _decide([best], weak, "fr", "group", LIMITS).kind == "answer"
