"""The designs the figures argue for, measured beside the current code ("after").

`BudgetMatcher` (matching), `ambiguous_examples_fast` (the content check) and
`cached_keyboard` (the reply's buttons).

Same index, same normalisation, same scorer, same score formula as
`bot.matching.Matcher`; three differences:

1. Candidate budget, rarest words first. The engine scores every example that
   shares any word with the message. A word like "smm" is in 44% of the shipped
   examples (and a synthetic Zipf head word in 15%), so one common word makes the
   pre-filter select a large share of the index and the Python loop over the
   scores grows with the content. Here the message's known words are taken from
   the rarest (shortest posting list) up, and a word is skipped once it would
   bring the candidates over `budget`; the rarest word is always taken. Skipped
   words still count in the similarity key and in the coverage: they only stop
   selecting candidates. When the rarest word alone is over the budget (a message
   made only of very common words), rapidfuzz scores all its examples in C and
   only the closest `budget // 10` come back to the Python loop.
   Near misses are not budgeted: every near miss sharing a word is scored, as in
   the engine (a near miss vetoes an answer even through a common word), but in
   one C pass (`extractOne`), not in the Python loop.
2. Top 3 only. `decide` reads the best three intents and the best near miss; the
   engine builds and sorts a `Candidate` for every intent it touched.
3. Less Python per candidate: coverage is computed only for the intents that
   have a candidate (the engine walks every intent of every word, "smm" included),
   entries are looked up in flat lists, and a single word's candidate keys are
   precomputed.

With `budget=None` it makes exactly the engine's decisions (checked by the
benchmark on every message, as a guard that this copy still follows the engine).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from telegram import InlineKeyboardMarkup

from bot.checks import AMBIGUOUS_SIMILARITY
from bot.content import Content, Problem
from bot.matching import Candidate, ChatKind, Decision, Matcher, _decide
from bot.normalise import Normalised
from bot.replies import Button, Reply
from bot.telegram.sending import keyboard

DEFAULT_BUDGET = 500


class BudgetMatcher:
    def __init__(self, matcher: Matcher, budget: int | None = DEFAULT_BUDGET,
                 overflow_limit: int | None = None) -> None:
        self.matcher = matcher
        self.budget = budget
        self.overflow_limit = overflow_limit if overflow_limit else (
            None if budget is None else max(budget // 10, 20))
        index = matcher.index
        near_at = [entry.near_miss for entry in index.entries]
        self._intent_at = [entry.intent for entry in index.entries]
        self._postings: dict[str, tuple[int, ...]] = {}
        self._keys_of: dict[str, tuple[str, ...]] = {}
        self._near_postings: dict[str, tuple[int, ...]] = {}
        self._near_keys_of: dict[str, tuple[str, ...]] = {}
        # Before the budget one posting list held both; bot/matching.py now keeps two.
        combined: dict[str, set[int]] = {}
        for postings in (index.postings, getattr(index, "near_postings", {})):
            for token, ids in postings.items():
                combined.setdefault(token, set()).update(ids)
        for token, id_set in combined.items():
            ids = sorted(id_set)
            positives = tuple(i for i in ids if not near_at[i])
            near = tuple(i for i in ids if near_at[i])
            if positives:
                self._postings[token] = positives
                self._keys_of[token] = tuple(index.keys[i] for i in positives)
            if near:
                self._near_postings[token] = near
                self._near_keys_of[token] = tuple(index.keys[i] for i in near)
        self._intents_of = {word: frozenset(ids) for word, ids in index.intents_of.items()}

    def _words(self, text: str) -> tuple[Normalised, str, dict[str, bool]]:
        found: tuple[Any, ...] = self.matcher.query(text)
        if len(found) == 3:
            return found[0], found[1], found[2]
        return found[0], found[1], dict.fromkeys(found[1].split(), False)

    def select(self, tokens: list[str]) -> list[str]:
        """The words whose postings make the candidates: rarest first, within the budget."""
        known = sorted((len(self._postings[t]), t) for t in tokens if t in self._postings)
        if self.budget is None:
            return [token for _, token in known]
        chosen: list[str] = []
        total = 0
        for size, token in known:
            if chosen and total + size > self.budget:
                break
            chosen.append(token)
            total += size
        return chosen

    def candidates(self, key: str) -> tuple[list[int], list[str]]:
        """Positive examples to score: those sharing a selected word, in index order."""
        tokens = self.select(key.split())
        if len(tokens) == 1:
            return list(self._postings[tokens[0]]), list(self._keys_of[tokens[0]])
        unique: set[int] = set()
        for token in tokens:
            unique.update(self._postings[token])
        positions = sorted(unique)
        keys = self.matcher.index.keys
        return positions, [keys[i] for i in positions]

    def _near_miss(self, key: str, cutoff: float, alone: bool) -> tuple[float, int] | None:
        """The closest near miss sharing any word, as in the engine: no budget, since a near
        miss vetoes an answer even through a common word (with a budget, synthetic chatter
        at 10,000 intents loses vetoes and gets answered more). One C pass; the ties are
        resolved (first in index order, as the engine) only when the near miss can matter."""
        positions: list[int] = []
        keys: list[str] = []
        for token in key.split():
            if token in self._near_postings:
                positions += self._near_postings[token]
                keys += self._near_keys_of[token]
        found = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=cutoff)
        if found is None:
            return None
        score = found[1]
        floor = getattr(self.matcher.thresholds, "near_miss_floor", 0.0)
        if score < floor and not alone:
            return score, positions[found[2]]
        # extractOne may round its score a hair differently: take the ties from one extract.
        ties = process.extract(key, keys, scorer=fuzz.ratio, limit=None,
                               score_cutoff=max(score - 0.01, 0))
        top = max(tie for _, tie, _ in ties)
        return top, min(positions[offset] for _, tie, offset in ties if tie == top)

    def top(self, text: str, k: int | None = 3) -> tuple[list[Candidate], Candidate | None,
                                                          Normalised]:
        """The best k intents (all with k=None), the best near miss, the normalised text."""
        norm, key, words = self._words(text)
        if not key:
            return [], None, norm
        limits = self.matcher.thresholds
        cutoff = limits.clarify_floor * 0.6
        positions, keys = self.candidates(key)
        near = self._near_miss(key, cutoff, alone=not positions)
        # Over the budget only when the rarest word alone is: then rapidfuzz scores them all
        # in C, and only the closest `overflow_limit` examples come back to Python.
        over = self.budget is not None and len(positions) > self.budget
        scores = process.extract(key, keys, scorer=fuzz.ratio,
                                 limit=self.overflow_limit if over else None,
                                 score_cutoff=cutoff) if keys else []
        best: dict[str, tuple[float, int]] = {}
        intent_at = self._intent_at
        for _, score, offset in scores:
            position = positions[offset]
            intent = intent_at[position]
            held = best.get(intent)
            if held is None or score > held[0] or (score == held[0] and position < held[1]):
                best[intent] = (score, position)
        index = self.matcher.index
        unknown = index.unknown_idf * limits.unknown_weight
        total = sum(index.idf.get(word, unknown) for word in words) or 1.0
        credit = getattr(limits, "corrected_credit", 1.0)
        weights = [(self._intents_of.get(word, frozenset()),
                    (credit if corrected else 1.0) * index.idf.get(word, 0.0))
                   for word, corrected in words.items()]
        weight = limits.similarity_weight
        rows = []
        for intent, (similarity, position) in best.items():
            covered = 0.0
            for intents, value in weights:
                if intent in intents:
                    covered += value
            covered = 100 * covered / total
            score = weight * similarity + (1 - weight) * covered
            rows.append((-round(score, 1), intent, similarity, covered, position))
        chosen = sorted(rows) if k is None else heapq.nsmallest(k, rows)
        entries = index.entries
        ranked = [Candidate(intent, -score, entries[p].text, entries[p].lang, False,
                            round(similarity, 1), round(covered, 1))
                  for score, intent, similarity, covered, p in chosen]
        nearest = None
        if near is not None:
            entry = entries[near[1]]
            nearest = Candidate(entry.intent, round(near[0], 1), entry.text, entry.lang, True,
                                round(near[0], 1))
        return ranked, nearest, norm

    def decide(self, text: str, chat: ChatKind = "private", default_lang: str = "fr") -> Decision:
        ranked, near, norm = self.top(text)
        lang = self.matcher.detect_lang(text, norm) or (ranked[0].lang if ranked
                                                        else default_lang)
        return _decide(ranked, near, lang, chat, self.matcher.thresholds)


def ambiguous_examples_fast(content: Content, matcher: Matcher,
                            only: Sequence[int] | None = None) -> list[Problem]:
    """The problems of `bot.checks.ambiguous_examples`, with less Python per pair.

    The check only reports an example whose closest other-intent example scores at
    least AMBIGUOUS_SIMILARITY, so rapidfuzz is asked for those alone (the cutoff
    filters in C) and the example's own intent is scored only then; the original
    brings every pair over 40 back to Python. Same scorer, same order, same
    problems (the benchmark compares them); still one pass over all examples per
    example, so still quadratic. `only`: check just these index positions."""
    index = matcher.index
    positives = [i for i, entry in enumerate(index.entries) if not entry.near_miss]
    keys = [index.keys[i] for i in positives]
    own_positions: dict[str, list[int]] = {}
    for position in positives:
        own_positions.setdefault(index.entries[position].intent, []).append(position)
    problems: list[Problem] = []
    for position in positives if only is None else only:
        entry = index.entries[position]
        found = None
        for _, score, offset in process.extract(index.keys[position], keys, scorer=fuzz.ratio,
                                                limit=None, score_cutoff=AMBIGUOUS_SIMILARITY):
            candidate = index.entries[positives[offset]]
            if positives[offset] != position and candidate.intent != entry.intent:
                found = (score, candidate)
                break
        if found is None:
            continue
        other, candidate = found
        mine = [index.keys[p] for p in own_positions[entry.intent] if p != position]
        best_own = process.extractOne(index.keys[position], mine, scorer=fuzz.ratio,
                                      score_cutoff=40)
        own = best_own[1] if best_own else 0.0
        if other > own:
            myth = content.by_id[entry.intent]
            line = next((e.line for e in myth.examples if e.text == entry.text), 1)
            problems.append(Problem(
                myth.intent_path, line, 1,
                f"example {entry.text!r} is closer to intent '{candidate.intent}' "
                f"({candidate.text!r}, {other:.0f}) than to its own '{entry.intent}' "
                f"({own:.0f})",
                f"reword it so that it says what is specific to '{entry.intent}', or move it "
                f"to intents/{candidate.intent}.yaml"))
    return problems


@lru_cache(maxsize=1024)
def _markup(buttons: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    return keyboard(Reply("", buttons))


def cached_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """`bot.telegram.sending.keyboard`, built once per set of buttons.

    A reply's buttons depend only on the content, the language and the myth, so the
    same few keyboards come back all the time; PTB objects are frozen once built, so
    one can be shared. Building one costs ~13 µs per button (PTB's checked
    attribute setting), 7-12 buttons a reply."""
    return _markup(reply.buttons) if reply.buttons else None
