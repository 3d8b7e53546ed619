"""Telegram's HTML subset: what it accepts, how long it is once parsed, how to escape.

Telegram refuses a whole message when one tag or entity is wrong, so content is
checked against the same rules before it can reach users.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

MAX_MESSAGE = 4096

ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
        "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
    }
)  # fmt: skip
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_BARE_AMP = re.compile(r"&(?!#\d+;|#x[0-9a-fA-F]+;|lt;|gt;|amp;|quot;)")


def escape(text: str) -> str:
    """Escape user text for an HTML message (quotes too: it may land in attributes)."""
    return html.escape(text, quote=False)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.error: str | None = None
        self.text: list[str] = []

    def _fail(self, message: str) -> None:
        if self.error is None:
            self.error = message

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._fail(f"unsupported tag <{tag}>")
        elif tag == "a" and not any(name == "href" for name, _ in attrs):
            self._fail("<a> needs an href")
        elif tag == "span" and ("class", "tg-spoiler") not in attrs:
            self._fail('<span> is only allowed as <span class="tg-spoiler">')
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._fail(f"self-closing tag <{tag}/> is not allowed")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            expected = f"</{self.stack[-1]}>" if self.stack else "no closing tag"
            self._fail(f"</{tag}> does not match: expected {expected}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            self._fail("a bare < or > must be written &lt; or &gt;")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            self._fail(f"unknown entity &{name};")
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        self._fail("HTML comments are not allowed")


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse this HTML message, or None when it would accept it."""
    if _BARE_AMP.search(text):
        return "a bare & must be written &amp;"
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.error:
        return checker.error
    if checker.stack:
        return f"<{checker.stack[-1]}> is never closed"
    if not "".join(checker.text).strip():
        return "the message has no visible text"
    return None


def visible_text(text: str) -> str:
    """The text a user sees once Telegram has parsed the HTML."""
    without_tags = re.sub(r"<[^>]*>", "", text)
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), without_tags)


def visible_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the parsed text."""
    return len(visible_text(text).encode("utf-16-le")) // 2
