"""What a button asks for, and its callback data: encoded and decoded here only.

Telegram gives a button 64 bytes of data, returned as sent when it is pressed. The data
is short and namespaced: `m:<id>` show a myth, `list` all myths, `src` the sources,
`t5:<n>` a step of the top 5, `v:<id>:<1|0>` a "helpful?" vote. Data this version does
not read (an older version's, or forged) decodes to None.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ShowMyth:
    intent: str


@dataclass(frozen=True, slots=True)
class ShowList:
    pass


@dataclass(frozen=True, slots=True)
class ShowSources:
    pass


@dataclass(frozen=True, slots=True)
class Top5Step:
    step: int


@dataclass(frozen=True, slots=True)
class Vote:
    intent: str
    helpful: bool


Press = ShowMyth | ShowList | ShowSources | Top5Step | Vote
Show = ShowMyth | ShowList | ShowSources


def encode(press: Press) -> str:
    match press:
        case ShowMyth(intent):
            return f"m:{intent}"
        case ShowList():
            return "list"
        case ShowSources():
            return "src"
        case Top5Step(step):
            return f"t5:{step}"
        case Vote(intent, helpful):
            return f"v:{intent}:{int(helpful)}"


def decode(data: object) -> Press | None:
    """The press `data` stands for; None for anything else (no exception: it comes from
    users' clients). Steps are plain ASCII digits: "²" and "٣" pass `str.isdigit`."""
    if not isinstance(data, str):
        return None
    kind, _, rest = data.partition(":")
    if data == "list":
        return ShowList()
    if data == "src":
        return ShowSources()
    if kind == "m" and rest:
        return ShowMyth(rest)
    if kind == "t5" and rest.isascii() and rest.isdecimal():
        return Top5Step(int(rest))
    intent, _, value = rest.rpartition(":")
    if kind == "v" and intent and value in {"0", "1"}:
        return Vote(intent, value == "1")
    return None


def is_show(data: object) -> bool:
    """For PTB's CallbackQueryHandler(pattern=...): a myth, the list or the sources."""
    return isinstance(decode(data), Show)


def is_top5(data: object) -> bool:
    return isinstance(decode(data), Top5Step)


def is_vote(data: object) -> bool:
    return isinstance(decode(data), Vote)
