"""Measure the content against a labelled set: what `mythbot eval` reports."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.matching import ChatKind, Decision, Matcher
from bot.matching.crossval import cross_validate
from bot.matching.model import NONE


class LabelError(ValueError):
    """A line of the labelled file is not {"text": ..., "expect": <intent id or null>}."""


@dataclass(frozen=True, slots=True)
class Labelled:
    text: str
    expect: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Outcome:
    item: Labelled
    decision: Decision

    @property
    def answered(self) -> str | None:
        return self.decision.intent if self.decision.kind == "answer" else None

    @property
    def correct(self) -> bool:
        return self.answered == self.item.expect


@dataclass(frozen=True, slots=True)
class IntentScore:
    intent: str
    precision: float
    recall: float
    support: int


@dataclass(frozen=True, slots=True)
class Report:
    outcomes: tuple[Outcome, ...]
    per_intent: tuple[IntentScore, ...]
    accuracy: float
    """Share of the clichés (lines with an intent) answered with that intent."""
    false_answer_rate: float
    """Share of the negatives (lines with null) answered as any myth."""
    n: int
    positives: int = 0
    negatives: int = 0

    @property
    def mistakes(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.correct)


def read_labelled(path: Path, known: set[str]) -> list[Labelled]:
    items: list[Labelled] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise LabelError(f'{path}:{number}: expected {{"text": ..., "expect": ...}}')
        expect = data.get("expect")
        if expect is not None and expect not in known:
            raise LabelError(f"{path}:{number}: unknown intent {expect!r} "
                             f"(known: {', '.join(sorted(known))})")
        items.append(Labelled(data["text"], expect, number))
    return items


def evaluate(matcher: Matcher, items: list[Labelled], chat: ChatKind) -> Report:
    outcomes = tuple(Outcome(item, matcher.decide(item.text, chat)) for item in items)
    positives = [o for o in outcomes if o.item.expect is not None]
    negatives = [o for o in outcomes if o.item.expect is None]
    accuracy = sum(o.correct for o in positives) / len(positives) if positives else 0.0
    false_rate = (sum(o.answered is not None for o in negatives) / len(negatives)
                  if negatives else 0.0)
    per_intent = []
    for myth in matcher.content.myths:
        predicted = [o for o in outcomes if o.answered == myth.id]
        actual = [o for o in outcomes if o.item.expect == myth.id]
        hits = sum(o.item.expect == myth.id for o in predicted)
        per_intent.append(IntentScore(myth.id, hits / len(predicted) if predicted else 1.0,
                                      hits / len(actual) if actual else 1.0, len(actual)))
    return Report(outcomes, tuple(per_intent), accuracy, false_rate, len(outcomes),
                  len(positives), len(negatives))


def cv_report(matcher: Matcher, folds: int) -> str:
    """Cross-validated precision and recall per class on the content itself: each sentence
    judged by a model trained without it (the model's top class, thresholds aside)."""
    held = cross_validate(matcher.content, folds)
    if not held:
        return "too few sentences per intent to cross-validate"
    predicted = Counter(h.predicted for h in held)
    actual = Counter(h.label for h in held)
    hits = Counter(h.label for h in held if h.predicted == h.label)
    lines = [f"{'class':<22} {'precision':>9} {'recall':>7} {'n':>5}"]
    for label in sorted(actual, key=lambda c: (c == NONE, c)):
        precision = hits[label] / predicted[label] if predicted[label] else 0.0
        lines.append(f"{label:<22} {precision:>9.3f} {hits[label] / actual[label]:>7.3f} "
                     f"{actual[label]:>5}")
    right = sum(hits.values())
    lines.append(f"\n{folds}-fold cross-validation on the content: {right}/{len(held)} "
                 f"sentences in the right class ({right / len(held):.3f})")
    return "\n".join(lines)
