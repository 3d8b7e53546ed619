"""`mythbot new <id>`: a new myth's two files, written from a short template.

The template is meant to fail `mythbot check` until it is filled: every empty title, example
line, rebuttal and source field is an error at its own line, so `check` walks the editor
through what is left to write. It reads the other files as plain YAML, not through the
loader, so that a myth can be started while another file is still broken.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.spec import ID_PATTERN, SCHEMA_FILES

EXAMPLE_LINES = 10
"""Empty example lines per language: about the ten a myth can be started from."""
NEAR_MISS_LINES = 3


class ScaffoldError(Exception):
    """Why the files were not written; nothing was."""


@dataclass(frozen=True, slots=True)
class Scaffold:
    intent: Path
    response: Path
    order: int


def new_myth(folder: Path, ident: str) -> Scaffold:
    """Write intents/<ident>.yaml and responses/<ident>.yaml; refuse an id in use."""
    if re.fullmatch(ID_PATTERN.strip("^$"), ident) is None:
        raise ScaffoldError(f"{ident!r} is not a valid id: use 2 to 41 lower-case letters, "
                            "digits and _, starting with a letter (it is also the file name)")
    for sub in ("intents", "responses"):
        if not (folder / sub).is_dir():
            raise ScaffoldError(f"no '{sub}' folder in {folder}: --content must name a folder "
                                "holding intents/ and responses/")
    intents = _read_all(folder / "intents")
    intent, response = folder / "intents" / f"{ident}.yaml", folder / "responses" / f"{ident}.yaml"
    taken = [p for p in (intent, response) if p.exists()]
    taken += [p for p, data in intents.items() if data.get("id") == ident and p not in taken]
    if taken:
        where = ", ".join(str(p.relative_to(folder)) for p in taken)
        raise ScaffoldError(f"the id '{ident}' is already used ({where}): pick another one, or "
                            "edit that myth")
    orders = {data["order"]: data.get("id") or path.stem for path, data in intents.items()
              if isinstance(data.get("order"), int)}
    order = max(orders, default=0) + 1
    sources = _known_sources(_read_all(folder / "responses").values())
    intent.write_text(intent_template(ident, order, orders), encoding="utf-8")
    response.write_text(response_template(ident, sources), encoding="utf-8")
    return Scaffold(intent, response, order)


def _read_all(sub: Path) -> dict[Path, dict[str, Any]]:
    """Each readable file's top-level mapping; a broken file is `check`'s business."""
    out: dict[Path, dict[str, Any]] = {}
    for path in sorted(sub.glob("[!_]*.y*ml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            continue
        if isinstance(data, dict):
            out[path] = data
    return out


def _known_sources(responses: Any) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for data in responses:
        source = data.get("source")
        if isinstance(source, dict) and source.get("title"):
            seen.setdefault((str(source["title"]), str(source.get("date"))), source)
    return list(seen.values())


def intent_template(ident: str, order: int, orders: dict[int, str]) -> str:
    used = ", ".join(f"{n} {name}" for n, name in sorted(orders.items())) or "none yet"
    where = textwrap.fill(f"Where the myth stands in /myths and inline mode. In use: {used}.",
                          92, initial_indent="# ", subsequent_indent="# ")
    examples = "\n".join("    -" for _ in range(EXAMPLE_LINES))
    near = "\n".join("    -" for _ in range(NEAR_MISS_LINES))
    return f"""\
# yaml-language-server: $schema=../schema/{SCHEMA_FILES["intents"]}
id: {ident}
{where}
order: {order}
# No 'top5:' line: only the five points of the "Top 5" article have one (a rank 1 to 5, each
# once). /top5 walks the myths that have one, in that order, and ends on the unfinished
# point 5. A myth enters the tour with a 'top5: N' line and leaves it when the line goes.
title:
  fr:
  en:
# Sentences people write when they repeat this cliché, in their own words: anecdotes, a boss's
# remark, sarcasm, with and without the job's name, SMS style. Start from about ten per
# language; `mythbot check` tells you per myth whether more would help.
examples:
  fr:
{examples}
  en:
{examples}
# Messages that share this myth's words but are not the cliché ("mon oncle est sur facebook
# du matin au soir"): never answered. Fill the lines or delete them, and the block if empty.
near_misses:
  fr:
{near}
  en:
{near}
"""


def response_template(ident: str, sources: list[dict[str, Any]]) -> str:
    known = "".join(_commented_source(s) for s in sources)
    if known:
        known = ("# Drawn from one of the known sources? Copy its lines here, and say which part:\n"
                 + known)
    return f"""\
# yaml-language-server: $schema=../schema/{SCHEMA_FILES["responses"]}
intent: {ident}
# The rebuttal in each language, in Telegram HTML: <b>, <i>, <u>, <s>, <code>, <blockquote>,
# <a href="…">; write &lt; and &gt; for < and > (a bare & is fine). Write it in your own
# words from the source, quoting only where the wording is the point.
text:
  fr: |
  en: |
# Where the rebuttal comes from, as published: never invent a title, author or date. An
# article with no known web address is cited without a link.
{known}source:
  title:
  site:
    fr:
    en:
  author:  # delete this line when the article names no author
  date:  # "YYYY-MM-DD" or "YYYY", in quotes
  part:
    fr:
    en:
"""


def _commented_source(source: dict[str, Any]) -> str:
    block = yaml.safe_dump({k: source[k] for k in ("title", "site", "author", "date")
                            if k in source}, allow_unicode=True, sort_keys=False, width=1000)
    return "#\n" + "".join(f"#   {line}\n" for line in block.splitlines())
