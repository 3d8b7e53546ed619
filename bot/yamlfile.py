"""Reading one editor's YAML file against its spec, with the parser's own marks.

Every failure is a `Problem` value carrying file, line and column from the YAML parser and
a hint saying how to fix it; reading collects them all instead of stopping at the first,
so an editor fixes a file in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from rapidfuzz import fuzz, process

from bot.spec import LANG_NAMES, LANGS, Int, Localised, Obj, PerLang, Spec, Str, Strings

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
    caret: bool = False
    """Mark the column under the quoted line: the place inside a long line of text."""

    def format(self) -> str:
        label = "" if self.severity == "error" else "warning: "
        out = f"{self.path}:{self.line}:{self.column}: {label}{self.message}"
        if self.source_line and self.caret:
            excerpt, at = _excerpt(self.source_line.rstrip(), self.column - 1)
            out += f"\n  >>> {excerpt}\n      {' ' * at}^"
        elif self.source_line:
            out += f"\n  >>> {self.source_line.rstrip()}"
        if self.hint:
            out += f"\n  hint: {self.hint}"
        return out


EXCERPT = 88
"""How much of a long line a problem with a caret quotes: a rebuttal is one long line."""


def _excerpt(line: str, at: int) -> tuple[str, int]:
    """The part of `line` around character `at`, and where `at` falls in it."""
    if len(line) <= EXCERPT:
        return line, at
    start = min(max(0, at - EXCERPT // 3), len(line) - EXCERPT)
    end = start + EXCERPT
    head = "…" if start > 0 else ""
    return head + line[start:end] + ("…" if end < len(line) else ""), at - start + len(head)


class Located:
    """A value read from YAML together with where it was written."""

    __slots__ = ("column", "line", "value")

    def __init__(self, value: Any, node: yaml.Node) -> None:
        self.value = value
        self.line = node.start_mark.line + 1
        self.column = node.start_mark.column + 1


class FileReader:
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
            block = node.style in ("|", ">")
            self.at(node, f"'{name}' is empty",
                    f"write the text on the lines below '{name.rsplit('.', 1)[-1]}: "
                    f"{node.style}', indented" if block else "write the text after the colon")
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

    def _strings(self, node: yaml.Node, name: str) -> list[Located] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.at(node, f"'{name}' must be a list, not a {_node_kind(node)}",
                    "write one item per line, each starting with '- '")
            return None
        items: list[Located] = []
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
            items.append(Located(text, item))
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
                    f"quote it: - {quoted(written)}")
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
    unclosed = _unclosed_quote(lines, line)
    if unclosed is not None:
        return unclosed
    item = _special_item(lines, line)
    if item is not None:
        number, text = item
        return (number, 1, f"this sentence starts with {text[0]!r}, which YAML reads as syntax",
                f"quote it: - {quoted(text)}")
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
        item = text[2:].lstrip()
        if text.startswith("- ") and item[:1] in tuple(_SPECIAL_START) and not _is_quoted(item):
            return number, item
    return None


_VALUE = re.compile(r"^(\s*)(- +|[\w.-]+: +)(.*)$")


def _unclosed_quote(lines: list[str], last: int) -> tuple[int, int, str, str] | None:
    """The first value up to line `last` that opens a quote and does not close it on its line.

    YAML lets a quoted text run over several lines, so the parser only stumbles where the
    next quote sign happens to be, often far below; in these files every quoted value fits
    on its line, so the culprit is the line where the quote opens."""
    for number, source in enumerate(lines[:last], 1):
        found = _VALUE.match(source)
        value = found.group(3).rstrip() if found else ""
        if value[:1] not in ("'", '"') or _closing_quote(value) is not None:
            continue
        assert found is not None
        head = found.group(1) + found.group(2)
        column = len(head) + 1
        if value[0] == '"':
            return (number, column, "this quote is not closed on its line",
                    f'close it: {head.strip()} {value}"')
        return (number, column, "this text starts with \"'\", which YAML reads as an opening "
                                "quote, not closed on its line",
                f"quote it all: {head.strip()} {quoted(value)}")
    return None


def _closing_quote(value: str) -> int | None:
    """Where the quoted text that `value` starts with ends, or None when not on this line."""
    mark, index = value[0], 1
    while index < len(value):
        char = value[index]
        if mark == '"' and char == "\\":
            index += 2
            continue
        if char == mark:
            if mark == "'" and value[index + 1:index + 2] == "'":
                index += 2  # '' is a quote inside single quotes
                continue
            return index
        index += 1
    return None


def _is_quoted(value: str) -> bool:
    """A value that is one quoted text and nothing else (a comment aside)."""
    end = _closing_quote(value) if value[:1] in ("'", '"') else None
    return end is not None and value[end + 1:].strip()[:1] in ("", "#")


def quoted(text: str) -> str:
    """The text as a YAML quoted scalar that reads back as exactly `text`."""
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_files(folder: Path, sub: str, spec: Obj,
          pattern: str = "[!_]*.y*ml") -> Iterator[tuple[FileReader, dict[str, Any] | None]]:
    for path in sorted((folder / sub).glob(pattern)):
        reader = FileReader(path, shown(path, folder))
        node = reader.read()
        data = reader.walk(node, spec, "") if node is not None else None
        yield reader, data


def shown(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:  # pragma: no cover - paths are always under the folder
        return str(path)


