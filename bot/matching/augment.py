"""Variants of the editors' sentences, made at training time so that editors need not write
them: the sentence told inside a story (the content's frames, intents/_frames.yaml), with a
typo or two. (Accents need no variant: the model reads accent-free text.)

Every variant is drawn from a generator seeded by the sentence itself: the same content
always trains the same model, whatever order the files are read in.
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

_WORD = re.compile(r"[^\W\d_]{4,}")
_VOWELS = "aeiou"
_NEIGHBOURS = {  # keys next to each other on AZERTY and QWERTY keyboards
    "a": "zqs", "z": "aes", "e": "zrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij",
    "i": "uok", "o": "ipl", "p": "ol", "q": "asw", "s": "qdz", "d": "sfe", "f": "dgr",
    "g": "fht", "h": "gjy", "j": "hku", "k": "jli", "l": "kmo", "m": "ln", "w": "xqs",
    "x": "wc", "c": "xv", "v": "cb", "b": "vn", "n": "bm",
}


@dataclass(frozen=True, slots=True)
class Augmentation:
    """How many variants of each sentence training adds."""

    framed: int = 1
    """Copies of each example told inside a story frame."""
    typos: int = 1
    """Copies of each example with one or two typos."""
    framed_negatives: int = 1
    """Copies of each negative inside a frame: a story alone must stay 'none'."""
    balance: int = 4
    """A myth with fewer examples than the median myth gets up to this many more rounds of
    variants, so that few examples are not outweighed by many (0: none). On the
    development sets a myth cut to 10 examples per language went from 35 % recall to 52 %."""

    def key(self) -> list[int]:
        return [self.framed, self.typos, self.framed_negatives, self.balance]


def rng_for(text: str, salt: int = 0) -> random.Random:
    return random.Random(zlib.crc32(text.encode()) + salt)


def typo(word: str, rng: random.Random) -> str:
    """One slip of the keyboard: a letter dropped, doubled, swapped or hit beside."""
    i = rng.randrange(1, len(word))
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2 and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    near = _NEIGHBOURS.get(word[i].lower(), _VOWELS)
    return word[:i] + rng.choice(near) + word[i + 1:]


def with_typos(text: str, rng: random.Random) -> str:
    """The sentence with one or two of its longer words mistyped."""
    spans = [m.span() for m in _WORD.finditer(text)]
    if not spans:
        return text
    chosen = sorted(rng.sample(spans, min(len(spans), rng.choice((1, 1, 2)))), reverse=True)
    for start, end in chosen:
        text = text[:start] + typo(text[start:end], rng) + text[end:]
    return text


def framed(text: str, frames: Sequence[str], rng: random.Random) -> str:
    return rng.choice(frames).replace("{}", text) if frames else text


def variants(text: str, lang: str, frames: Mapping[str, Sequence[str]],
             plan: Augmentation, negative: bool = False, salt: int = 0) -> Iterator[str]:
    """The training variants of one sentence (the sentence itself not included); another
    `salt` draws other frames and other typos."""
    rng = rng_for(text, salt)
    own = frames.get(lang, ())
    for _ in range(plan.framed_negatives if negative else plan.framed) if own else ():
        yield framed(text, own, rng)
    if negative:
        return
    for _ in range(plan.typos):
        yield with_typos(text, rng)
