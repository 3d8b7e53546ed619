"""The topic gate: is a message about the social media manager's job at all?

In a group, an answer nobody asked for is worse than a missed one. Chatter that shares a
cliché's words ("my uncle is on Facebook all day", "what diploma does a nurse need?") can
look like a myth to any model trained on words; it almost never names the job. So an
unsolicited group answer also needs one of the editors' topic words (intents/_topic.yaml).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.matching.normalise import normalise


@dataclass(frozen=True, slots=True)
class TopicGate:
    phrases: frozenset[tuple[str, ...]]
    longest: int

    @classmethod
    def of(cls, words: Mapping[str, Sequence[str]]) -> TopicGate:
        # Normalised like messages, so "community manager", "CM" and "cm" are one phrase.
        phrases = frozenset(t for ws in words.values() for w in ws if (t := normalise(w).tokens))
        return cls(phrases, max((len(p) for p in phrases), default=0))

    def find(self, tokens: Sequence[str]) -> str | None:
        """The first topic phrase in the message's tokens, or None."""
        for start in range(len(tokens)):
            for size in range(1, min(self.longest, len(tokens) - start) + 1):
                window = tuple(tokens[start:start + size])
                if window in self.phrases:
                    return " ".join(window)
        return None
