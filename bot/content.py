"""Load the editors' YAML (intents/ and responses/) into immutable objects.

Each file is read by `bot.yamlfile` (problems with file, line, column and a fix); this
module pairs intents with their rebuttals, gathers the negatives and topic words, and
checks what spans files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from bot.html import MAX_MESSAGE, html_mistakes, visible_length
from bot.spec import (
    FRAMES,
    INTENT,
    LANG_NAMES,
    LANGS,
    NEGATIVES,
    RESPONSE,
    SMALLTALK,
    SMALLTALK_KINDS,
    TOPIC,
)
from bot.yamlfile import FileReader, Problem, Severity, read_files, shown

__all__ = ["Content", "Example", "LoadResult", "Myth", "Problem", "Severity", "Source",
           "load_content"]

MIN_EXAMPLES = 10
"""Below this, `check` warns: a myth is started from about ten examples per language."""


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    site: str | Mapping[str, str]
    """One text for every language, or one per language (the article's title stays as is)."""
    date: str
    author: str | None = None
    part: str | Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    lang: str
    line: int
    path: str = ""
    """The editor's file, relative to the content folder: where `check` points."""


@dataclass(frozen=True, slots=True)
class Myth:
    """One intent and its rebuttal, as users meet them."""

    id: str
    order: int
    top5: int | None
    title: Mapping[str, str]
    examples: tuple[Example, ...]
    near_misses: tuple[Example, ...]
    rebuttal: Mapping[str, str]
    source: Source
    intent_path: str = ""
    response_path: str = ""


@dataclass(frozen=True, slots=True)
class Content:
    myths: tuple[Myth, ...]
    folder: Path
    by_id: Mapping[str, Myth] = field(default_factory=lambda: MappingProxyType({}))
    negatives: tuple[Example, ...] = ()
    """Shared chatter and near misses (intents/_none*.yaml): what "none of the myths" is."""
    topic: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """Per language, the words that show a message is about the job (intents/_topic.yaml)."""
    smalltalk: Mapping[str, Mapping[str, tuple[str, ...]]] = field(
        default_factory=lambda: MappingProxyType({}))
    """Per kind (greetings, thanks, sources), per language, the phrases that make a short
    message small talk (intents/_smalltalk.yaml)."""
    frames: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """Per language, story frames with one {} (intents/_frames.yaml): training reads the
    examples and negatives inside them too."""

    @classmethod
    def of(cls, myths: list[Myth], folder: Path, negatives: tuple[Example, ...] = (),
           topic: Mapping[str, tuple[str, ...]] | None = None,
           smalltalk: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
           frames: Mapping[str, tuple[str, ...]] | None = None) -> Content:
        ordered = tuple(sorted(myths, key=lambda m: (m.order, m.id)))
        return cls(ordered, folder, MappingProxyType({m.id: m for m in ordered}), negatives,
                   MappingProxyType(dict(topic or {})), MappingProxyType(dict(smalltalk or {})),
                   MappingProxyType(dict(frames or {})))

    @property
    def all_negatives(self) -> tuple[Example, ...]:
        """Everything the model learns as "none": shared negatives and every near miss."""
        return self.negatives + tuple(e for m in self.myths for e in m.near_misses)

    @property
    def sentences(self) -> tuple[Example, ...]:
        """Every sentence the editors wrote: the examples, then all the negatives."""
        return tuple(e for m in self.myths for e in m.examples) + self.all_negatives

    @property
    def top5(self) -> tuple[Myth, ...]:
        return tuple(sorted((m for m in self.myths if m.top5), key=lambda m: m.top5 or 0))

    @property
    def sources(self) -> tuple[Source, ...]:
        seen: dict[tuple[str, str], Source] = {}
        for myth in self.myths:
            key = (myth.source.title, myth.source.date)
            seen.setdefault(key, Source(myth.source.title, myth.source.site, myth.source.date,
                                        myth.source.author))
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class LoadResult:
    content: Content | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


def load_content(folder: Path) -> LoadResult:
    """Read and validate a content folder; `content` is None when there is any error."""
    problems: list[Problem] = []
    for sub in ("intents", "responses"):
        if not (folder / sub).is_dir():
            problems.append(Problem(str(folder / sub), 1, 1, f"no '{sub}' folder",
                                    "--content must name a folder holding intents/ and "
                                    "responses/ (or set MYTHBOT_CONTENT)"))
    if problems:
        return LoadResult(None, tuple(problems))
    intents: dict[str, tuple[FileReader, dict[str, Any]]] = {}
    responses: dict[str, tuple[FileReader, dict[str, Any]]] = {}
    # A file that could not be read already has its error; its partner is not an orphan.
    unreadable: set[str] = set()
    for kind, spec, target, key in (("intents", INTENT, intents, "id"),
                                    ("responses", RESPONSE, responses, "intent")):
        for reader, data in read_files(folder, kind, spec):
            if data is not None and isinstance(data.get(key), str):
                _register(reader, data, key, target, kind)
            else:
                unreadable.add(reader.path.stem)
            problems.extend(reader.problems)
    myths = _pair(intents, responses, problems, unreadable)
    if not myths and not problems:
        problems.append(Problem("intents", 1, 1, "no intents found",
                                "add intents/<id>.yaml and responses/<id>.yaml"))
    problems.extend(_order_problems(myths, {i: r for i, (r, _) in intents.items()}))
    negatives = _negatives(folder, problems)
    topic = _topic(folder, problems)
    smalltalk = _smalltalk(folder, problems)
    frames = _frames(folder, problems)
    problems.extend(_unread_files(folder))
    has_errors = any(p.severity == "error" for p in problems)
    content = None if has_errors else Content.of(myths, folder, negatives, topic, smalltalk,
                                                 frames)
    return LoadResult(content, tuple(problems))


def _unread_files(folder: Path) -> list[Problem]:
    """Files the loader skips: a content file with the wrong extension must not vanish."""
    problems = []
    for sub in ("intents", "responses"):
        for path in sorted((folder / sub).iterdir()):
            if path.name.startswith(".") or not path.is_file() or path.suffix in (".yaml", ".yml"):
                continue
            stem = path.name.split(".")[0]
            meant = ".yaml" in path.name.lower() or ".yml" in path.name.lower()
            problems.append(Problem(
                shown(path, folder), 1, 1, f"{path.name} is not read: only .yaml files are",
                f"rename it to {stem}.yaml" if meant else "move it out of the content folder",
                "error" if meant else "warning"))
    return problems


def _negatives(folder: Path, problems: list[Problem]) -> tuple[Example, ...]:
    out: list[Example] = []
    for reader, data in read_files(folder, "intents", NEGATIVES, "_none*.y*ml"):
        problems.extend(reader.problems)
        by_lang = (data or {}).get("negatives") or {}
        for lang in LANGS:
            out.extend(Example(item.value, lang, item.line, reader.shown)
                       for item in by_lang.get(lang) or [])
    if not out:
        problems.append(Problem(
            "intents/_none.yaml", 1, 1, "no shared negatives",
            "add intents/_none.yaml with 'negatives:' then 'fr:' and 'en:' lists of chatter "
            "the bot must not answer: without them it cannot learn what is not a myth",
            "warning"))
    return tuple(out)


def _topic(folder: Path, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    found = list(read_files(folder, "intents", TOPIC, "_topic.y*ml"))
    for reader, _ in found:
        problems.extend(reader.problems)
    strays = [p for p in sorted((folder / "intents").glob("_*.y*ml"))
              if not p.name.startswith(("_none", "_topic", "_smalltalk", "_frames"))]
    for path in strays:
        problems.append(Problem(shown(path, folder), 1, 1,
                                f"unknown special file {path.name}",
                                "files starting with '_' are _none*.yaml (shared negatives), "
                                "_topic.yaml (topic words), _smalltalk.yaml (greetings, "
                                "thanks, sources) and _frames.yaml (story frames); rename it"))
    if not found:
        problems.append(Problem(
            "intents/_topic.yaml", 1, 1, "no topic words",
            "add intents/_topic.yaml with 'words:' then 'fr:' and 'en:' lists; without them "
            "the bot never answers a group message it was not asked about", "warning"))
        return {}
    words = found[0][1].get("words") if found[0][1] else None
    return {lang: tuple(item.value for item in (words or {}).get(lang) or []) for lang in LANGS}


def _smalltalk(folder: Path, problems: list[Problem]) -> dict[str, dict[str, tuple[str, ...]]]:
    """Optional: without the file, short greetings get the help like any other miss."""
    found = {}
    for reader, data in read_files(folder, "intents", SMALLTALK, "_smalltalk.y*ml"):
        problems.extend(reader.problems)
        found = {kind: {lang: tuple(item.value for item in ((data or {}).get(kind) or {})
                                    .get(lang) or [])
                        for lang in LANGS} for kind in SMALLTALK_KINDS}
    return found


def _frames(folder: Path, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    """Optional: without the file, the model learns from the examples as they are written."""
    found: dict[str, tuple[str, ...]] = {}
    for reader, data in read_files(folder, "intents", FRAMES, "_frames.y*ml"):
        for lang in LANGS:
            items = ((data or {}).get("frames") or {}).get(lang) or []
            for item in items:
                if item.value.count("{}") != 1:
                    reader.problem(item.line, item.column,
                                   f"a frame needs exactly one {{}} (this one has "
                                   f"{item.value.count('{}')})",
                                   "write {} once, where the cliché goes: "
                                   "\"ma tante au dîner : « {} »\"")
            found[lang] = tuple(i.value for i in items if i.value.count("{}") == 1)
        problems.extend(reader.problems)
    return found


def _register(reader: FileReader, data: dict[str, Any], key: str,
              target: dict[str, tuple[FileReader, dict[str, Any]]], kind: str) -> None:
    ident = data.get(key)
    if not isinstance(ident, str):
        return
    line, column = _key_line(reader, key)
    if reader.path.stem != ident:
        reader.problem(line, column,
                       f"'{key}: {ident}' does not match the file name {reader.path.name}",
                       f"rename the file to {ident}.yaml or change '{key}'")
    if ident in target:
        other = target[ident][0]
        reader.problem(line, column, f"duplicate {kind[:-1]} '{ident}': {other.shown} has it "
                                     f"too (line {_key_line(other, key)[0]})",
                       "give each file its own id")
        return
    target[ident] = (reader, data)


def _pair(intents: dict[str, tuple[FileReader, dict[str, Any]]],
          responses: dict[str, tuple[FileReader, dict[str, Any]]],
          problems: list[Problem], unreadable: set[str]) -> list[Myth]:
    myths: list[Myth] = []
    for ident, (reader, data) in intents.items():
        if ident not in responses and ident in unreadable:
            continue
        if ident not in responses:
            problems.append(_at_key(reader, "id", f"intent '{ident}' has no response",
                                    f"add responses/{ident}.yaml with its rebuttal "
                                    f"(`mythbot new` writes both files of a new myth)"))
            continue
        response_reader, response = responses[ident]
        myth = _myth(ident, reader, data, response_reader, response, problems)
        if myth:
            myths.append(myth)
    for ident, (reader, _) in responses.items():
        if ident not in intents and ident not in unreadable:
            problems.append(_at_key(reader, "intent",
                                    f"response for '{ident}', but there is no such intent",
                                    f"add intents/{ident}.yaml, or fix 'intent:' "
                                    f"(known: {', '.join(sorted(intents)) or 'none'})"))
    return myths


def _myth(ident: str, reader: FileReader, data: dict[str, Any],
          response_reader: FileReader, response: dict[str, Any],
          problems: list[Problem]) -> Myth | None:
    examples = _examples(data.get("examples"), reader, problems)
    near = _examples(data.get("near_misses"), reader, problems, required=False)
    text, title, source = response.get("text"), data.get("title"), response.get("source")
    if not (isinstance(text, dict) and isinstance(title, dict) and isinstance(source, dict)):
        return None
    if any(text.get(lang) is None for lang in LANGS):
        return None
    if any(source.get(k) is None for k in ("title", "site", "date")):
        return None
    _check_rebuttals(text, response_reader, problems)
    return Myth(
        id=ident,
        order=data.get("order") or 999,
        top5=data.get("top5"),
        title=MappingProxyType({lang: title.get(lang) or ident for lang in LANGS}),
        examples=examples,
        near_misses=near,
        rebuttal=MappingProxyType(dict(text)),
        source=Source(source["title"], _frozen(source["site"]), source["date"],
                      source.get("author"), _frozen(source.get("part"))),
        intent_path=reader.shown,
        response_path=response_reader.shown,
    )


def _frozen(value: Any) -> Any:
    return MappingProxyType(dict(value)) if isinstance(value, dict) else value


def _examples(value: Any, reader: FileReader, problems: list[Problem],
              required: bool = True) -> tuple[Example, ...]:
    if not isinstance(value, dict):
        return ()
    out: list[Example] = []
    for lang in LANGS:
        items = value.get(lang) or []
        if required and 0 < len(items) < MIN_EXAMPLES:
            problems.append(Problem(reader.shown, items[0].line, items[0].column,
                                    f"only {len(items)} {LANG_NAMES[lang]} examples",
                                    f"write {MIN_EXAMPLES} or more varied ones: matching "
                                    "learns only from them", "warning"))
        out.extend(Example(item.value, lang, item.line, reader.shown) for item in items)
    return tuple(out)


def _check_rebuttals(text: dict[str, Any], reader: FileReader, problems: list[Problem]) -> None:
    for lang in LANGS:
        body = text.get(lang)
        node = reader.nodes.get(f"text.{lang}")
        if not isinstance(body, str) or node is None:
            continue
        for offset, what, fix in html_mistakes(body):
            line, column = _position_in(node, body, offset, reader.lines)
            problems.append(_at(reader, line, column,
                                f"Telegram would refuse the {LANG_NAMES[lang]} text: {what}", fix))
        # Leave room for the title and source line that every card adds.
        budget = MAX_MESSAGE - 600
        length = visible_length(body)
        if length > budget:
            line, column = _position_in(node, body, _offset_of_visible(body, budget), reader.lines)
            problems.append(_at(reader, line, column,
                           f"the {LANG_NAMES[lang]} text is {length} characters, over the "
                           f"{budget} a Telegram message leaves for a rebuttal; it overflows here",
                           "shorten it"))


def _at(reader: FileReader, line: int, column: int, message: str, hint: str) -> Problem:
    source = reader.lines[line - 1] if 0 < line <= len(reader.lines) else ""
    return Problem(reader.shown, line, column, message, hint, "error", source, caret=True)


def _position_in(node: yaml.Node, body: str, offset: int | None,
                 lines: list[str]) -> tuple[int, int]:
    """File line and column of a character of the text: in a block scalar (`fr: |`), in a
    one-line value (quotes counted, escapes not), else the value's start."""
    start = node.start_mark.line + 1
    style = getattr(node, "style", None)
    if offset is not None and style not in ("|", ">") and node.end_mark.line == start - 1:
        return start, node.start_mark.column + 1 + offset + (style in ("'", '"'))
    if offset is None or style not in ("|", ">"):
        return start, node.start_mark.column + 1
    row = body.count("\n", 0, offset)
    column = offset - (body.rfind("\n", 0, offset) + 1)
    line = start + 1 + row  # the block's text starts on the line after "|"
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    return line, len(source) - len(source.lstrip(" ")) + column + 1


def _offset_of_visible(body: str, limit: int) -> int | None:
    """Roughly where in the HTML the visible text passes `limit` characters."""
    seen = 0
    inside = False
    for index, char in enumerate(body):
        inside = (inside or char == "<") and char != ">"
        if not inside and char != ">":
            seen += 1
            if seen > limit:
                return index
    return None


def _order_problems(myths: list[Myth], readers: dict[str, FileReader]) -> list[Problem]:
    problems: list[Problem] = []
    free = max((m.order for m in myths), default=0) + 1
    for attr in ("order", "top5"):
        seen: dict[int, Myth] = {}
        for myth in sorted(myths, key=lambda m: m.intent_path):
            value = getattr(myth, attr)
            if value is None:
                continue
            if value in seen:
                other = seen[value]
                hint = (f"give each intent its own order: {free} is free" if attr == "order"
                        else "only the article's five points have a top5 rank, each its own")
                problems.append(_at_key(
                    readers[myth.id], attr, f"'{attr}: {value}' is also used by '{other.id}' "
                    f"({other.intent_path}:{_key_line(readers[other.id], attr)[0]})", hint))
            seen[value] = myth
    return problems


def _key_line(reader: FileReader, key: str) -> tuple[int, int]:
    """Line and column of a top-level key's value, for a problem about the whole file."""
    node = reader.nodes.get(key)
    return (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)


def _at_key(reader: FileReader, key: str, message: str, hint: str) -> Problem:
    line, _ = _key_line(reader, key)
    source = reader.lines[line - 1] if 0 < line <= len(reader.lines) else ""
    return Problem(reader.shown, line, 1, message, hint, "error", source)
