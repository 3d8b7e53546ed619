"""Decide which myth a message repeats: answer, ask which one, or stay quiet.

The index is built once per content load. A message is normalised, its words
are spell-corrected against the examples' vocabulary, and only examples
sharing a word with it are scored by rapidfuzz: an example with no word in
common cannot be the right one. Candidates are drawn from the message's
rarest words first, up to a budget: a word used by half the examples ("smm")
says little about which one is right, and letting it select them all would
make a decision cost grow with the content (benchmarks/RESULTS.md). A word too
common to select candidates still counts in the scores.

An intent's score mixes two signals, both 0-100:
- similarity: the best example, compared with `fuzz.ratio` on the sorted
  meaningful words of both sides (a token-sort ratio without stop words). It
  is deliberately not `token_set_ratio`, which gives 100 whenever one side's
  words are a subset of the other's, so "facebook" alone would match "always
  on facebook";
- coverage: how much of the message's meaning (words weighted by how specific
  they are to few intents; unknown words weigh most) the intent's examples
  use. Chatter that shares one word with a myth covers little of it; a
  paraphrase reuses the myth's vocabulary even in another order.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

from bot.content import Content
from bot.lexicon import LANG_HINTS
from bot.normalise import Normalised, normalise
from bot.spec import LANGS

ChatKind = Literal["private", "group"]
CANDIDATE_BUDGET = 600
TOP_INTENTS = 12
"""How many intents a ranking keeps, best first."""
"""At most this many examples are scored per message (unless its rarest word alone has more)."""
Kind = Literal["answer", "clarify", "none"]
_ACCENTED = frozenset("éèêàâçùûôîïëœ")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Scores are 0-100. A false answer in a group is worse than a missed one.

    Values chosen on tests/data/eval.jsonl (a grid over all of them, group mode held to
    under 1.5% of chatter answered); `mythbot eval` shows the effect of a change."""

    private: float = 50.0
    group: float = 58.0
    margin: float = 3.0
    """Two intents closer than this are ambiguous: ask which one."""
    clarify_floor: float = 44.0
    """Below this nothing is close enough even to offer as a choice."""
    similarity_weight: float = 0.5
    """Share of the example similarity in the score; the rest is keyword coverage."""
    unknown_weight: float = 2.0
    """Weight of a word no example uses, relative to a word only one intent uses."""
    near_miss_floor: float = 75.0
    """A near miss silences a match only when it is this close to the message itself."""
    clear_similarity: float = 70.0
    clear_lead: float = 8.0
    clear_discount: float = 10.0
    """A very close example (`clear_similarity`) with no rival within `clear_lead` is answered
    at the threshold minus `clear_discount`: words no example uses dilute its coverage, but
    not what it says."""
    corrected_credit: float = 0.3
    """How much a spell-corrected word counts towards coverage, against 1 for an exact one."""
    min_similarity: float = 55.0
    """An answer needs one example this close: keyword coverage alone is not enough
    ("bonjour à tous" is fully covered by "simple comme bonjour")."""

    def answer(self, chat: ChatKind) -> float:
        return self.private if chat == "private" else self.group


@dataclass(frozen=True, slots=True)
class Candidate:
    intent: str
    score: float
    example: str
    lang: str
    near_miss: bool = False
    similarity: float = 0.0
    coverage: float = 0.0


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


@dataclass(frozen=True, slots=True)
class _Entry:
    intent: str
    text: str
    lang: str
    near_miss: bool


@dataclass(frozen=True)
class Index:
    keys: tuple[str, ...]
    entries: tuple[_Entry, ...]
    postings: dict[str, tuple[int, ...]]
    """For each word, the positive examples using it."""
    near_postings: dict[str, tuple[int, ...]]
    """For each word, the near misses using it."""
    near_keys: dict[str, tuple[str, ...]]
    """For each word, the keys of the near misses using it, ready for one rapidfuzz pass."""
    deletions: dict[str, tuple[str, ...]]
    lang_words: dict[str, frozenset[str]] = field(default_factory=dict)
    intents_of: dict[str, frozenset[str]] = field(default_factory=dict)
    """For each example word, the intents whose (positive) examples use it."""
    idf: dict[str, float] = field(default_factory=dict)
    unknown_idf: float = 1.0

    def knows(self, word: str) -> bool:
        return word in self.postings or word in self.near_postings


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def build_index(content: Content) -> Index:
    keys: list[str] = []
    entries: list[_Entry] = []
    postings: dict[str, list[int]] = {}
    near_postings: dict[str, list[int]] = {}
    words_by_lang: dict[str, set[str]] = {lang: set() for lang in LANGS}
    intents_of: dict[str, set[str]] = {}
    for myth in content.myths:
        for examples, near in ((myth.examples, False), (myth.near_misses, True)):
            for example in examples:
                norm = normalise(example.text)
                position = len(keys)
                keys.append(norm.key)
                entries.append(_Entry(myth.id, example.text, example.lang, near))
                for token in set(norm.content):
                    (near_postings if near else postings).setdefault(token, []).append(position)
                    if not near:
                        intents_of.setdefault(token, set()).add(myth.id)
                words_by_lang[example.lang].update(norm.tokens)
    deletions: dict[str, set[str]] = {}
    for word in postings.keys() | near_postings.keys():
        if len(word) >= 4:
            for variant in _deletions(word):
                deletions.setdefault(variant, set()).add(word)
    # A word seen in only one language's examples is evidence for that language.
    lang_words = {
        lang: frozenset((words - set().union(*(words_by_lang[o] for o in LANGS if o != lang)))
                        | LANG_HINTS[lang])
        for lang, words in words_by_lang.items()
    }
    count = max(len(content.myths), 1)
    return Index(
        tuple(keys),
        tuple(entries),
        {token: tuple(ids) for token, ids in postings.items()},
        {token: tuple(ids) for token, ids in near_postings.items()},
        {token: tuple(keys[i] for i in ids) for token, ids in near_postings.items()},
        {variant: tuple(sorted(words)) for variant, words in deletions.items()},
        lang_words,
        {token: frozenset(ids) for token, ids in intents_of.items()},
        {token: math.log(1 + count / len(ids)) for token, ids in intents_of.items()},
        math.log(1 + count),
    )


class Matcher:
    """Immutable after construction: a content reload builds a new Matcher."""

    def __init__(self, content: Content, thresholds: Thresholds | None = None) -> None:
        self.content = content
        self.thresholds = thresholds or Thresholds()
        self.index = build_index(content)

    def correct(self, token: str) -> str | None:
        """The vocabulary word this token is, allowing one typo; None when unknown."""
        if self.index.knows(token):
            return token
        if len(token) < 4:
            return None
        found: set[str] = set()
        for variant in _deletions(token):
            found.update(self.index.deletions.get(variant, ()))
        if not found:
            return None
        best = max(sorted(found), key=lambda word: fuzz.ratio(token, word))
        return best if fuzz.ratio(token, best) >= 75 else None

    def query(self, text: str) -> tuple[Normalised, str, dict[str, bool]]:
        """The message normalised, its key for the scorer, and its words (True: spell-corrected)."""
        norm = normalise(text)
        words: dict[str, bool] = {}
        for token in norm.content:
            fixed = self.correct(token) or token
            words[fixed] = words.get(fixed, True) and fixed != token
        return norm, " ".join(sorted(words)), words

    def candidates(self, words: Iterable[str], budget: int = CANDIDATE_BUDGET) -> list[int]:
        """Examples sharing a word with the message, rarest words first, within budget.

        The rarest word always selects its examples; a commoner word only while they fit."""
        postings = self.index.postings
        known = sorted((w for w in words if w in postings), key=lambda w: len(postings[w]))
        chosen: set[int] = set()
        for word in known:
            ids = postings[word]
            if chosen and len(chosen) + len(ids) > budget:
                break
            chosen.update(ids)
        return sorted(chosen)

    def nearest_near_miss(self, key: str, words: Iterable[str]) -> Candidate | None:
        """The closest near miss sharing a word with the message. Not budgeted: a near miss
        reached only through a common word must still silence chatter; one rapidfuzz pass per
        word over precomputed keys keeps that cheap."""
        best: tuple[float, int] | None = None
        for word in words:
            keys = self.index.near_keys.get(word)
            if not keys:
                continue
            found = process.extractOne(key, keys, scorer=fuzz.ratio)
            if found is not None and (best is None or found[1] > best[0]):
                best = (found[1], self.index.near_postings[word][found[2]])
        if best is None:
            return None
        entry = self.index.entries[best[1]]
        score = round(best[0], 1)
        return Candidate(entry.intent, score, entry.text, entry.lang, True, score)

    def rank(self, text: str) -> tuple[list[Candidate], Candidate | None, Normalised]:
        """The best intents with their best example (best first), and the best near miss."""
        norm, key, words = self.query(text)
        if not key:
            return [], None, norm
        chosen = self.candidates(words)
        near = self.nearest_near_miss(key, words)
        # Only the rarest word was taken and it alone is over budget: let rapidfuzz keep the
        # closest few in C rather than loop over all of them in Python.
        limit = CANDIDATE_BUDGET // 10 if len(chosen) > CANDIDATE_BUDGET else None
        scores = process.extract(
            key, [self.index.keys[i] for i in chosen], scorer=fuzz.ratio, limit=limit,
            score_cutoff=self.thresholds.clarify_floor * 0.6,
        )
        best: dict[str, tuple[float, int]] = {}
        entries = self.index.entries
        for _, score, offset in scores:
            intent = entries[chosen[offset]].intent
            if intent not in best or score > best[intent][0]:
                best[intent] = (score, chosen[offset])
        coverage = self.coverage(words, best.keys())
        weight = self.thresholds.similarity_weight
        scored = [(weight * similarity + (1 - weight) * coverage.get(intent, 0.0), intent)
                  for intent, (similarity, _) in best.items()]
        # A decision reads the best three; inline mode shows a dozen at most.
        ranked = []
        for score, intent in heapq.nsmallest(TOP_INTENTS, scored, key=lambda s: (-s[0], s[1])):
            similarity, position = best[intent]
            entry = entries[position]
            ranked.append(Candidate(intent, round(score, 1), entry.text, entry.lang, False,
                                    round(similarity, 1), round(coverage.get(intent, 0.0), 1)))
        return ranked, near, norm

    def coverage(self, words: dict[str, bool],
                 intents: Collection[str] | None = None) -> dict[str, float]:
        """Per intent, the share (0-100) of the message's weighted words its examples use.

        A spell-corrected word counts only in part: "cuisine" is one letter from "cousine",
        and a real word mistaken for a typo must not make chatter look covered. With
        `intents`, only those are computed (a word like "smm" is in every intent)."""
        unknown = self.index.unknown_idf * self.thresholds.unknown_weight
        idf, intents_of = self.index.idf, self.index.intents_of
        total = sum(idf.get(word, unknown) for word in words) or 1.0
        covered: dict[str, float] = {}
        for word, corrected in words.items():
            users = intents_of.get(word)
            if not users:
                continue
            credit = (self.thresholds.corrected_credit if corrected else 1.0) * idf[word]
            both = users if intents is None else (
                [i for i in intents if i in users] if len(intents) < len(users)
                else [i for i in users if i in intents])
            for intent in both:
                covered[intent] = covered.get(intent, 0.0) + credit
        return {intent: 100 * value / total for intent, value in covered.items()}

    def detect_lang(self, text: str, norm: Normalised) -> str | None:
        votes = {lang: sum(t in self.index.lang_words[lang] for t in norm.tokens)
                 for lang in LANGS}
        if any(ch in _ACCENTED for ch in text.lower()):
            votes["fr"] += 1
        top = max(votes.values())
        leaders = [lang for lang, count in votes.items() if count == top]
        return leaders[0] if top > 0 and len(leaders) == 1 else None

    def decide(self, text: str, chat: ChatKind = "private", default_lang: str = "fr") -> Decision:
        ranked, near, norm = self.rank(text)
        lang = self.detect_lang(text, norm) or (ranked[0].lang if ranked else default_lang)
        return _decide(ranked, near, lang, chat, self.thresholds)


def _decide(ranked: list[Candidate], near: Candidate | None, lang: str, chat: ChatKind,
            limits: Thresholds) -> Decision:
    best = ranked[0] if ranked else None
    runner = ranked[1] if len(ranked) > 1 else None
    vetoed = near is not None and best is not None and near.score >= max(
        best.similarity, limits.near_miss_floor)
    nearest = near if vetoed or best is None else best

    def none(reason: str) -> Decision:
        score = best.score if best else 0.0
        return Decision("none", None, score, lang, None, runner, (), reason, nearest)

    if best is None:
        return none("no word in common with any example")
    if near is not None and near.score >= max(best.similarity, limits.near_miss_floor):
        return none(f"closer to a near miss of {near.intent}: {near.example!r}")
    threshold = limits.answer(chat)
    close = [c for c in ranked[:3] if best.score - c.score < limits.margin
             and c.score >= limits.clarify_floor]
    clarify_floor = limits.clarify_floor if chat == "private" else threshold
    if len(close) >= 2 and best.score >= clarify_floor:
        return Decision("clarify", None, best.score, lang, best.example, runner,
                        tuple(c.intent for c in close),
                        f"{len(close)} intents within {limits.margin:g} points", nearest)
    if best.similarity < limits.min_similarity:
        return none(f"no example is close enough (similarity {best.similarity:g} < "
                    f"{limits.min_similarity:g}), whatever the keywords")
    if best.score >= threshold:
        return Decision("answer", best.intent, best.score, lang, best.example, runner,
                        (), f"score {best.score:g} ≥ {threshold:g} ({chat})", nearest)
    lead = best.score - (runner.score if runner else 0.0)
    if (best.similarity >= limits.clear_similarity and lead >= limits.clear_lead
            and best.score >= threshold - limits.clear_discount):
        return Decision("answer", best.intent, best.score, lang, best.example, runner, (),
                        f"a very close example ({best.similarity:g}) and no rival within "
                        f"{lead:g} points ({chat})", nearest)
    return none(f"best score {best.score:g} is under the {chat} threshold {threshold:g}")
