"""Matching: the right myth in the right language, and silence for chatter."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.content import Content, load_content
from bot.matching import Candidate, Matcher, Thresholds
from bot.matching.augment import Augmentation
from bot.matching.matcher import _decide
from bot.matching.model import NONE, Model, TrainingParams, TrainingSet, fit, load_or_train
from bot.matching.normalise import fold, normalise
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




def test_no_spell_correction_turns_a_real_word_into_another() -> None:
    for word in ("payer", "raining", "beau", "cuisine"):
        assert normalise(word).tokens == (word,)


@pytest.mark.parametrize(
    ("text", "intent", "lang"),
    [
        ("le social media manager passe ses journées sur facebook", "always_on_facebook", "fr"),
        ("social media managers spend all day on facebook", "always_on_facebook", "en"),
        ("combien gagne un community manager", "salary", "fr"),
        ("how much does a social media manager earn", "salary", "en"),
        ("il faut quel diplome pour devenir smm", "training", "fr"),
        ("n'importe qui peut faire ce boulot de community manager", "anyone_can_do_it", "fr"),
        ("et le cinquième cliché alors ?", "fifth_point", "fr"),
        ("where is the fifth cliché of your top 5", "fifth_point", "en"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_a_cliche_is_answered_with_its_myth_in_its_language(
    matcher: Matcher, text: str, intent: str, lang: str
) -> None:
    decision = matcher.decide(text, "group")
    assert (decision.kind, decision.intent, decision.lang) == ("answer", intent, lang)
    assert decision.example and decision.score >= matcher.thresholds.group
    assert decision.topic is not None


@pytest.mark.parametrize("text", ["le smm passe sa journéé sur facebok", "combien gagne un smmm",
                                  "how mutch does a social media manager earn"])
def test_typos_still_find_the_myth(matcher: Matcher, text: str) -> None:
    assert matcher.decide(text, "private").kind == "answer"


@pytest.mark.parametrize(
    "text",
    [
        # The kinds of chatter the fuzzy matcher answered in groups (issue 8).
        "mon oncle est sur facebook du matin au soir",
        "quel diplome faut il pour etre infirmiere ?",
        "il gagne combien un plombier ?",
        "tu peux retweeter mon concert de samedi ?",
        "qui s'occupe du wifi au bureau ?",
        "it's raining again",
        "ok merci",
        "je suis sur facebook ce soir", "anyone can come tonight?", "le diplomate russe est arrivé",
        "top 5 des films", "facebook", "on mange où ce midi ?", "my printer is broken again", "",
    ],
)
def test_group_chatter_is_not_answered(matcher: Matcher, text: str) -> None:
    assert matcher.decide(text, "group").kind != "answer"


def test_unsolicited_group_answers_need_a_topic_word(matcher: Matcher) -> None:
    text = "ma tante pense que je suis payée pour scroller facebook toute la journée"
    limits = Thresholds(group=0, group_without_topic=101)
    decision = Matcher(matcher.content, limits, model=matcher.model).decide(text, "group")
    assert decision.topic is None
    assert decision.kind == "none" and "no topic word" in decision.reason


def test_the_topic_gate_reads_role_words_in_any_spelling(matcher: Matcher) -> None:
    for text in ("ton taf de CM", "the Community Manager said", "un social média manager",
                 "what's your job anyway"):
        assert matcher.gate.find(normalise(text).tokens), text
    assert matcher.gate.find(normalise("mon oncle est sur facebook").tokens) is None


def test_groups_are_stricter_than_private_chats(matcher: Matcher) -> None:
    assert matcher.thresholds.group > matcher.thresholds.private
    # An example with a topic word, answered in private: only the threshold differs.
    text = next(e.text for m in matcher.content.myths for e in m.examples
                if matcher.decide(e.text, "group").topic
                and matcher.decide(e.text, "private").kind == "answer")
    score = matcher.decide(text, "private").score
    # Thresholds on either side of whatever it scores on the content of the day.
    limits = replace(matcher.thresholds, private=score - 1, group=score + 1)
    between = Matcher(matcher.content, limits, model=matcher.model)
    private, group = between.decide(text, "private"), between.decide(text, "group")
    assert private.score == group.score == score
    assert (private.kind, group.kind) == ("answer", "none")


def test_a_decision_names_the_runner_up_and_the_nearest_example(matcher: Matcher) -> None:
    decision = matcher.decide("le community manager est toujours sur facebook", "private")
    assert decision.runner_up is not None
    assert decision.runner_up.intent != decision.intent
    assert decision.runner_up.score <= decision.score
    assert decision.nearest is not None and decision.nearest.example
    assert decision.nearest.example in {e.text for e in
                                        matcher.content.by_id[decision.nearest.intent].examples}


@pytest.mark.parametrize("text", ["zorglub", "ok", "???", "smm"])
def test_without_a_language_signal_the_users_language_decides(matcher: Matcher,
                                                               text: str) -> None:
    assert matcher.decide(text, "private", default_lang="en").lang == "en"
    assert matcher.decide(text, "private", default_lang="fr").lang == "fr"


def test_thresholds_are_tunable_without_retraining(matcher: Matcher) -> None:
    strict = Matcher(matcher.content, Thresholds(private=101, group=101), model=matcher.model)
    assert strict.decide("combien gagne un community manager", "private").kind != "answer"


# --- the model ---------------------------------------------------------------------------


def test_numpy_inference_gives_scikit_learns_probabilities(content: Content) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier

    from bot.matching.features import features, model_text

    texts = [e.text for m in content.myths[:3] for e in m.examples[:30]]
    labels = [m.id for m in content.myths[:3] for _ in m.examples[:30]]
    params = TrainingParams(augmentation=Augmentation(framed=0, typos=0, framed_negatives=0))
    model = fit(texts, labels, params)
    vectoriser = TfidfVectorizer(analyzer=features, sublinear_tf=True)
    matrix = vectoriser.fit_transform([model_text(t) for t in texts])
    reference = SGDClassifier(loss="log_loss", alpha=1 / (params.c * len(texts)),
                              max_iter=params.epochs, tol=None,
                              random_state=params.seed).fit(matrix, labels)
    for text in ("combien gagne un smm", "zorglub", "le cm est sur fb h24"):
        expected = reference.predict_proba(vectoriser.transform([model_text(text)]))[0]
        assert np.allclose(model.probabilities(model_text(text)), expected, atol=1e-9)


def test_training_is_deterministic(content: Content) -> None:
    training = TrainingSet.of(content)
    first = fit(training.texts[::7], training.labels[::7])
    second = fit(training.texts[::7], training.labels[::7])
    assert np.array_equal(first.weights, second.weights)


def test_unchanged_content_loads_the_cached_model_without_training(
        small_matcher: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = small_matcher.content  # a small content of its own: it trains in a blink
    trained = load_or_train(content, tmp_path)
    assert len(list(tmp_path.glob("model-*.npz"))) == 1

    def no_training(*args: object, **kwargs: object) -> Model:
        raise AssertionError("retrained although the content did not change")

    monkeypatch.setattr("bot.matching.model.fit", no_training)
    cached = load_or_train(content, tmp_path)
    assert cached.digest == trained.digest
    assert np.array_equal(cached.weights, trained.weights)


def test_an_edit_changes_the_model_digest(content: Content) -> None:
    training = TrainingSet.of(content)
    edited = TrainingSet(training.examples[1:], training.labels[1:])
    assert training.digest(TrainingParams()) != edited.digest(TrainingParams())


def test_negatives_are_learnt_as_none(content: Content) -> None:
    training = TrainingSet.of(content)
    assert NONE in training.labels
    assert training.labels.count(NONE) >= 1000


# --- the rules, without a model ----------------------------------------------------------

LIMITS = Thresholds()


def rule(ranked: list[tuple[str, float]], chat: str = "private",
         topic: str | None = "smm", similarity: float = 80.0) -> tuple[str, tuple[str, ...]]:
    best = Candidate(ranked[0][0], ranked[0][1], "e", "fr", similarity=similarity)
    runner = Candidate(ranked[1][0], ranked[1][1], "e", "fr") if len(ranked) > 1 else None
    decision = _decide(best, runner, ranked, "fr", chat, topic, 0.0, LIMITS)  # type: ignore[arg-type]
    return decision.kind, decision.options


def test_a_sure_answer_far_from_every_example_is_asked_in_private_and_silent_in_groups(
        ) -> None:
    assert rule([("anyone_can_do_it", 95), ("salary", 2)], similarity=30) == (
        "clarify", ("anyone_can_do_it",))
    assert rule([("anyone_can_do_it", 95), ("salary", 2)], "group", similarity=30)[0] == "none"
    assert rule([("anyone_can_do_it", 95), ("salary", 2)], similarity=LIMITS.far)[0] == "answer"


def test_two_close_myths_ask_which_one_in_private() -> None:
    assert rule([("salary", 45), ("training", 42)]) == ("clarify", ("salary", "training"))


def test_a_clear_lead_is_answered() -> None:
    assert rule([("salary", 80), ("training", 10)])[0] == "answer"


def test_two_close_myths_stay_silent_in_a_group() -> None:
    high = LIMITS.group + 1
    assert rule([("salary", high), ("training", high - 1)], "group")[0] == "none"


def test_a_weak_myth_is_not_offered() -> None:
    assert rule([("salary", 30), ("training", 5)])[0] == "none"


def test_the_cache_keeps_only_the_latest_models(small_matcher: Matcher, tmp_path: Path) -> None:
    from bot.matching.model import CACHE_KEEP

    for i in range(CACHE_KEEP + 2):
        (tmp_path / f"model-old{i}.npz").write_bytes(b"")
    load_or_train(small_matcher.content, tmp_path)
    assert len(list(tmp_path.glob("model-*.npz"))) == CACHE_KEEP


def test_two_myths_without_negatives_still_ask_which_one(make_content: MakeContent) -> None:
    folder = make_content({
        "alpha": {"fr": ["le smm gere les pages", "alpha unique"], "en": ["alpha", "a only"]},
        "beta": {"fr": ["le smm gere les likes", "beta unique"], "en": ["beta", "b only"]},
    })
    content = load_content(folder).content
    assert content is not None
    matcher = Matcher(content, cache=folder / "cache")
    assert matcher.decide("alpha unique").intent == "alpha"
    decision = matcher.decide("le smm gère")
    assert decision.kind == "clarify" and set(decision.options) == {"alpha", "beta"}


def test_a_single_myth_trains(make_content: MakeContent) -> None:
    folder = make_content({"alpha": {"fr": ["le smm gere les pages"], "en": ["alpha"]}})
    content = load_content(folder).content
    assert content is not None
    assert Matcher(content, cache=folder / "cache").decide("le smm gere").intent == "alpha"


def test_training_rows_are_the_tfidf_scikit_learn_computes(content: Content) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from bot.matching.features import features, model_text
    from bot.matching.model import tfidf

    folded = [model_text(e.text) for e in content.sentences[::40]] + [""]
    matrix, vocabulary, idf = tfidf(folded)
    reference = TfidfVectorizer(analyzer=features, sublinear_tf=True)
    expected = reference.fit_transform(folded)
    order = np.array([reference.vocabulary_[f] for f in sorted(vocabulary,
                                                                key=vocabulary.__getitem__)])
    assert abs(expected[:, order] - matrix).max() < 1e-12
    assert np.allclose(reference.idf_[order], idf)
