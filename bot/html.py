"""Telegram's HTML: the one implementation of its rules, for content checks and the tests.

`parse_html` is a port of TDLib's parser (td/telegram/MessageEntity.cpp), the code that
decides whether Telegram accepts a message: same tags, same entity decoding (a bare "&" is
plain text, as in "Tom & Jerry"), same error wording with the byte offset. `mythbot check`
reports a rebuttal's errors with it, and the tests' fake Bot API refuses what it refuses.
"""

from __future__ import annotations

import html
import re
from typing import Any

MAX_MESSAGE = 4096
Entity = dict[str, Any]


def escape(text: str) -> str:
    """Escape user text for an HTML message (quotes too: it may land in attributes)."""
    return html.escape(text, quote=False)


class EntityParseError(Exception):
    """The message TDLib would give; the Bot API prefixes it with "can't parse entities: "."""


_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAG_TYPES = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_SPACES = frozenset(b" \t\r\n\v\0")
_LT, _GT, _AMP, _SLASH, _EQ = (ord(c) for c in "<>&/=")
_QUOTES = frozenset(b"\"'")


def _decode_html_entity(data: bytes, pos: int) -> tuple[int, int]:
    """Returns (code point or 0 when not an entity, position after it)."""
    n = len(data)

    def at(i: int) -> int:
        return data[i] if i < n else 0

    end = pos + 1
    res = 0
    if at(pos + 1) == ord("#"):
        end += 1
        if at(pos + 2) == ord("x"):
            end += 1
            while chr(at(end)) in "0123456789abcdefABCDEF":
                res = res * 16 + int(chr(at(end)), 16)
                end += 1
        else:
            while ord("0") <= at(end) <= ord("9"):
                res = res * 10 + at(end) - ord("0")
                end += 1
        if res == 0 or res >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while chr(at(end)).isascii() and chr(at(end)).isalpha():
            end += 1
        name = data[pos + 1 : end]
        res = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}.get(name, 0)
        if res == 0:
            return 0, pos
    if at(end) == ord(";"):
        end += 1
    return res, end


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parses Telegram-flavoured HTML into (plain text, MessageEntity dicts).

    Offsets and lengths are in UTF-16 code units, as in the Bot API. Raises
    :class:`EntityParseError` with TDLib's wording on invalid markup.
    """
    data = text.encode("utf-8")
    n = len(data)

    def at(i: int) -> int:
        return data[i] if i < n else 0

    def is_space(c: int) -> bool:
        return c in _SPACES

    def surrogate_error() -> EntityParseError:
        return EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units"
        )

    out = bytearray()
    utf16 = 0
    entities: list[Entity] = []
    # (tag name, argument, utf16 offset, byte position in out)
    stack: list[tuple[str, str, int, int]] = []
    i = 0
    while i < n:
        c = data[i]
        if c == _AMP:
            code, end = _decode_html_entity(data, i)
            if code:
                if 0xD800 <= code <= 0xDFFF:
                    raise surrogate_error()
                out += chr(code).encode("utf-8")
                utf16 += 2 if code > 0xFFFF else 1
                i = end
                continue
        if c != _LT:
            if c & 0xC0 != 0x80:
                utf16 += 2 if c >= 0xF0 else 1
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != _SLASH:
            # start tag
            while not is_space(at(i)) and at(i) != _GT:
                i += 1
            if at(i) == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].lower().decode("utf-8", "replace")
            if tag not in _HTML_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while at(i) != _GT:
                while at(i) != 0 and is_space(at(i)):
                    i += 1
                if at(i) == _GT:
                    break
                attr_begin = i
                while (
                    not is_space(at(i)) and at(i) not in (_EQ, _GT, _SLASH) and at(i) not in _QUOTES
                ):
                    i += 1
                attr_name = data[attr_begin:i]
                if not attr_name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while at(i) != 0 and is_space(at(i)):
                    i += 1
                if at(i) != _EQ:
                    if at(i) == 0:
                        raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and attr_name == b"expandable":
                        argument = "1"
                    continue
                i += 1
                while at(i) != 0 and is_space(at(i)):
                    i += 1
                if at(i) == 0:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in _QUOTES:
                    token_begin = i
                    while chr(at(i)).isascii() and (
                        chr(at(i)).isalnum() or at(i) in (ord("."), ord("-"))
                    ):
                        i += 1
                    value = data[token_begin:i].lower().decode("utf-8", "replace")
                    if not is_space(at(i)) and at(i) != _GT:
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    end_char = at(i)
                    i += 1
                    raw = bytearray()
                    while at(i) != end_char and at(i) != 0:
                        if at(i) == _AMP:
                            code, end = _decode_html_entity(data, i)
                            if code:
                                if 0xD800 <= code <= 0xDFFF:
                                    raise surrogate_error()
                                raw += chr(code).encode("utf-8")
                                i = end
                                continue
                        raw.append(at(i))
                        i += 1
                    if at(i) == end_char:
                        i += 1
                    value = raw.decode("utf-8", "replace")
                if at(i) == 0:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attr_name == b"href":
                    argument = value
                elif tag == "code" and attr_name == b"class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr_name == b"class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr_name == b"emoji-id":
                    argument = value
                elif tag == "blockquote" and attr_name == b"expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            stack.append((tag, argument, utf16, len(out)))
            i += 1
            continue

        # end tag
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        while not is_space(at(i)) and at(i) != _GT:
            i += 1
        end_tag = data[begin + 2 : i].lower().decode("utf-8", "replace")
        while is_space(at(i)) and at(i) != 0:
            i += 1
        if at(i) != _GT:
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        tag, argument, offset, out_pos = stack[-1]
        if end_tag and end_tag != tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", '
                f'found "</{end_tag}>"'
            )
        if utf16 > offset:
            length = utf16 - offset
            last = entities[-1] if entities else None
            same_span = last is not None and last["offset"] == offset and last["length"] == length
            if tag in _SIMPLE_TAG_TYPES:
                entities.append(
                    {"type": _SIMPLE_TAG_TYPES[tag], "offset": offset, "length": length}
                )
            elif tag == "tg-emoji":
                if not argument.isdigit() or int(argument) == 0:
                    raise EntityParseError("Invalid custom emoji identifier specified")
                entities.append(
                    {
                        "type": "custom_emoji",
                        "offset": offset,
                        "length": length,
                        "custom_emoji_id": argument,
                    }
                )
            elif tag == "a":
                url = argument or out[out_pos:].decode("utf-8", "replace")
                entity = _link_entity(url, offset, length)
                if entity is not None:
                    entities.append(entity)
            elif tag == "pre":
                if (
                    same_span
                    and last is not None
                    and last["type"] == "code"
                    and last.get("_language")
                ):
                    last["type"] = "pre"
                    last["language"] = last.pop("_language")
                else:
                    entities.append({"type": "pre", "offset": offset, "length": length})
            elif tag == "code":
                if same_span and last is not None and last["type"] == "pre" and argument:
                    last["language"] = argument
                else:
                    entity = {"type": "code", "offset": offset, "length": length}
                    if argument:
                        entity["_language"] = argument
                    entities.append(entity)
            elif tag == "blockquote":
                kind = "expandable_blockquote" if argument else "blockquote"
                entities.append({"type": kind, "offset": offset, "length": length})
        stack.pop()
        i += 1

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for entity in entities:
        entity.pop("_language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.decode("utf-8"), entities


def _link_entity(url: str, offset: int, length: int) -> Entity | None:
    match = re.fullmatch(r"tg://user\?id=(\d+)", url)
    if match:
        user = {"id": int(match.group(1)), "is_bot": False, "first_name": ""}
        return {"type": "text_mention", "offset": offset, "length": length, "user": user}
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None  # TDLib silently drops links it can't check
    if "://" not in url:
        url = "http://" + url
    return {"type": "text_link", "offset": offset, "length": length, "url": url}


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse this HTML message, or None when it would accept it."""
    found = html_error(text)
    return found[0] if found else None


def html_error(text: str) -> tuple[str, int | None] | None:
    """Telegram's reason for refusing the message and the character offset it names."""
    try:
        plain, _ = parse_html(text)
    except EntityParseError as exc:
        match = re.search(r"at byte offset (\d+)", str(exc))
        offset = (len(text.encode("utf-8")[: int(match.group(1))].decode("utf-8", "replace"))
                  if match else None)
        return str(exc), offset
    if not plain.strip():
        return "the message has no visible text", None
    return None


def visible_text(text: str) -> str:
    """The text a user sees once Telegram has parsed the HTML (tags removed when broken)."""
    try:
        return parse_html(text)[0]
    except EntityParseError:
        return html.unescape(re.sub(r"<[^>]*>", "", text))


def visible_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the parsed text."""
    return utf16_len(visible_text(text))


_ALLOWED = "<b> <i> <u> <s> <code> <pre> <blockquote> <a href=\"…\"> <tg-spoiler>"
_TAG_AT = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")


def html_mistakes(text: str) -> list[tuple[int, str, str]]:
    """Every reason Telegram would refuse this HTML, in an editor's words: (character offset,
    what is wrong, how to fix it), in the order they appear; [] when Telegram accepts it.

    TDLib's parser stops at the first error and names it in its own terms ("Unsupported start
    tag "" at byte offset 37"); this reads on past each mistake so that an editor fixes a text
    in one pass. The parser stays the judge: it is only consulted for its verdict, and a
    refusal this reading cannot explain is reported in the parser's words."""
    found = html_error(text)
    if found is None:
        return []
    mistakes: list[tuple[int, str, str]] = []
    open_tags: list[tuple[str, int]] = []
    unknown: set[str] = set()
    at = text.find("<")
    while at != -1:
        tag = _TAG_AT.match(text, at)
        if tag is None:
            unfinished = text[at + 1:at + 2].isalpha()
            mistakes.append((at, "a bare '<': Telegram reads it as the start of a tag",
                             "write &lt; for a '<' that is text"
                             + (", or end the tag with '>'" if unfinished else "")))
        else:
            _tag_mistakes(tag, open_tags, unknown, mistakes)
        at = text.find("<", tag.end() if tag else at + 1)
    for name, start in open_tags:
        mistakes.append((start, f"<{name}> is never closed", f"add </{name}> where it ends"))
    if not mistakes:
        mistakes.append((found[1] or 0, found[0], f"allowed tags: {_ALLOWED}"))
    return sorted(mistakes)


def _tag_mistakes(tag: re.Match[str], open_tags: list[tuple[str, int]], unknown: set[str],
                  mistakes: list[tuple[int, str, str]]) -> None:
    closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
    start = tag.start()
    if name not in _HTML_TAGS:
        if closing and name in unknown:
            return  # its opening tag is already reported
        unknown.add(name)
        mistakes.append((start, f"Telegram has no <{name}> tag",
                         f"allowed: {_ALLOWED}; write &lt;{name}&gt; to show it as text"))
    elif not closing:
        if name == "span" and "tg-spoiler" not in attributes:
            mistakes.append((start, "a <span> must be <span class=\"tg-spoiler\">",
                             "use <tg-spoiler>…</tg-spoiler> for hidden text"))
        open_tags.append((name, start))
    elif not any(name == opened for opened, _ in open_tags):
        mistakes.append((start, f"</{name}> closes nothing: no <{name}> is open here",
                         f"delete it, or add <{name}> where it starts"))
    else:
        while open_tags[-1][0] != name:
            inner, inner_start = open_tags.pop()
            mistakes.append((inner_start, f"<{inner}> is still open when </{name}> closes",
                             f"close it first: </{inner}></{name}>"))
        open_tags.pop()
