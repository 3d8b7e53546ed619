"""Cross-validation on the content itself: how each sentence fares when the model has not
seen it. `check` reports the misfits with file and line, `eval --cv` sums them up, so an
editor sees an edit's effect without any labelled file."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.content import Content, Example
from bot.matching.features import model_text
from bot.matching.model import NONE, TrainingParams, TrainingSet, fit


@dataclass(frozen=True, slots=True)
class HeldOut:
    example: Example
    label: str
    """The intent the editor filed it under, or NONE for a negative."""
    predicted: str
    """The likeliest class when the model had not seen this sentence."""
    confidence: float
    """P(predicted) × 100."""
    best_myth: str
    best_myth_score: float
    """The likeliest myth and its P × 100, even when NONE is likelier."""


def cross_validate(content: Content, folds: int = 5,
                   params: TrainingParams = TrainingParams()) -> tuple[HeldOut, ...]:  # noqa: B008
    from sklearn.model_selection import StratifiedKFold

    training = TrainingSet.of(content)
    labels = np.array(training.labels)
    texts = training.texts
    # Every class must appear in every fold: fewer folds for a tiny content.
    folds = min(folds, min(np.unique(labels, return_counts=True)[1], default=0))
    if folds < 2:
        return ()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=params.seed)
    out: list[HeldOut | None] = [None] * len(texts)
    for train, test in splitter.split(np.zeros(len(labels)), labels):
        model = fit([texts[i] for i in train], [training.labels[i] for i in train], params)
        myths = [i for i, c in enumerate(model.classes) if c != NONE]
        for i in test:
            probs = model.probabilities(model_text(texts[i]))
            top = int(probs.argmax())
            myth = max(myths, key=lambda j: probs[j])
            out[i] = HeldOut(training.examples[i], training.labels[i], model.classes[top],
                             round(100 * float(probs[top]), 1), model.classes[myth],
                             round(100 * float(probs[myth]), 1))
    return tuple(h for h in out if h is not None)
