"""Cross-validation on the content itself: how each sentence fares when the model has not
seen it. `check` reports the misfits with file and line and, per myth, how well it will be
recognised and whether more examples would help; `eval --cv` sums it up. So an editor sees
an edit's effect without any labelled file.

The sentences are turned into features once: the model itself and every fold train on rows
of the same matrix, so a full check costs about two trainings, not six.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.content import Content, Example
from bot.matching.features import model_text
from bot.matching.model import (
    NONE,
    Model,
    TrainingParams,
    TrainingSet,
    Vectorised,
    fit_matrix,
)

Progress = Callable[[str], None]
READY_RECALL = 0.9
"""A myth whose held-out examples are recognised this often is ready."""
READY_EXAMPLES = 10
"""...and that has at least this many examples per language."""


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


@dataclass(frozen=True, slots=True)
class Readiness:
    """How well a myth will be recognised on phrasings it has not seen."""

    intent: str
    examples: int
    """Its examples in its thinner language."""
    recall: float
    """Share of its examples recognised when the model had not seen them."""
    low: float
    high: float
    """95 % Wilson interval of `recall`."""
    more: int
    """Rough number of examples per language to add to be ready (0: ready)."""

    @property
    def ready(self) -> bool:
        return self.more == 0


def cross_validate(content: Content, folds: int = 3,
                   params: TrainingParams | None = None) -> tuple[HeldOut, ...]:
    return train_and_validate(content, folds, params)[1]


def train_and_validate(content: Content, folds: int = 3, params: TrainingParams | None = None,
                       progress: Progress | None = None, model: Model | None = None
                       ) -> tuple[Model, tuple[HeldOut, ...]]:
    """The model of the whole content (trained unless given, say from the cache), and each
    sentence as judged by a model trained in `folds` folds without it."""
    from sklearn.model_selection import StratifiedKFold

    params = params or TrainingParams()
    say = progress or (lambda _: None)
    training = TrainingSet.of(content)
    say("reading the sentences")
    data = Vectorised.of(training, params)
    labels = np.array(training.labels)
    if model is None:
        say("training the model")
        model = fit_matrix(data, params)
    # Every class must appear in every fold: fewer folds for a tiny content.
    folds = min(folds, min(np.unique(labels, return_counts=True)[1], default=0))
    if folds < 2:
        return model, ()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=params.seed)
    out: list[HeldOut | None] = [None] * len(labels)
    for n, (train, test) in enumerate(splitter.split(np.zeros(len(labels)), labels), 1):
        say(f"cross-validating, fold {n} of {folds}")
        held = fit_matrix(data, params, np.flatnonzero(np.isin(data.source, train)))
        for i in test:
            out[i] = _judged(held, training.examples[i], training.labels[i])
    return model, tuple(h for h in out if h is not None)


def _judged(model: Model, example: Example, label: str) -> HeldOut:
    probs = model.probabilities(model_text(example.text))
    myths = [i for i, c in enumerate(model.classes) if c != NONE]
    top = int(probs.argmax())
    myth = max(myths, key=lambda j: probs[j])
    return HeldOut(example, label, model.classes[top], round(100 * float(probs[top]), 1),
                   model.classes[myth], round(100 * float(probs[myth]), 1))


def readiness(content: Content, held: tuple[HeldOut, ...]) -> tuple[Readiness, ...]:
    """Per myth, from the cross-validation: its held-out recall, and roughly how many more
    examples it needs. The estimate assumes the usual learning curve, errors falling as one
    over the square root of the examples: a guide, not a promise."""
    out: list[Readiness] = []
    for myth in content.myths if held else ():
        mine = [h for h in held if h.label == myth.id]
        per_lang = min((sum(e.lang == lang for e in myth.examples)
                        for lang in {e.lang for e in myth.examples}), default=0)
        recall = sum(h.predicted == myth.id for h in mine) / len(mine) if mine else 0.0
        low, high = wilson(recall, len(mine))
        out.append(Readiness(myth.id, per_lang, recall, low, high,
                             _more(per_lang, recall)))
    return tuple(out)


def _more(per_lang: int, recall: float) -> int:
    if recall >= READY_RECALL and per_lang >= READY_EXAMPLES:
        return 0
    if recall >= READY_RECALL:
        return READY_EXAMPLES - per_lang
    needed = max(per_lang, 1) * ((1 - recall) / (1 - READY_RECALL)) ** 2
    return max(READY_EXAMPLES - per_lang, math.ceil(min(needed, 400) - per_lang), 5)


def wilson(rate: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion measured on n items."""
    if n == 0:
        return 0.0, 1.0
    centre = (rate + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)
