"""Filing a sentence into the editors' YAML: an example of a myth, or a negative.

`mythbot misses --add` turns an unanswered question into content. The file is rewritten by
ruamel.yaml's round-trip mode, which keeps every comment, blank line, quote and indentation
of the editor's file (the shipped files come back byte for byte); only the new line differs.
The new file must load as cleanly as the old one, or nothing is written.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content import load_content
from bot.spec import LANGS, SCHEMA_FILES

NEGATIVES_FILE = "_none_near.yaml"
"""Where a negative goes when it belongs to no myth: the shared near misses."""


class FilingError(Exception):
    """Why the sentence was not filed; no file was changed."""


@dataclass(frozen=True, slots=True)
class Filed:
    path: str
    """Relative to the content folder, as `check` names it."""
    line: int
    key: str
    """Where in the file: examples.fr, near_misses.en, negatives.fr…"""


def file_example(folder: Path, intent: str, text: str, lang: str) -> Filed:
    """Add `text` to the `lang` examples of `intent`."""
    return _file(folder, _intent_path(folder, intent), ("examples", lang), text)


def file_negative(folder: Path, text: str, lang: str, intent: str | None = None) -> Filed:
    """Add `text` to the near misses of `intent`, or to the shared near misses."""
    if intent is None:
        path = folder / "intents" / NEGATIVES_FILE
        return _file(folder, path, ("negatives", lang), text)
    return _file(folder, _intent_path(folder, intent), ("near_misses", lang), text)


def _intent_path(folder: Path, intent: str) -> Path:
    path = folder / "intents" / f"{intent}.yaml"
    if intent.startswith("_") or not path.is_file():
        known = sorted(p.stem for p in (folder / "intents").glob("[!_]*.yaml"))
        raise FilingError(f"no intent '{intent}' (known: {', '.join(known) or 'none'})")
    return path


def _file(folder: Path, path: Path, key: tuple[str, str], text: str) -> Filed:
    text = " ".join(text.split())
    if not text:
        raise FilingError("the sentence is empty")
    if key[1] not in LANGS:
        raise FilingError(f"unknown language {key[1]!r}: {' or '.join(LANGS)}")
    before = load_content(folder)
    if before.content is None:
        raise FilingError(f"the content in {folder} has errors: fix them first "
                          "(`mythbot check`)")
    _refuse_known(before.content.sentences, text)
    original = path.read_text(encoding="utf-8") if path.exists() else None
    updated, index = _with_item(original, key, text)
    _write(path, updated)
    after = load_content(folder)
    if after.content is None:
        _restore(path, original)
        first = after.errors[0].format() if after.errors else "it does not load"
        raise FilingError(f"filing it would break the content, nothing changed:\n{first}")
    return Filed(str(path.relative_to(folder)), _line_of(updated, key, index), ".".join(key))


def _refuse_known(sentences: Any, text: str) -> None:
    """The same sentence twice teaches the model two things, or nothing new."""
    wanted = text.casefold()
    for example in sentences:
        if " ".join(example.text.split()).casefold() == wanted:
            raise FilingError(f"{text!r} is already in {example.path}:{example.line}")


def _yaml() -> Any:
    from ruamel.yaml import YAML  # only the editors' filing command pays for it (~13 ms)

    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096  # never fold an editor's long line
    rt.indent(mapping=2, sequence=4, offset=2)  # the content's layout
    return rt


def _with_item(original: str | None, key: tuple[str, str], text: str) -> tuple[str, int]:
    """The file's text with `text` appended to the list at `key`, and the item's index."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    rt = _yaml()
    data = rt.load(original) if original else None
    if data is None:
        data = rt.load(f"# yaml-language-server: $schema=../schema/{SCHEMA_FILES['negatives']}\n"
                       f"{key[0]}: {{}}\n") if key[0] == "negatives" else CommentedMap()
    if not isinstance(data, CommentedMap):
        raise FilingError("the file is not a mapping of keys")
    section = data.setdefault(key[0], CommentedMap())
    items = section.get(key[1]) if isinstance(section, CommentedMap) else None
    if items is None and isinstance(section, CommentedMap):
        items = section[key[1]] = CommentedSeq()
    if not isinstance(items, CommentedSeq):
        raise FilingError(f"'{'.'.join(key)}' is not a list")
    items.append(_scalar(text))
    _keep_trailing_comment_below(items)
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue(), len(items) - 1


def _scalar(text: str) -> Any:
    """Quoted when the bot's own loader (YAML 1.1) would read the plain text otherwise:
    ruamel.yaml writes YAML 1.2, where `yes` and `9:30` are text, but PyYAML's are not."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    try:
        plain_ok = yaml.safe_load(f"- {text}") == [text]
    except yaml.YAMLError:
        plain_ok = False
    if plain_ok:
        return text
    if '"' in text and "'" not in text:
        return SingleQuotedScalarString(text)
    return DoubleQuotedScalarString(text)


def _keep_trailing_comment_below(items: Any) -> None:
    """ruamel.yaml keeps the blank lines and comments that follow a list's last item with
    that item; appending would put the new item under them, apart from its list. Leave the
    old item its own end-of-line comment and move the rest below the new one."""
    if len(items) < 2 or len(items) - 2 not in items.ca.items:
        return
    token = items.ca.items[len(items) - 2][0]
    if token is None or "\n" not in token.value:
        return
    end = token.value.index("\n") + 1
    own, rest = token.value[:end], token.value[end:]
    if not rest:
        return
    moved = type(token)("\n" + rest, token.start_mark, token.end_mark)
    if own.strip():
        token.value = own
    else:
        del items.ca.items[len(items) - 2]
    items.ca.items[len(items) - 1] = [moved, None, None, None]


def _line_of(text: str, key: tuple[str, str], index: int) -> int:
    node = _yaml().load(text)[key[0]][key[1]]
    return int(node.lc.item(index)[0]) + 1


def _write(path: Path, text: str) -> None:
    """Atomically, so that a running bot's reload never reads half a file."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _restore(path: Path, original: str | None) -> None:
    if original is None:
        path.unlink(missing_ok=True)
    else:
        _write(path, original)
