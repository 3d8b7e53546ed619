"""The shape of the editors' YAML files, declared once.

The loader validates against these specs and the JSON Schemas shipped in
`schema/` are generated from them (`python -m bot.spec`), so an editor's
completion and `mythbot check` can never disagree about a key.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LANGS: tuple[str, ...] = ("fr", "en")
LANG_NAMES = {"fr": "French", "en": "English"}
ID_PATTERN = r"^[a-z][a-z0-9_]{1,40}$"


@dataclass(frozen=True, slots=True)
class Str:
    description: str
    pattern: str | None = None
    max_length: int | None = None


@dataclass(frozen=True, slots=True)
class Int:
    description: str
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class Strings:
    """A list of non-empty, distinct strings."""

    description: str
    min_items: int = 1


@dataclass(frozen=True, slots=True)
class PerLang:
    """One value per language: {fr: ..., en: ...}; every language is required."""

    description: str
    item: Str | Strings
    required_langs: bool = True


@dataclass(frozen=True, slots=True)
class Localised:
    """Text the same in every language, or one text per language: {fr: ..., en: ...}."""

    description: str

    @property
    def per_lang(self) -> PerLang:
        return PerLang("One text per language: {fr: ..., en: ...}.",
                       Str("The text in this language."))


@dataclass(frozen=True, slots=True)
class Obj:
    description: str
    fields: dict[str, Spec]
    required: tuple[str, ...] = field(default=())


Spec = Str | Int | Strings | PerLang | Localised | Obj

INTENT = Obj(
    "A myth (cliché) users may repeat, with the sentences that recognise it.",
    {
        "id": Str("Stable identifier, also the file name: intents/<id>.yaml.", ID_PATTERN),
        "order": Int("Position in the list of myths (/myths, inline mode).", 1, 999),
        "top5": Int("Rank in the 'Top 5 des clichés' article, for its five points only.", 1, 5),
        "title": PerLang("The cliché as users know it, short.", Str("Title", max_length=90)),
        "examples": PerLang(
            "Sentences people write when they repeat this cliché (about ten or more per "
            "language to start).",
            Strings("Examples", min_items=1),
        ),
        "near_misses": PerLang(
            "Chatter that shares words with this myth but is not it: never answered.",
            Strings("Near misses", min_items=1),
            required_langs=False,
        ),
    },
    required=("id", "order", "title", "examples"),
)

SOURCE = Obj(
    "Where the rebuttal comes from.",
    {
        "title": Str("The article's title."),
        "site": Localised("The site or kind of publication, as each language says it: "
                          "{fr: Blog Silgoweb, en: Silgoweb blog}."),
        "author": Str("The author, when the article names one."),
        "date": Str("Publication date, YYYY-MM-DD or YYYY, in quotes."),
        "part": Localised("Which part of the article the rebuttal draws on, as each language "
                          "says it: {fr: passage sur le salaire, en: section on pay}; one text "
                          "when it reads the same in both (point 3)."),
    },
    required=("title", "site", "date"),
)

RESPONSE = Obj(
    "The rebuttal of one myth.",
    {
        "intent": Str("The id of the intent this answers (intents/<id>.yaml).", ID_PATTERN),
        "text": PerLang(
            "The rebuttal. Telegram HTML: <b>, <i>, <u>, <s>, <code>, <blockquote>; "
            "write &amp; &lt; &gt; for & < >.",
            Str("Rebuttal"),
        ),
        "source": SOURCE,
    },
    required=("intent", "text", "source"),
)

NEGATIVES = Obj(
    "Shared negatives (intents/_none*.yaml): chatter and near misses of any myth, never "
    "answered. The model learns 'none of the myths' from them and from each intent's "
    "near_misses.",
    {
        "negatives": PerLang(
            "Messages the bot must not answer as a myth, one per line, per language.",
            Strings("Negatives", min_items=1),
            required_langs=False,
        ),
    },
    required=("negatives",),
)

TOPIC = Obj(
    "Topic words (intents/_topic.yaml): a message that volunteers no question in a group is "
    "answered only if it is about the job at all, which these words show.",
    {
        "words": PerLang(
            "Words or phrases that show a message is about the social media manager's job: "
            "role words (smm, community manager), job words (ton taf, your job), brand words "
            "(la marque, our brand).",
            Strings("Topic words", min_items=1),
        ),
    },
    required=("words",),
)

SMALLTALK_KINDS = ("greetings", "thanks", "sources")


def _smalltalk_words(what: str) -> PerLang:
    return PerLang(f"{what}, one per line, per language.", Strings("Phrases", min_items=1),
                   required_langs=False)


SMALLTALK = Obj(
    "Small talk (intents/_smalltalk.yaml): short messages that repeat no cliché but deserve "
    "a word back. A short message (eight words at most) that contains one of these phrases, "
    "and that the bot does not answer as a myth, gets a short reply instead of the list of "
    "myths. Compared like the examples: case, accents and punctuation do not matter.",
    {
        "greetings": _smalltalk_words("Hellos: answered with a short welcome"),
        "thanks": _smalltalk_words("Thanks and goodbyes: answered with a short \"you're "
                                   "welcome\""),
        "sources": _smalltalk_words("Questions about the sources or the author: answered "
                                    "with the sources (as /sources)"),
    },
)

FRAMES = Obj(
    "Story frames (intents/_frames.yaml): people tell a cliché inside a story (\"my uncle "
    "said: ...\"). At training time each example is also read inside some of these frames, "
    "and so is each negative, so the bot finds a cliché told in a story and stays quiet on "
    "chatter told the same way. Editors need not write their examples as stories.",
    {
        "frames": PerLang(
            "Frames, one per line, per language, each with one {} where the sentence goes: "
            "\"ma tante au dîner : « {} »\". Write no myth's words in a frame: it must fit "
            "any sentence.",
            Strings("Frames", min_items=1),
            required_langs=False,
        ),
    },
    required=("frames",),
)

SPECS = {"intents": INTENT, "responses": RESPONSE, "negatives": NEGATIVES, "topic": TOPIC,
         "smalltalk": SMALLTALK, "frames": FRAMES}
SCHEMA_FILES = {"intents": "intent.schema.json", "responses": "response.schema.json",
                "negatives": "negatives.schema.json", "topic": "topic.schema.json",
                "smalltalk": "smalltalk.schema.json", "frames": "frames.schema.json"}


def json_schema(spec: Spec) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) equivalent of a spec."""
    if isinstance(spec, Str):
        out: dict[str, Any] = {"type": "string", "minLength": 1, "description": spec.description}
        if spec.pattern:
            out["pattern"] = spec.pattern
        if spec.max_length:
            out["maxLength"] = spec.max_length
        return out
    if isinstance(spec, Int):
        out = {"type": "integer", "description": spec.description}
        if spec.minimum is not None:
            out["minimum"] = spec.minimum
        if spec.maximum is not None:
            out["maximum"] = spec.maximum
        return out
    if isinstance(spec, Strings):
        return {
            "type": "array",
            "description": spec.description,
            "minItems": spec.min_items,
            "uniqueItems": True,
            "items": {"type": "string", "minLength": 1},
        }
    if isinstance(spec, Localised):
        same = json_schema(Str("The same text in every language."))
        return {"description": spec.description, "anyOf": [same, json_schema(spec.per_lang)]}
    if isinstance(spec, PerLang):
        return {
            "type": "object",
            "description": spec.description,
            "properties": {lang: json_schema(spec.item) for lang in LANGS},
            "required": list(LANGS) if spec.required_langs else [],
            "additionalProperties": False,
        }
    return {
        "type": "object",
        "description": spec.description,
        "properties": {name: json_schema(sub) for name, sub in spec.fields.items()},
        "required": list(spec.required),
        "additionalProperties": False,
    }


def schema_document(kind: str) -> str:
    body = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": f"mythbot {kind}"}
    body.update(json_schema(SPECS[kind]))
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for kind, name in SCHEMA_FILES.items():
        (folder / name).write_text(schema_document(kind), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - developer tool
    write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "schema"))
