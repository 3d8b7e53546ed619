"""What the model sees of a message: character and word n-grams of its normalised words.

Character n-grams (2 to 5 letters, inside word boundaries) make the model robust to typos,
missing accents and SMS spellings without a spell corrector that could turn a real word into
another ("payer" into "player"); word unigrams and bigrams carry the phrasing ("ton taf",
"all day"). Both sides, training and inference, go through this one function.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from bot.matching.normalise import Normalised, normalise

CHAR_NGRAMS = (2, 5)


def model_text(text: str) -> str:
    """The message as the model reads it: folded, abbreviations expanded, stop words kept
    ("tu", "your" say who the message is about)."""
    return model_text_of(normalise(text))


def model_text_of(norm: Normalised) -> str:
    """`model_text` of a message already normalised (a decision needs both)."""
    return " ".join(norm.tokens)


def features(folded: str) -> list[str]:
    """The n-grams of a `model_text`; word features are prefixed so they never collide with
    character ones."""
    words = folded.split()
    out = [f"w:{a} {b}" for a, b in itertools.pairwise(words)]
    for word in words:
        out += word_features(word)
    return out


@lru_cache(maxsize=65536)
def word_features(word: str) -> tuple[str, ...]:
    """A word's own features, the word itself and its character n-grams: the same few
    thousand words recur in every sentence, so each word's are computed once."""
    padded = f" {word} "
    low, high = CHAR_NGRAMS
    return (f"w:{word}", *(padded[i:i + size]
                           for size in range(low, min(high, len(padded)) + 1)
                           for i in range(len(padded) - size + 1)))
