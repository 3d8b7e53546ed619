"""The matching engine and the content check before the candidate budget, kept to
show before and after.

`BaselineMatcher` is `bot.matching.Matcher.rank` and `coverage` as of commit
53fcfb3, verbatim but for the index's layout: every example sharing any word of
the message is scored (near misses included), every intent of every word gets
its coverage, and every intent touched gets a `Candidate`, sorted. It shares the
current `Matcher`'s index, normalisation, spelling and `_decide`, so that only
the candidate selection and ranking differ from the code being measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz, process

from bot.checks import AMBIGUOUS_SIMILARITY
from bot.content import Content, Problem
from bot.matching import Candidate, ChatKind, Decision, Matcher, _decide
from bot.normalise import Normalised


class BaselineMatcher:
    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        index = matcher.index
        # Before the budget, one posting list per word held positives and near misses.
        near: dict[str, tuple[int, ...]] = getattr(index, "near_postings", {})
        self.postings = {token: tuple(sorted(set(index.postings.get(token, ()))
                                             | set(near.get(token, ()))))
                         for token in index.postings.keys() | near.keys()}

    def _query(self, text: str) -> tuple[Normalised, str, dict[str, bool]]:
        found: tuple[Any, ...] = self.matcher.query(text)
        if len(found) == 3:
            return found[0], found[1], found[2]
        return found[0], found[1], dict.fromkeys(found[1].split(), False)

    def candidates(self, key: str) -> list[int]:
        positions: set[int] = set()
        for token in key.split():
            positions.update(self.postings.get(token, ()))
        return sorted(positions)

    def rank(self, text: str) -> tuple[list[Candidate], Candidate | None, Normalised]:
        """Best example per intent (best first), and the best near miss."""
        norm, key, words = self._query(text)
        if not key:
            return [], None, norm
        index, thresholds = self.matcher.index, self.matcher.thresholds
        positions: set[int] = set()
        for token in key.split():
            positions.update(self.postings.get(token, ()))
        if not positions:
            return [], None, norm
        chosen = sorted(positions)
        scores = process.extract(
            key, [index.keys[i] for i in chosen], scorer=fuzz.ratio, limit=None,
            score_cutoff=thresholds.clarify_floor * 0.6,
        )
        best: dict[str, tuple[float, int]] = {}
        near: Candidate | None = None
        for _, score, offset in scores:
            entry = index.entries[chosen[offset]]
            if entry.near_miss:
                if near is None or score > near.score:
                    near = Candidate(entry.intent, round(score, 1), entry.text, entry.lang, True,
                                     round(score, 1))
            elif entry.intent not in best or score > best[entry.intent][0]:
                best[entry.intent] = (score, chosen[offset])
        coverage = self.coverage(words)
        weight = thresholds.similarity_weight
        ranked = []
        for intent, (similarity, position) in best.items():
            entry = index.entries[position]
            covered = coverage.get(intent, 0.0)
            score = weight * similarity + (1 - weight) * covered
            ranked.append(Candidate(intent, round(score, 1), entry.text, entry.lang, False,
                                    round(similarity, 1), round(covered, 1)))
        ranked.sort(key=lambda c: (-c.score, c.intent))
        return ranked, near, norm

    def coverage(self, words: dict[str, bool]) -> dict[str, float]:
        """Per intent, the share (0-100) of the message's weighted words its examples use."""
        index, thresholds = self.matcher.index, self.matcher.thresholds
        unknown = index.unknown_idf * thresholds.unknown_weight
        total = sum(index.idf.get(word, unknown) for word in words) or 1.0
        credit_corrected = getattr(thresholds, "corrected_credit", 1.0)
        covered: dict[str, float] = {}
        for word, corrected in words.items():
            credit = credit_corrected if corrected else 1.0
            for intent in index.intents_of.get(word, ()):
                covered[intent] = covered.get(intent, 0.0) + credit * index.idf[word]
        return {intent: 100 * value / total for intent, value in covered.items()}

    def decide(self, text: str, chat: ChatKind = "private", default_lang: str = "fr") -> Decision:
        ranked, near, norm = self.rank(text)
        lang = self.matcher.detect_lang(text, norm) or (ranked[0].lang if ranked
                                                        else default_lang)
        return _decide(ranked, near, lang, chat, self.matcher.thresholds)


def ambiguous_examples_before(content: Content, matcher: Matcher,
                              only: Sequence[int] | None = None) -> list[Problem]:
    """`bot.checks.ambiguous_examples` as of commit 53fcfb3: every example against every
    positive example. `only`: check just these index positions (to time a sample)."""
    index = matcher.index
    positives = [i for i, entry in enumerate(index.entries) if not entry.near_miss]
    keys = [index.keys[i] for i in positives]
    problems: list[Problem] = []
    for position in positives if only is None else only:
        entry = index.entries[position]
        own = other = 0.0
        other_example, other_intent = "", ""
        for _, score, offset in process.extract(index.keys[position], keys, scorer=fuzz.ratio,
                                                limit=None, score_cutoff=40):
            candidate = index.entries[positives[offset]]
            if positives[offset] == position:
                continue
            if candidate.intent == entry.intent:
                own = max(own, score)
            elif score > other:
                other, other_example, other_intent = score, candidate.text, candidate.intent
        if other > own and other >= AMBIGUOUS_SIMILARITY:
            myth = content.by_id[entry.intent]
            line = next((e.line for e in myth.examples if e.text == entry.text), 1)
            problems.append(Problem(
                myth.intent_path, line, 1,
                f"example {entry.text!r} is closer to intent '{other_intent}' "
                f"({other_example!r}, {other:.0f}) than to its own '{entry.intent}' ({own:.0f})",
                f"reword it so that it says what is specific to '{entry.intent}', or move it "
                f"to intents/{other_intent}.yaml"))
    return problems
