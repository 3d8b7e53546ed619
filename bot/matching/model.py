"""The "which myth, or none" model: trained on the editors' YAML whenever content loads.

Training uses scikit-learn (TF-IDF over `features`, then a multinomial logistic regression
whose classes are the myths plus NONE, learnt from the negatives). Inference needs only the
learnt numbers: a vocabulary, the idf weights and the coefficients, applied with numpy. So a
start-up with unchanged content loads a cached `.npz` and never imports scikit-learn, and a
decision costs a few dictionary lookups and one small matrix product.

Nothing trained is committed: the cache is keyed by a hash of everything training reads,
so it can never drift from the YAML.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.content import Content, Example
from bot.matching.features import features, model_text

log = logging.getLogger(__name__)

NONE = "none"
"""The class of everything that is not a myth."""
MODEL_VERSION = 3
"""Bump when features or training change: old cache files are then ignored."""


@dataclass(frozen=True, slots=True)
class TrainingSet:
    examples: tuple[Example, ...]
    labels: tuple[str, ...]

    @classmethod
    def of(cls, content: Content) -> TrainingSet:
        examples: list[Example] = []
        labels: list[str] = []
        for myth in content.myths:
            examples += myth.examples
            labels += [myth.id] * len(myth.examples)
        negatives = content.all_negatives
        examples += negatives
        labels += [NONE] * len(negatives)
        return cls(tuple(examples), tuple(labels))

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(e.text for e in self.examples)

    def digest(self, params: TrainingParams) -> str:
        h = hashlib.sha256(json.dumps([MODEL_VERSION, params.key()]).encode())
        for text, label in zip(self.texts, self.labels, strict=True):
            h.update(f"{label}\t{text}\n".encode())
        return h.hexdigest()


@dataclass(frozen=True, slots=True)
class TrainingParams:
    c: float = 100.0
    """Inverse regularisation strength of the logistic regression."""
    min_df: int = 1
    max_iter: int = 200
    tol: float = 1e-3
    seed: int = 0
    """saga visits the sentences in a random order: a fixed seed makes training repeatable."""

    def key(self) -> list[float]:
        return [self.c, self.min_df, self.max_iter, self.tol, self.seed]


@dataclass(frozen=True, slots=True, eq=False)
class Model:
    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray
    """Shape (features, classes): one row per feature, so a message gathers only its rows."""
    intercept: np.ndarray
    digest: str = ""

    def probabilities(self, folded: str) -> np.ndarray:
        """P(class | message) for each of `classes`, as scikit-learn's predict_proba gives."""
        counts = Counter(f for f in features(folded) if f in self.vocabulary)
        logits = self.intercept.astype(np.float64)
        if counts:
            index = np.fromiter((self.vocabulary[f] for f in counts), np.int64, len(counts))
            # TF-IDF as TfidfVectorizer(sublinear_tf=True) computes it, then L2-normalised.
            tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), np.float64,
                             len(counts))
            values = tf * self.idf[index]
            values /= np.sqrt(values @ values)
            logits = logits + values @ self.weights[index]
        exp = np.exp(logits - logits.max())
        probs: np.ndarray = exp / exp.sum()
        return probs

    def save(self, path: Path) -> None:
        words = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a crash or a concurrent start never leaves half a file.
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
            # One UTF-8 blob: loading 100,000 words from it is ten times faster than from
            # a numpy string array.
            blob = np.frombuffer("\n".join(words).encode(), dtype=np.uint8)
            np.savez(tmp, classes=np.array(self.classes), words=blob,
                     idf=self.idf, weights=self.weights, intercept=self.intercept)
        os.replace(tmp.name, path)

    @classmethod
    def load(cls, path: Path, digest: str) -> Model:
        with np.load(path, allow_pickle=False) as data:
            words = data["words"].tobytes().decode().split("\n")
            vocabulary = dict(zip(words, range(len(words)), strict=True))
            return cls(tuple(data["classes"].tolist()), vocabulary, data["idf"], data["weights"],
                       data["intercept"], digest)


def fit(texts: Sequence[str], labels: Sequence[str],
        params: TrainingParams = TrainingParams()) -> Model:
    """Train on the given sentences, deterministically (fixed seed).

    saga is ten times faster than lbfgs here for the same accuracy: a live reload or a
    `check` with cross-validation stays interactive."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=params.min_df,
                                 dtype=np.float64)
    matrix = vectoriser.fit_transform([model_text(t) for t in texts])
    vocabulary = {str(k): int(v) for k, v in vectoriser.vocabulary_.items()}
    idf = np.asarray(vectoriser.idf_, dtype=np.float64)
    if len(set(labels)) == 1:  # one myth and no negatives: nothing to tell apart
        return Model((labels[0],), vocabulary, idf, np.zeros((len(vocabulary), 1)), np.zeros(1))
    classifier = LogisticRegression(C=params.c, solver="saga", max_iter=params.max_iter,
                                    tol=params.tol, random_state=params.seed)
    with warnings.catch_warnings():
        # Close enough is fine: probabilities move in the third decimal after this.
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(matrix, list(labels))
    weights = np.asarray(classifier.coef_, dtype=np.float64)
    intercept = np.asarray(classifier.intercept_, dtype=np.float64)
    if len(classifier.classes_) == 2:
        # Two classes get one sigmoid row; as two softmax rows (-z/2, z/2) it is the same.
        weights = np.vstack([-weights[0] / 2, weights[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return Model(tuple(str(c) for c in classifier.classes_), vocabulary, idf,
                 np.ascontiguousarray(weights.T), intercept)


CACHE_KEEP = 8
"""Models kept in the cache: an editor going back and forth between versions reuses them."""


def _prune(folder: Path, keep: Path) -> None:
    old = sorted(folder.glob("model-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in [p for p in old if p != keep][CACHE_KEEP - 1:]:
        path.unlink(missing_ok=True)


def load_or_train(content: Content, cache: Path | None = None,
                  params: TrainingParams = TrainingParams()) -> Model:
    """The model for this content: from the cache when its hash is known, else trained."""
    training = TrainingSet.of(content)
    digest = training.digest(params)
    path = cache / f"model-{digest[:24]}.npz" if cache else None
    if path is not None and path.exists():
        try:
            return Model.load(path, digest)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("model cache %s unreadable (%s): training again", path, exc)
    trained = fit(training.texts, training.labels, params)
    model = Model(trained.classes, trained.vocabulary, trained.idf, trained.weights,
                  trained.intercept, digest)
    if path is not None:
        try:
            model.save(path)
            _prune(path.parent, keep=path)
        except OSError as exc:  # a read-only home or a full disk only costs a retrain
            log.warning("cannot cache the model in %s (%s); set MYTHBOT_CACHE to a "
                        "writable folder", path.parent, exc.strerror or exc)
    return model
