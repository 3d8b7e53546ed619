"""The topic gate: is a message about the social media manager's job at all?

In a group, an answer nobody asked for is worse than a missed one. Chatter that shares a
cliché's words ("my uncle is on Facebook all day", "what diploma does a nurse need?") can
look like a myth to any model trained on words; it almost never names the job. So an
unsolicited group answer also needs one of the editors' topic words (intents/_topic.yaml).

People mistype those words too ("comunity manageur", "resaux sociaux"): a topic word of eight
letters or more also opens the gate one typo away (two from ten letters; two letters swapped
count as one), through one rapidfuzz pass per phrase length. Shorter words ("smm",
"marque") must be written as they are: one letter away lies half the dictionary ("masque").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.matching.normalise import fold, normalise

FUZZY_MIN_CHARS = 8
"""Topic words shorter than this must be spelt exactly."""
TWO_TYPOS_FROM = 10
"""From this many letters a topic word may carry two typos."""


@dataclass(frozen=True, slots=True)
class TopicGate:
    phrases: frozenset[tuple[str, ...]]
    longest: int
    spellings: Mapping[int, tuple[str, ...]]
    """Per number of words, the folded topic words long enough to be matched with typos."""

    @classmethod
    def of(cls, words: Mapping[str, Sequence[str]]) -> TopicGate:
        # Normalised like messages, so "community manager", "CM" and "cm" are one phrase.
        phrases = frozenset(t for ws in words.values() for w in ws if (t := normalise(w).tokens))
        folded = {f for ws in words.values() for w in ws
                  if len(f := fold(w)) >= FUZZY_MIN_CHARS}
        by_size: dict[int, list[str]] = {}
        for spelling in sorted(folded):
            by_size.setdefault(len(spelling.split()), []).append(spelling)
        return cls(phrases, max((len(p) for p in phrases), default=0),
                   {n: tuple(s) for n, s in by_size.items()})

    def find(self, tokens: Sequence[str], words: Sequence[str] = ()) -> str | None:
        """The first topic phrase in the message's tokens, or else a topic word found with a
        typo or two among its folded `words`; None when neither is there."""
        for start in range(len(tokens)):
            for size in range(1, min(self.longest, len(tokens) - start) + 1):
                window = tuple(tokens[start:start + size])
                if window in self.phrases:
                    return " ".join(window)
        return self._mistyped(words)

    def _mistyped(self, words: Sequence[str]) -> str | None:
        for size, spellings in self.spellings.items():
            windows = [" ".join(words[i:i + size]) for i in range(len(words) - size + 1)]
            if not windows:
                continue
            distances = process.cdist(windows, spellings, scorer=OSA.distance,
                                      score_cutoff=2, dtype=np.int32, workers=1)
            allowed = np.array([1 if len(s) < TWO_TYPOS_FROM else 2 for s in spellings])
            hits = np.argwhere(distances <= allowed)
            if len(hits):
                window, spelling = hits[0]
                return f"{spellings[spelling]} (written '{windows[window]}')"
        return None
