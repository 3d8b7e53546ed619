"""Synthetic content and messages of any size, reproducible from a seed.

`synthetic_content(n, seed, shape)` builds a `Content` of n intents in memory (no YAML),
with everything the trained matcher reads: per intent and language `shape.examples`
examples of 5-15 words and `shape.near_misses` near misses; `shape.negatives` shared
negatives (chatter, half per language); and the topic gate's words (`Content.topic`,
`GATE_WORDS` per language, a third of them two-word phrases). `default_shape(n)` keeps
1,000 intents bounded: 10 examples and 1 near miss per language there instead of 20 and 2.
The words of an example are:

- real stop words (with accents, elisions and capitals in French), which the
  normaliser has to fold and drop, as it does with users' messages;
- general words drawn from a vocabulary of pseudo-words with a Zipf
  distribution (rank r has weight 1/r), so that a few words are in a large
  share of the examples, as "smm" is in 44% of the shipped examples;
- the intent's own topic words (6 per language), drawn from a pool large
  enough that a topic word is shared by only a few intents;
- in half the examples, one of the gate's words (as "smm" or "ton taf" say that a
  message is about the job); a fifth of the negatives and of the chatter have one too.

`synthetic_messages(content, n, seed)` gives what users write: half positives
(an example with typos, swapped, dropped or extra words) and half chatter
(sentences of the same stop words and general words, one in five with an intent's
topic word, as "je suis sur facebook ce soir" shares a word with a myth, and one in
five with a gate word). Shared negatives are made the same way as chatter, from
another random stream.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from bot.content import Content, Example, Myth, Source

LANGS = ("fr", "en")
EXAMPLES_PER_LANG = 20
NEAR_MISSES_PER_LANG = 2
NEGATIVES = 2_000
"""Shared negatives, both languages together (the shipped content has about 2,500)."""
TOPIC_WORDS = 6
GATE_WORDS = 30
"""The topic gate's words per language (the shipped content has 50-60)."""
P_GATE_EXAMPLE, P_GATE_CHATTER = 0.5, 0.2
GENERAL_WORDS = 3000
MIN_WORDS, MAX_WORDS = 5, 15

STOP_WORDS = {
    "fr": (
        "le la les un une des de du d' l' et ou mais donc car ni que qu' qui quoi est c'est "
        "ce cette ces ça il elle on nous vous ils elles je j' tu t' me m' te se s' en y au aux "
        "pour par avec sans sur dans sous chez pas ne n' plus très trop bien aussi même déjà "
        "là ici tout tous toute être été était fait faire a as ai ont sont suis es mon ma mes "
        "ton ta tes son sa ses notre votre leur leurs vraiment genre alors hein"
    ).split(),
    "en": (
        "the a an and or but so of to in on at by for with from as is are was were be been "
        "am i me my you your he she it its we our they their them this that these those there "
        "here do does did have has had not no what which who how when where why can could "
        "would should will just very really too also all any some about into over than then"
    ).split(),
}
SYLLABLES = {
    "fr": ("ba be bé bo bu ca ce ci co cu da de dé di do fa fe fi fo ga gé go la le lé li "
           "lo lu ma me mé mi mo mu na ne né ni no pa pe pé pi po ra re ré ri ro ru sa se "
           "si so ta te té ti to va ve vé vi vo on an en in ou oi eau ain eur").split(),
    "en": ("ba be bi bo bu ca co cu da de di do fa fe fi fo ga ge go ha he hi ho ka ke ki "
           "la le li lo lu ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta "
           "te ti to va ve vi wa we wi ya er ing ly ty ness ment").split(),
}
# How an example's words are drawn: stop word, general word, else the intent's topic.
P_STOP, P_GENERAL = 0.45, 0.30
KEYBOARD = "azertyuiopqsdfghjklmwxcvbn"


@dataclass(frozen=True, slots=True)
class Shape:
    """How much content each intent and the whole get."""

    examples: int = EXAMPLES_PER_LANG
    """Examples per intent and language."""
    near_misses: int = NEAR_MISSES_PER_LANG
    """Near misses per intent and language."""
    negatives: int = NEGATIVES
    """Shared negatives, both languages together."""

    def describe(self) -> str:
        misses = "near miss" if self.near_misses == 1 else "near misses"
        return (f"{self.examples} examples and {self.near_misses} {misses} per intent and "
                f"language, {self.negatives:,} shared negatives")


def default_shape(intents: int) -> Shape:
    """Realistic but bounded: at 1,000 intents and more, 10 examples per language and one
    near miss (the training set stays around 24,000 sentences)."""
    if intents >= 1_000:
        return Shape(examples=10, near_misses=1)
    return Shape()


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Pseudo-words of one language: a Zipf-weighted general vocabulary, a topic pool, and
    the topic gate's words and phrases."""

    general: tuple[str, ...]
    cumulative: tuple[float, ...]
    topics: tuple[str, ...]
    gate: tuple[str, ...]

    def zipf(self, rng: random.Random) -> str:
        index = bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])
        return self.general[min(index, len(self.general) - 1)]


def _pseudo_words(lang: str, count: int, rng: random.Random, taken: set[str]) -> list[str]:
    syllables = SYLLABLES[lang]
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choice(syllables) for _ in range(rng.choice((2, 3, 3, 4))))
        if word not in taken and len(word) >= 4:
            taken.add(word)
            words.append(word)
    return words


def vocabulary(lang: str, topics: int, seed: int) -> Vocabulary:
    rng = random.Random(f"{seed}:{lang}:vocabulary")
    taken = set(STOP_WORDS[lang])
    general = _pseudo_words(lang, GENERAL_WORDS, rng, taken)
    weights = itertools.accumulate(1.0 / rank for rank in range(1, GENERAL_WORDS + 1))
    topic_words = _pseudo_words(lang, topics, rng, taken)
    single = _pseudo_words(lang, GATE_WORDS, rng, taken)
    # A third are phrases of two words, as "community manager" or "ton taf".
    gate = [f"{w} {rng.choice(single)}" if i % 3 == 0 else w for i, w in enumerate(single)]
    return Vocabulary(tuple(general), tuple(weights), tuple(topic_words), tuple(gate))


def _sentence(words: list[str], rng: random.Random) -> str:
    text = " ".join(words)
    text = text.replace("' ", "'")
    if rng.random() < 0.3:
        text = text[:1].upper() + text[1:]
    return text + rng.choice(("", "", " ?", "?", " !", "."))


def _example(lang: str, vocab: Vocabulary, topic: list[str], rng: random.Random) -> str:
    length = rng.randint(MIN_WORDS, MAX_WORDS)
    words: list[str] = []
    for _ in range(length):
        draw = rng.random()
        if draw < P_STOP:
            words.append(rng.choice(STOP_WORDS[lang]))
        elif draw < P_STOP + P_GENERAL:
            words.append(vocab.zipf(rng))
        else:
            words.append(rng.choice(topic))
    if not any(word in topic for word in words):  # an example always says what it is about
        words[rng.randrange(length)] = rng.choice(topic)
    if rng.random() < P_GATE_EXAMPLE:
        words.insert(rng.randrange(length + 1), rng.choice(vocab.gate))
    return _sentence(words, rng)


def _chatter(lang: str, vocab: Vocabulary, rng: random.Random) -> str:
    """A sentence of stop words and general words; one in five with an intent's topic word,
    one in five with a gate word."""
    words = [rng.choice(STOP_WORDS[lang]) if rng.random() < 0.5 else vocab.zipf(rng)
             for _ in range(rng.randint(MIN_WORDS, MAX_WORDS))]
    if rng.random() < 0.2:
        words[rng.randrange(len(words))] = rng.choice(vocab.topics)
    if rng.random() < P_GATE_CHATTER:
        words.insert(rng.randrange(len(words) + 1), rng.choice(vocab.gate))
    return _sentence(words, rng)


def _near_miss(lang: str, vocab: Vocabulary, topic: list[str], rng: random.Random) -> str:
    words = [rng.choice(STOP_WORDS[lang]) if rng.random() < 0.5 else vocab.zipf(rng)
             for _ in range(rng.randint(MIN_WORDS, MAX_WORDS))]
    words[rng.randrange(len(words))] = rng.choice(topic)
    return _sentence(words, rng)


def vocabularies(intents: int, seed: int) -> dict[str, Vocabulary]:
    pool = max(2_000, 3 * intents)
    return {lang: vocabulary(lang, pool, seed) for lang in LANGS}


def synthetic_content(intents: int, seed: int = 1, shape: Shape | None = None) -> Content:
    """n intents of `shape` (default: `default_shape(n)`), shared negatives and the gate's
    words, in memory."""
    shape = shape or default_shape(intents)
    vocabs = vocabularies(intents, seed)
    rng = random.Random(f"{seed}:{intents}:content")
    source = Source("Synthetic benchmark content", "benchmarks/synthetic.py", "2026-01-01")
    myths: list[Myth] = []
    width = len(str(intents))
    for number in range(intents):
        intent = f"intent_{number:0{width}d}"
        examples: list[Example] = []
        near: list[Example] = []
        for lang in LANGS:
            topic = rng.sample(vocabs[lang].topics, TOPIC_WORDS)
            texts: set[str] = set()
            while len(texts) < shape.examples:
                texts.add(_example(lang, vocabs[lang], topic, rng))
            examples += [Example(t, lang, line) for line, t in enumerate(sorted(texts), 1)]
            near += [Example(_near_miss(lang, vocabs[lang], topic, rng), lang, 100 + i)
                     for i in range(shape.near_misses)]
        title = MappingProxyType({lang: f"{intent} ({lang})" for lang in LANGS})
        rebuttal = MappingProxyType({lang: f"Rebuttal of {intent} ({lang})." for lang in LANGS})
        myths.append(Myth(intent, number + 1, None, title, tuple(examples), tuple(near),
                          rebuttal, source, f"intents/{intent}.yaml",
                          f"responses/{intent}.yaml"))
    negatives: list[Example] = []
    negative_rng = random.Random(f"{seed}:{intents}:negatives")
    for lang in LANGS:
        texts = set()
        while len(texts) < shape.negatives // len(LANGS):
            texts.add(_chatter(lang, vocabs[lang], negative_rng))
        negatives += [Example(t, lang, line, "intents/_none.yaml")
                      for line, t in enumerate(sorted(texts), 1)]
    topic = {lang: vocabs[lang].gate for lang in LANGS}
    return Content.of(myths, Path("synthetic"), tuple(negatives), topic)


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    intent: str | None
    """The intent the message was made from; None for chatter."""
    lang: str


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # two letters swapped
        return word[:at - 1] + word[at] + word[at - 1] + word[at + 1:]
    if kind == 1:  # a letter dropped
        return word[:at] + word[at + 1:]
    if kind == 2:  # a letter doubled
        return word[:at] + word[at] + word[at:]
    return word[:at] + rng.choice(KEYBOARD) + word[at + 1:]  # a wrong key


def _perturbed(text: str, lang: str, vocab: Vocabulary, rng: random.Random) -> str:
    words = text.rstrip("?!. ").split()
    for _ in range(rng.choice((0, 1, 1, 2))):
        at = rng.randrange(len(words))
        words[at] = _typo(words[at], rng)
    if rng.random() < 0.4 and len(words) > 2:
        at = rng.randrange(len(words) - 1)
        words[at], words[at + 1] = words[at + 1], words[at]
    if rng.random() < 0.3 and len(words) > MIN_WORDS:
        del words[rng.randrange(len(words))]
    for _ in range(rng.choice((0, 0, 1, 2))):
        extra = rng.choice(STOP_WORDS[lang]) if rng.random() < 0.6 else vocab.zipf(rng)
        words.insert(rng.randrange(len(words) + 1), extra)
    if rng.random() < 0.3:
        words = [w.lower() for w in words]
    return " ".join(words) + rng.choice(("", " ?", "?", " !!", "..."))


def synthetic_messages(content: Content, count: int, seed: int = 1) -> list[Message]:
    """count messages, positives and chatter alternating, 5-15 words (a few more with extras)."""
    vocabs = vocabularies(len(content.myths), seed)
    rng = random.Random(f"{seed}:{len(content.myths)}:messages")
    messages: list[Message] = []
    for number in range(count):
        lang = rng.choice(LANGS)
        if number % 2 == 0:
            myth = rng.choice(content.myths)
            example = rng.choice([e for e in myth.examples if e.lang == lang])
            messages.append(Message(_perturbed(example.text, lang, vocabs[lang], rng),
                                    myth.id, lang))
            continue
        messages.append(Message(_chatter(lang, vocabs[lang], rng), None, lang))
    return messages
