"""Decide which myth a message repeats: answer, ask which one, or stay quiet.

Two questions, in this order. *Is this a cliché at all, and which one?* is the model's:
P(myth) for each myth and P(none), learnt from the examples and the negatives. *Is it about
the job at all?* is the topic gate's, asked only of group messages nobody addressed to the
bot. rapidfuzz then finds the example closest to the message, shown as the reason: it
explains a decision, it never makes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from bot.content import Content, Example
from bot.matching.features import model_text_of
from bot.matching.lexicon import LANG_HINTS
from bot.matching.model import NONE, Model, load_or_train
from bot.matching.normalise import Normalised, normalise
from bot.matching.topic import TopicGate
from bot.paths import model_cache
from bot.spec import LANGS

ChatKind = Literal["private", "group"]
Kind = Literal["answer", "clarify", "none"]
DECISION_TOP = 3
"""A decision reads the best three myths: the answer, and who might be close to it."""
_ACCENTED = frozenset("éèêàâçùûôîïëœ")
_LANG_MIN_USES = 2
"""A word is evidence of a language once it is used this often in it and never in the other."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Confidences are P(myth) × 100. A false answer in a group is worse than a missed one.

    Chosen on the development sets (tests/data/eval.jsonl and robust_dev.jsonl) with
    `python -m benchmarks.tune_thresholds`, never on the test sets."""

    private: float = 65.0
    """A private message is answered when its best myth is at least this likely."""
    group: float = 75.0
    """An unsolicited group message needs this, and a topic word."""
    group_without_topic: float = 101.0
    """...or this much without a topic word (above 100: never)."""
    margin: float = 5.0
    """Two myths closer than this are ambiguous: ask which one."""
    clarify_floor: float = 10.0
    """A myth is offered as a choice only when at least this likely."""
    far: float = 40.0
    """An answer whose nearest example is less similar than this (0-100) is a doubt: asked
    in private, silent in a group ("can I hire you" is not "anyone can do it"). On the
    development set no answer, right or wrong, was that far; from 50 it cost more right
    answers than it saved wrong ones."""
    far_words: int = 6
    """...for messages of at most this many meaningful words: a story is never alike its
    cliché's short example, so longer messages are the model's alone."""

    def answer(self, chat: ChatKind) -> float:
        return self.private if chat == "private" else self.group


@dataclass(frozen=True, slots=True)
class Candidate:
    intent: str
    score: float
    """P(intent | message) × 100."""
    example: str
    """The intent's example closest to the message (rapidfuzz), or "" when it has none."""
    lang: str
    near_miss: bool = False
    similarity: float = 0.0
    """How close `example` is to the message, 0-100."""


@dataclass(frozen=True, slots=True)
class Decision:
    kind: Kind
    intent: str | None
    score: float
    lang: str
    example: str | None
    runner_up: Candidate | None
    options: tuple[str, ...] = ()
    reason: str = ""
    nearest: Candidate | None = None
    """The best candidate whatever the decision: what an editor looks at for a miss."""
    topic: str | None = None
    """The topic word found in the message, if any."""
    none_score: float = 0.0
    """P(none) × 100: how sure the model is that this is not a myth."""


@dataclass(frozen=True, slots=True)
class _Pool:
    """Sentences and their normalised keys, ready for one rapidfuzz pass."""

    keys: tuple[str, ...]
    examples: tuple[Example, ...]


class Matcher:
    """Immutable after construction: a content reload builds a new Matcher."""

    def __init__(self, content: Content, thresholds: Thresholds | None = None, *,
                 model: Model | None = None, cache: Path | None = None) -> None:
        self.content = content
        self.thresholds = thresholds or Thresholds()
        self.model = model or load_or_train(content, cache if cache else model_cache())
        self.gate = TopicGate.of(content.topic)
        self._myths = [c for c in self.model.classes if c != NONE]
        self._myth_index = np.array([i for i, c in enumerate(self.model.classes) if c != NONE],
                                    dtype=np.int64)
        self._none = self.model.classes.index(NONE) if NONE in self.model.classes else -1
        # Each sentence is normalised once, for both the nearest example and the languages.
        seen = {e.text: normalise(e.text) for e in content.sentences}
        self._examples = {m.id: _keyed(m.examples, seen) for m in content.myths}
        self._negatives = _keyed(content.all_negatives, seen)
        self._lang_words = _language_words(content, seen)

    # --- what the model says ----------------------------------------------------------------

    def scores(self, text: str, top: int | None = None
               ) -> tuple[Normalised, list[tuple[str, float]], float]:
        """The message normalised, its `top` myths (all by default) with their confidence,
        best first, and P(none) × 100."""
        norm = normalise(text)
        if not norm.tokens:
            return norm, [], 100.0
        probs = self.model.probabilities(model_text_of(norm))
        myths = probs[self._myth_index]
        # numpy orders the classes: with 1,000 myths a decision reads three, not a Python sort.
        order = np.argsort(-myths, kind="stable")[:top]
        ranked = [(self._myths[i], round(100 * float(myths[i]), 1)) for i in order]
        none = round(100 * float(probs[self._none]), 1) if self._none >= 0 else 0.0
        return norm, ranked, none

    def nearest(self, intent: str, norm: Normalised) -> tuple[Example | None, float]:
        """The intent's example closest to the message, and how close (0-100)."""
        return _closest(self._examples.get(intent), norm)

    def nearest_negative(self, text: str) -> tuple[Example | None, float]:
        """The negative closest to the message: what `ask` shows when it stays silent."""
        return _closest(self._negatives, normalise(text))

    def candidate(self, intent: str, score: float, norm: Normalised) -> Candidate:
        example, similarity = self.nearest(intent, norm)
        return Candidate(intent, score, example.text if example else "",
                         example.lang if example else "", False, round(similarity, 1))

    def language_votes(self, text: str, norm: Normalised) -> dict[str, int]:
        """Per language, how many of the message's words belong only to it."""
        votes = {lang: sum(t in self._lang_words[lang] for t in norm.tokens) for lang in LANGS}
        if any(ch in _ACCENTED for ch in text.lower()):
            votes["fr"] += 1
        return votes

    def detect_lang(self, text: str, norm: Normalised) -> str | None:
        """The language the message's words belong to, or None when they don't tell."""
        votes = self.language_votes(text, norm)
        top = max(votes.values())
        leaders = [lang for lang, count in votes.items() if count == top]
        return leaders[0] if top > 0 and len(leaders) == 1 else None

    # --- the decision -----------------------------------------------------------------------

    def decide(self, text: str, chat: ChatKind = "private", default_lang: str = "fr") -> Decision:
        """`chat="group"` is the rule for a group message nobody addressed to the bot."""
        norm, ranked, none = self.scores(text, DECISION_TOP)
        # No language signal ("ok", "zorglub"): the user's or chat's language, not a guess.
        lang = self.detect_lang(text, norm) or default_lang
        topic = self.gate.find(norm.tokens, norm.words)
        if not ranked:
            return Decision("none", None, 0.0, lang, None, None, (), "nothing to read",
                            None, topic, none)
        best = self.candidate(*ranked[0], norm)
        runner = self.candidate(*ranked[1], norm) if len(ranked) > 1 else None
        return _decide(best, runner, ranked, lang, chat, topic, none, self.thresholds,
                       len(norm.content))


def _decide(best: Candidate, runner: Candidate | None, ranked: list[tuple[str, float]],
            lang: str, chat: ChatKind, topic: str | None, none: float,
            limits: Thresholds, words: int = 0) -> Decision:
    def decision(kind: Kind, reason: str, options: tuple[str, ...] = ()) -> Decision:
        intent = best.intent if kind == "answer" else None
        example = best.example if kind != "none" else None
        return Decision(kind, intent, best.score, lang, example, runner, options, reason,
                        best, topic, none)

    second = runner.score if runner else 0.0
    close = tuple(i for i, s in ranked[:3]
                  if best.score - s < limits.margin and s >= limits.clarify_floor)
    far = bool(best.example) and best.similarity < limits.far and words <= limits.far_words
    if far and best.score >= limits.answer(chat):
        if chat == "group":
            return decision("none", f"nearest example only {best.similarity:g}% alike: too "
                                    "unsure to speak up in a group")
        options = tuple(i for i, s in ranked[:2] if s >= limits.clarify_floor)
        return decision("clarify", f"{best.score:g} but the nearest example is only "
                                   f"{best.similarity:g}% alike", options)
    if chat == "group":
        needed = limits.group if topic else limits.group_without_topic
        if needed > 100:
            return decision("none", "no topic word: an unsolicited group answer needs one")
        if best.score < needed:
            gate = f"topic word '{topic}'" if topic else "no topic word"
            return decision("none", f"{best.score:g} < {needed:g} for an unsolicited group "
                                    f"answer ({gate})")
        if len(close) >= 2:
            return decision("none", f"{len(close)} myths within {limits.margin:g} points: "
                                    "too unsure to speak up in a group")
        why = f"topic word '{topic}'" if topic else "no topic word, but very sure"
        return decision("answer", f"{best.score:g} ≥ {needed:g} in a group ({why})")
    if len(close) >= 2 and best.score + second >= limits.private:
        return decision("clarify", f"{len(close)} myths within {limits.margin:g} points",
                        close)
    if best.score >= limits.private:
        return decision("answer", f"{best.score:g} ≥ {limits.private:g} (private)")
    return decision("none", f"best myth {best.score:g} < {limits.private:g}; "
                            f"none of the myths: {none:g}")


def _keyed(examples: tuple[Example, ...], seen: dict[str, Normalised]) -> _Pool:
    return _Pool(tuple(seen[e.text].key for e in examples), examples)


def _closest(pool: _Pool | None, norm: Normalised) -> tuple[Example | None, float]:
    if pool is None or not pool.examples:
        return None, 0.0
    if not norm.key:
        return pool.examples[0], 0.0
    # Keys are sorted words already, so plain `ratio` is token_sort_ratio at a quarter the cost.
    found = process.extractOne(norm.key, pool.keys, scorer=fuzz.ratio)
    if found is None:
        return pool.examples[0], 0.0
    return pool.examples[found[2]], float(found[1])


def _language_words(content: Content,
                    seen: dict[str, Normalised]) -> dict[str, frozenset[str]]:
    """Per language, words used in its sentences and never in the other's, plus the hints."""
    uses: dict[str, dict[str, int]] = {lang: {} for lang in LANGS}
    for example in content.sentences:
        for token in set(seen[example.text].tokens):
            uses[example.lang][token] = uses[example.lang].get(token, 0) + 1
    out = {}
    for lang in LANGS:
        others = set().union(*(uses[o] for o in LANGS if o != lang))
        own = {w for w, n in uses[lang].items() if n >= _LANG_MIN_USES and w not in others}
        out[lang] = frozenset(own | LANG_HINTS[lang])
    return out
