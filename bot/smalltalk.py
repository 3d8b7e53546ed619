"""Small talk: a short "merci", "hello there" or "what are your sources?" is not a miss.

Pure. The phrases are the editors' (intents/_smalltalk.yaml, `Content.smalltalk`), compared
as the examples are (`normalise`: case, accents, punctuation, repeated letters). The
conversation rules decide when small talk wins over the matcher (bot/conversation.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from bot.matching.lexicon import STOPWORDS
from bot.matching.normalise import normalise

Kind = Literal["greetings", "thanks", "sources"]
KINDS: tuple[Kind, ...] = ("sources", "thanks", "greetings")
"""Most telling first: "merci, c'est quoi tes sources ?" asks for the sources, and "hello,
thanks" is a thank-you."""
MAX_WORDS = 8
"""Longer than this, a message is telling something: the matcher's, not small talk."""

Phrases = tuple[tuple[Kind, str, tuple[str, ...]], ...]
"""(kind, language, phrase's tokens), every phrase of the content."""


@dataclass(frozen=True, slots=True)
class SmallTalk:
    kind: Kind
    lang: str | None
    """The language of the phrases found, when they are listed in one language only."""
    only: bool
    """Nothing else in the message but little words: it cannot be a cliché either."""


def recognise(text: str,
              words: Mapping[str, Mapping[str, tuple[str, ...]]]) -> SmallTalk | None:
    """The small talk a short message is, or None."""
    tokens = normalise(text).tokens
    if not tokens or len(tokens) > MAX_WORDS:
        return None
    found: list[tuple[Kind, str]] = []
    covered: set[int] = set()
    for kind, lang, phrase in _phrases(_frozen(words)):
        for start in _occurrences(tokens, phrase):
            found.append((kind, lang))
            covered.update(range(start, start + len(phrase)))
    if not found:
        return None
    kind = next(k for k in KINDS if any(f == k for f, _ in found))
    langs = {lang for f, lang in found if f == kind}
    only = all(i in covered or t in STOPWORDS for i, t in enumerate(tokens))
    return SmallTalk(kind, langs.pop() if len(langs) == 1 else None, only)


def _occurrences(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> list[int]:
    size = len(phrase)
    return [i for i in range(len(tokens) - size + 1) if tokens[i:i + size] == phrase]


Frozen = tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...]


def _frozen(words: Mapping[str, Mapping[str, tuple[str, ...]]]) -> Frozen:
    """The content's phrases as a key for the cache below (content mappings are not hashable)."""
    return tuple((kind, tuple(by_lang.items())) for kind, by_lang in words.items())


@lru_cache(maxsize=4)
def _phrases(words: Frozen) -> Phrases:
    """Each phrase normalised once per content version; one made of little words only would
    match anything, so it is left out."""
    out: list[tuple[Kind, str, tuple[str, ...]]] = []
    for kind in KINDS:
        for lang, phrases in dict(words).get(kind, ()):
            out.extend((kind, lang, norm.tokens) for norm in map(normalise, phrases)
                       if norm.content)
    return tuple(out)
