"""Fold a message to the form it is compared in: both sides go through the same steps.

Case, accents, punctuation and repeated letters are folded; job titles,
platforms and SMS spellings become one canonical token each (see `lexicon`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.matching.lexicon import PHRASES, STOPWORDS, TOKENS

_NON_WORD = re.compile(r"[^a-z0-9_]+")
_REPEATS = re.compile(r"([a-z])\1+")
_PHRASE = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(PHRASES, key=len, reverse=True)) + r")\b"
)
# Canonical tokens are protected from letter folding so that they stay readable in `ask`.
_PROTECTED = frozenset(PHRASES.values()) | frozenset(TOKENS.values())
# "faceboooook" folds to "facebok": send it back to the canonical word it shouts.
_UNFOLD = {_REPEATS.sub(r"\1", word): word for word in _PROTECTED
           if " " not in word and _REPEATS.sub(r"\1", word) not in TOKENS}
MAX_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Normalised:
    tokens: tuple[str, ...]
    content: tuple[str, ...]
    """Tokens that carry meaning: stop words removed, order kept."""
    words: tuple[str, ...] = ()
    """The folded words as written, before abbreviations and phrases are mapped: what the
    topic gate reads for a mistyped job title."""

    @property
    def key(self) -> str:
        """What the scorer compares: content words, sorted so that word order is free."""
        return " ".join(sorted(set(self.content)))


# "IT support" must not lose its meaning to the stop word "it": only the capitals tell them apart.
_IT = re.compile(r"\bIT\b")


def _strip_accents(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


# Latin letters without their accents, in one `str.translate`: the per-character NFKD pass is
# then needed only for rarer scripts, and content loads (thousands of sentences) stay fast.
_LATIN = {code: _strip_accents(chr(code)) for code in range(0xC0, 0x250)} | {
    ord("œ"): "oe", ord("Œ"): "oe", ord("æ"): "ae", ord("Æ"): "ae"}


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with single spaces."""
    text = _IT.sub("informatique", text[:MAX_CHARS]).casefold().translate(_LATIN)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


@lru_cache(maxsize=4096)
def _token(word: str) -> tuple[str, ...]:
    mapped = TOKENS.get(word)
    if mapped is None:
        folded = _REPEATS.sub(r"\1", word) if word not in _PROTECTED else word
        mapped = TOKENS.get(folded) or _UNFOLD.get(folded, folded)
    return tuple(mapped.split())


def normalise(text: str) -> Normalised:
    written = fold(text)
    folded = _PHRASE.sub(lambda m: PHRASES[m.group(1)], written)
    tokens = tuple(t for word in folded.split() for t in _token(word))
    content = tuple(t for t in tokens if t not in STOPWORDS)
    return Normalised(tokens, content, tuple(written.split()))
