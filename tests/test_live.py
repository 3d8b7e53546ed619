"""Live content: edits are picked up, broken edits change nothing, answers never mix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.live import ContentError, LiveContent


def add_example(folder: Path, intent: str, example: str) -> None:
    path = folder / "intents" / f"{intent}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  fr:\n", f"  fr:\n    - {example}\n", 1), encoding="utf-8")


def test_an_edit_is_loaded_and_answers_with_the_new_content(content_copy: Path) -> None:
    live = LiveContent(content_copy)
    before = live.matcher
    assert live.reload().changed is False
    add_example(content_copy, "training", "les licornes roses dansent au clair de lune")
    result = live.reload()
    assert result.changed and result.applied
    question = "les licornes roses dansent au clair de lune"
    assert live.matcher.decide(question).intent == "training"
    # A matcher taken before the swap keeps answering from the content it was built on.
    assert before.decide(question).kind == "none"


def test_a_broken_edit_keeps_the_last_good_content(content_copy: Path) -> None:
    live = LiveContent(content_copy)
    before = live.matcher
    path = content_copy / "responses" / "salary.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("intent: salary", "intent: [salary"))
    result = live.reload()
    assert result.changed and not result.applied
    assert any(p.path == "responses/salary.yaml" for p in result.problems)
    assert live.matcher is before
    assert live.reload().changed is False  # reported once, not on every look


def test_a_bot_cannot_start_on_broken_content(content_copy: Path) -> None:
    (content_copy / "intents" / "salary.yaml").unlink()
    with pytest.raises(ContentError, match="response for 'salary', but there is no such intent"):
        LiveContent(content_copy)


def test_a_failed_training_keeps_the_last_good_model(content_copy: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    live = LiveContent(content_copy)
    before = live.matcher
    add_example(content_copy, "training", "une phrase toute neuve sur les diplomes du smm")

    def refuse(*args: object, **kwargs: object) -> None:
        raise ValueError("the solver gave up")

    monkeypatch.setattr("bot.matching.model.fit_set", refuse)
    result = live.reload()
    assert result.changed and not result.applied
    assert any("could not be trained: the solver gave up" in p.message for p in result.problems)
    assert live.matcher is before
