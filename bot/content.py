"""Load the editors' YAML (intents/ and responses/) into immutable objects.

Every failure is a `Problem` value carrying file, line and column from the YAML
parser itself and a hint saying how to fix it; loading collects them all
instead of stopping at the first, so an editor fixes a file in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml
from rapidfuzz import fuzz, process

from bot.html import MAX_MESSAGE, html_error, visible_length
from bot.spec import (
    INTENT,
    LANG_NAMES,
    LANGS,
    NEGATIVES,
    RESPONSE,
    TOPIC,
    Int,
    Localised,
    Obj,
    PerLang,
    Spec,
    Str,
    Strings,
)

MIN_EXAMPLES = 15
# libyaml parses the content about 20 times faster, with the same marks; a live reload pays it
# on every edit. The pure-Python loader is the fallback where PyYAML was built without it.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    column: int
    message: str
    hint: str = ""
    severity: Severity = "error"
    source_line: str = ""

    def format(self) -> str:
        label = "" if self.severity == "error" else "warning: "
        out = f"{self.path}:{self.line}:{self.column}: {label}{self.message}"
        if self.source_line:
            out += f"\n  >>> {self.source_line.rstrip()}"
        if self.hint:
            out += f"\n  hint: {self.hint}"
        return out


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

    @classmethod
    def of(cls, myths: list[Myth], folder: Path, negatives: tuple[Example, ...] = (),
           topic: Mapping[str, tuple[str, ...]] | None = None) -> Content:
        ordered = tuple(sorted(myths, key=lambda m: (m.order, m.id)))
        return cls(ordered, folder, MappingProxyType({m.id: m for m in ordered}), negatives,
                   MappingProxyType(dict(topic or {})))

    @property
    def all_negatives(self) -> tuple[Example, ...]:
        """Everything the model learns as "none": shared negatives and every near miss."""
        return self.negatives + tuple(e for m in self.myths for e in m.near_misses)

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


class _Located:
    """A value read from YAML together with where it was written."""

    __slots__ = ("column", "line", "value")

    def __init__(self, value: Any, node: yaml.Node) -> None:
        self.value = value
        self.line = node.start_mark.line + 1
        self.column = node.start_mark.column + 1


class _FileReader:
    """Reads one YAML file against a spec, recording problems with positions."""

    def __init__(self, path: Path, shown: str) -> None:
        self.path = path
        self.shown = shown
        self.problems: list[Problem] = []
        self.lines: list[str] = []
        self.nodes: dict[str, yaml.Node] = {}
        """Each scalar read, by its dotted name: where a later check points inside it."""

    def problem(self, line: int, column: int, message: str, hint: str = "",
                severity: Severity = "error") -> None:
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        self.problems.append(Problem(self.shown, line, column, message, hint, severity, source))

    def at(self, node: yaml.Node, message: str, hint: str = "") -> None:
        self.problem(node.start_mark.line + 1, node.start_mark.column + 1, message, hint)

    def read(self) -> yaml.Node | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.problem(1, 1, f"the file is not UTF-8 ({exc.reason})", "save it as UTF-8")
            return None
        self.lines = text.splitlines()
        try:
            node = yaml.compose(text, Loader=_LOADER)
        except yaml.MarkedYAMLError as exc:
            self.problem(*_syntax_problem(exc, self.lines))
            return None
        except yaml.YAMLError as exc:
            self.problem(1, 1, f"invalid YAML: {exc}", "check the file's syntax")
            return None
        if node is None:
            self.problem(1, 1, "the file is empty", "start from a copy of an existing file")
        return node

    def walk(self, node: yaml.Node, spec: Spec, name: str) -> Any:
        if isinstance(spec, Obj):
            return self._object(node, spec, name)
        if isinstance(spec, PerLang):
            return self._per_lang(node, spec, name)
        if isinstance(spec, Localised):
            if isinstance(node, yaml.MappingNode):
                return self._per_lang(node, spec.per_lang, name)
            return self._scalar(node, Str(spec.description), name)
        if isinstance(spec, Strings):
            return self._strings(node, name)
        return self._scalar(node, spec, name)

    def _scalar(self, node: yaml.Node, spec: Str | Int, name: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.at(node, f"'{name}' must be a {_kind(spec)}, not a {_node_kind(node)}",
                    "write it on one line after the colon")
            return None
        self.nodes[name] = node
        value = yaml.SafeLoader("").construct_object(node)
        if isinstance(spec, Int):
            if not isinstance(value, int) or isinstance(value, bool):
                self.at(node, f"'{name}' must be a whole number, not {node.value!r}")
                return None
            low, high = spec.minimum, spec.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                self.at(node, f"'{name}' must be between {low} and {high}, not {value}")
                return None
            return value
        if value is None or (isinstance(value, str) and not value.strip()):
            self.at(node, f"'{name}' is empty", "write the text after the colon")
            return None
        if not isinstance(value, str):
            # Dates and numbers are fine as text: editors should not need to know YAML's types.
            value = str(node.value)
        if spec.pattern and not _matches(spec.pattern, value):
            self.at(node, f"'{name}' {value!r} is not a valid id",
                    "use lower-case letters, digits and _ only, starting with a letter")
            return None
        if spec.max_length and len(value) > spec.max_length:
            self.at(node, f"'{name}' is {len(value)} characters long, over {spec.max_length}",
                    "shorten it")
        return value.strip()

    def _strings(self, node: yaml.Node, name: str) -> list[_Located] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.at(node, f"'{name}' must be a list, not a {_node_kind(node)}",
                    "write one item per line, each starting with '- '")
            return None
        items: list[_Located] = []
        seen: dict[str, int] = {}
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode):
                self.at(item, f"an item of '{name}' must be a sentence, not a {_node_kind(item)}",
                        "quote the sentence if it contains ': ' or starts with a special sign")
                continue
            if self._misread_item(item, name):
                continue
            # The scalar as written: "- yes" is the word yes, "- 9:30" a time, not 570.
            text = "" if item.tag.endswith(":null") else str(item.value).strip()
            if not text:
                self.at(item, f"empty item in '{name}'", "delete the line or write the sentence")
                continue
            key = " ".join(text.casefold().split())
            if key in seen:
                self.at(item, f"duplicate item in '{name}': {text!r} (already on line {seen[key]})",
                        "delete one of the two")
                continue
            seen[key] = item.start_mark.line + 1
            items.append(_Located(text, item))
        return items

    def _misread_item(self, item: yaml.ScalarNode, name: str) -> bool:
        """A list item YAML does not read as the one-line text the editor wrote."""
        plain = not item.style  # None from PyYAML, "" from libyaml
        if plain and item.end_mark.line > item.start_mark.line:
            # Indented deeper than its siblings: YAML glues the line to the item above.
            line = item.start_mark.line + 2
            self.problem(line, 1, f"this line continues the item above in '{name}' "
                                  "instead of starting its own",
                         "give it the same indentation as the items above it")
            return True
        line = self.lines[item.start_mark.line] if item.start_mark.line < len(self.lines) else ""
        written = line[item.start_mark.column:].rstrip()
        if plain and written[:1] in ("&", "*") and not written.startswith(item.value):
            # "- &co" is an anchor named "co" on whatever follows, not the text "&co".
            self.at(item, f"this sentence starts with {written[0]!r}, which YAML reads as syntax",
                    'quote it: - "' + written.replace('"', '\\"') + '"')
            return True
        if item.tag.startswith("!"):
            self.at(item, "this sentence starts with '!', which YAML reads as a tag",
                    f'quote it: - "{item.tag}{(" " + item.value) if item.value else ""}"')
            return True
        kinds = {"int": "a number", "float": "a number", "bool": "yes/no (true or false)",
                 "timestamp": "a date"}
        kind = kinds.get(item.tag.rsplit(":", 1)[-1])
        if plain and kind:
            # `check` and the editor's schema then agree: both want text here.
            self.at(item, f"YAML reads {item.value!r} as {kind}, not as text",
                    f'quote it: - "{item.value}"')
            return True
        return False

    def _per_lang(self, node: yaml.Node, spec: PerLang, name: str) -> dict[str, Any] | None:
        values = self._mapping(node, name, LANGS, spec.description)
        if values is None:
            return None
        out: dict[str, Any] = {}
        for lang in LANGS:
            if lang not in values:
                if spec.required_langs:
                    self.at(node, f"'{name}' has no {LANG_NAMES[lang]} ('{lang}')",
                            f"add '{lang}:' under '{name}' with the {LANG_NAMES[lang]} text")
                continue
            out[lang] = self.walk(values[lang], spec.item, f"{name}.{lang}")
        return out

    def _object(self, node: yaml.Node, spec: Obj, name: str) -> dict[str, Any] | None:
        values = self._mapping(node, name, tuple(spec.fields), spec.description)
        if values is None:
            return None
        for required in spec.required:
            if required not in values:
                where = f" in '{name}'" if name else ""
                self.at(node, f"missing required field '{required}'{where}",
                        f"add '{required}:' — {spec.fields[required].description}")
        return {key: self.walk(sub, spec.fields[key], _join(name, key))
                for key, sub in values.items()}

    def _mapping(self, node: yaml.Node, name: str, known: tuple[str, ...],
                 description: str) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            what = f"'{name}'" if name else "the file"
            self.at(node, f"{what} must be a mapping of keys, not a {_node_kind(node)}",
                    f"expected keys: {', '.join(known)}")
            return None
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key not in known:
                self.at(key_node, f"unknown key '{key}'" + (f" in '{name}'" if name else ""),
                        _closest_hint(key, known))
            elif key in out:
                self.at(key_node, f"duplicate key '{key}'", "keep only one of them")
            else:
                out[key] = value_node
        return out


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _matches(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern.strip("^$"), value) is not None


def _kind(spec: Spec) -> str:
    return {Str: "text", Int: "number", Strings: "list", PerLang: "mapping", Obj: "mapping"}[
        type(spec)
    ]


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "text"


def _closest_hint(key: str, known: tuple[str, ...]) -> str:
    best = process.extractOne(key, known, scorer=fuzz.ratio, score_cutoff=60)
    if best:
        return f"did you mean '{best[0]}'?"
    return f"known keys here: {', '.join(known)}"


# A sentence starting with one of these is read by YAML as syntax, not as text.
_SPECIAL_START = "'\"*&!%@`|>[]{}#,?:"


def _syntax_problem(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, int, str, str]:
    """Line, column, message and hint an editor understands, from the parser's error."""
    problem = str(exc.problem or exc.context or "")
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in source[: max(column, len(source) - len(source.lstrip()))]:
        return (line, source.index("\t") + 1, "a tab in the indentation",
                "indent with spaces, never tabs (YAML refuses tabs)")
    if "could not find expected ':'" in problem and exc.context_mark is not None:
        # The parser notices at the next line; the key without its colon is the one before.
        key = exc.context_mark.line + 1
        return (key, exc.context_mark.column + 1, "this line has no ':' after its key",
                "write 'key: value', or '- ' before a list item")
    item = _special_item(lines, line)
    if item is not None:
        number, text = item
        return (number, 1, f"this sentence starts with {text[0]!r}, which YAML reads as syntax",
                'quote it: - "' + text.replace('"', '\\"') + '"')
    if "mapping values" in problem:
        return (line, column, f"invalid YAML: {problem}",
                "check the indentation of this line and the one before, and quote a sentence "
                "that contains ': '")
    if "expected" in problem:
        return (line, column, f"invalid YAML: {problem}",
                "check the indentation: items of a list start with '- ' under their key")
    return line, column, f"invalid YAML: {problem}", "check quotes and indentation here"


def _special_item(lines: list[str], line: int) -> tuple[int, str] | None:
    """The list item near the error whose text starts with a YAML sign, if any."""
    for number in (line, line - 1):
        text = lines[number - 1].strip() if 0 < number <= len(lines) else ""
        if text.startswith("- ") and text[2:].lstrip()[:1] in tuple(_SPECIAL_START):
            return number, text[2:].lstrip()
    return None


def _read(folder: Path, sub: str, spec: Obj,
          pattern: str = "[!_]*.y*ml") -> Iterator[tuple[_FileReader, dict[str, Any] | None]]:
    for path in sorted((folder / sub).glob(pattern)):
        reader = _FileReader(path, _shown(path, folder))
        node = reader.read()
        data = reader.walk(node, spec, "") if node is not None else None
        yield reader, data


def _shown(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:  # pragma: no cover - paths are always under the folder
        return str(path)


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
    intents: dict[str, tuple[_FileReader, dict[str, Any]]] = {}
    responses: dict[str, tuple[_FileReader, dict[str, Any]]] = {}
    # A file that could not be read already has its error; its partner is not an orphan.
    unreadable: set[str] = set()
    for kind, spec, target, key in (("intents", INTENT, intents, "id"),
                                    ("responses", RESPONSE, responses, "intent")):
        for reader, data in _read(folder, kind, spec):
            if data is not None and isinstance(data.get(key), str):
                _register(reader, data, key, target, kind)
            else:
                unreadable.add(reader.path.stem)
            problems.extend(reader.problems)
    myths = _pair(intents, responses, problems, unreadable)
    if not myths and not problems:
        problems.append(Problem("intents", 1, 1, "no intents found",
                                "add intents/<id>.yaml and responses/<id>.yaml"))
    problems.extend(_order_problems(myths))
    negatives = _negatives(folder, problems)
    topic = _topic(folder, problems)
    problems.extend(_unread_files(folder))
    has_errors = any(p.severity == "error" for p in problems)
    content = None if has_errors else Content.of(myths, folder, negatives, topic)
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
                _shown(path, folder), 1, 1, f"{path.name} is not read: only .yaml files are",
                f"rename it to {stem}.yaml" if meant else "move it out of the content folder",
                "error" if meant else "warning"))
    return problems


def _negatives(folder: Path, problems: list[Problem]) -> tuple[Example, ...]:
    out: list[Example] = []
    for reader, data in _read(folder, "intents", NEGATIVES, "_none*.y*ml"):
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
    found = list(_read(folder, "intents", TOPIC, "_topic.y*ml"))
    for reader, _ in found:
        problems.extend(reader.problems)
    strays = [p for p in sorted((folder / "intents").glob("_*.y*ml"))
              if not p.name.startswith(("_none", "_topic"))]
    for path in strays:
        problems.append(Problem(_shown(path, folder), 1, 1,
                                f"unknown special file {path.name}",
                                "files starting with '_' are _none*.yaml (shared negatives) "
                                "and _topic.yaml (topic words); rename it"))
    if not found:
        problems.append(Problem(
            "intents/_topic.yaml", 1, 1, "no topic words",
            "add intents/_topic.yaml with 'words:' then 'fr:' and 'en:' lists; without them "
            "the bot never answers a group message it was not asked about", "warning"))
        return {}
    words = found[0][1].get("words") if found[0][1] else None
    return {lang: tuple(item.value for item in (words or {}).get(lang) or []) for lang in LANGS}


def _register(reader: _FileReader, data: dict[str, Any], key: str,
              target: dict[str, tuple[_FileReader, dict[str, Any]]], kind: str) -> None:
    ident = data.get(key)
    if not isinstance(ident, str):
        return
    if reader.path.stem != ident:
        reader.problem(1, 1, f"'{key}: {ident}' does not match the file name {reader.path.name}",
                       f"rename the file to {ident}.yaml or change '{key}'")
    if ident in target:
        other = target[ident][0]
        reader.problem(1, 1, f"duplicate {kind[:-1]} '{ident}': {other.shown} has it too",
                       "give each file its own id")
        return
    target[ident] = (reader, data)


def _pair(intents: dict[str, tuple[_FileReader, dict[str, Any]]],
          responses: dict[str, tuple[_FileReader, dict[str, Any]]],
          problems: list[Problem], unreadable: set[str]) -> list[Myth]:
    myths: list[Myth] = []
    for ident, (reader, data) in intents.items():
        if ident not in responses and ident in unreadable:
            continue
        if ident not in responses:
            problems.append(Problem(reader.shown, 1, 1, f"intent '{ident}' has no response",
                                    f"add responses/{ident}.yaml with its rebuttal"))
            continue
        response_reader, response = responses[ident]
        myth = _myth(ident, reader, data, response_reader, response, problems)
        if myth:
            myths.append(myth)
    for ident, (reader, _) in responses.items():
        if ident not in intents and ident not in unreadable:
            problems.append(Problem(reader.shown, 1, 1,
                                    f"response for '{ident}', but there is no such intent",
                                    f"add intents/{ident}.yaml, or fix 'intent:' "
                                    f"(known: {', '.join(sorted(intents)) or 'none'})"))
    return myths


def _myth(ident: str, reader: _FileReader, data: dict[str, Any],
          response_reader: _FileReader, response: dict[str, Any],
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


def _examples(value: Any, reader: _FileReader, problems: list[Problem],
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


def _check_rebuttals(text: dict[str, Any], reader: _FileReader, problems: list[Problem]) -> None:
    for lang in LANGS:
        body = text.get(lang)
        node = reader.nodes.get(f"text.{lang}")
        if not isinstance(body, str) or node is None:
            continue
        found = html_error(body)
        if found:
            line, column = _position_in(node, body, found[1], reader.lines)
            problems.append(_at(reader, line, column,
                           f"Telegram would refuse the {LANG_NAMES[lang]} text: {found[0]}",
                           "allowed: <b> <i> <u> <s> <code> <pre> <blockquote> <a href=\"…\">; "
                           "write &lt; and &gt; for < and > (a bare & is fine)"))
        # Leave room for the title and source line that every card adds.
        budget = MAX_MESSAGE - 600
        length = visible_length(body)
        if length > budget:
            line, column = _position_in(node, body, _offset_of_visible(body, budget), reader.lines)
            problems.append(_at(reader, line, column,
                           f"the {LANG_NAMES[lang]} text is {length} characters, over the "
                           f"{budget} a Telegram message leaves for a rebuttal; it overflows here",
                           "shorten it"))


def _at(reader: _FileReader, line: int, column: int, message: str, hint: str) -> Problem:
    source = reader.lines[line - 1] if 0 < line <= len(reader.lines) else ""
    return Problem(reader.shown, line, column, message, hint, "error", source)


def _position_in(node: yaml.Node, body: str, offset: int | None,
                 lines: list[str]) -> tuple[int, int]:
    """File line and column of a character of a block scalar (`fr: |`), or of the value."""
    start = node.start_mark.line + 1
    if offset is None or getattr(node, "style", None) not in ("|", ">"):
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


def _order_problems(myths: list[Myth]) -> list[Problem]:
    problems: list[Problem] = []
    for attr in ("order", "top5"):
        seen: dict[int, Myth] = {}
        for myth in myths:
            value = getattr(myth, attr)
            if value is None:
                continue
            if value in seen:
                problems.append(Problem(myth.intent_path, 1, 1,
                                        f"'{attr}: {value}' is also used by '{seen[value].id}'",
                                        f"give each intent its own {attr}"))
            seen[value] = myth
    return problems
