"""Domain records (chat settings, schedules, misses, statistics) and the checks on values
from users. Pure: the core uses them and `bot.storage` stores them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

Mode = Literal["auto", "mention", "off"]
LangSetting = Literal["auto", "fr", "en"]

MODES: frozenset[str] = frozenset({"auto", "mention", "off"})
LANG_SETTINGS: frozenset[str] = frozenset({"auto", "fr", "en"})
CHAT_KINDS: frozenset[str] = frozenset({"private", "group", "channel", "inline"})

_MODE_OF: dict[str, Mode] = {"auto": "auto", "mention": "mention", "off": "off"}
_LANG_OF: dict[str, LangSetting] = {"auto": "auto", "fr": "fr", "en": "en"}


def mode_of(value: str) -> Mode | None:
    """An admin's word as a mode, or None when it is not one."""
    return _MODE_OF.get(value)


def lang_setting_of(value: str) -> LangSetting | None:
    """A user's word as a language setting, or None when it is not one."""
    return _LANG_OF.get(value)


MAX_COOLDOWN_MINUTES = 24 * 60
"""/cooldown's limit (a day): the command, its usage text and the store agree on it."""
MAX_MISS_CHARS = 500
VOTE_MEMORY_DAYS = 90

_TIME_RE = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class ChatSettings:
    chat_id: int
    mode: Mode = "mention"
    lang: LangSetting = "auto"
    cooldown_minutes: int = 10

    def __post_init__(self) -> None:
        # Literal types are not checked at run time and these values come from
        # admins' commands, so reject them here rather than store nonsense.
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {sorted(MODES)}, not {self.mode!r}")
        check_lang(self.lang)
        if not 0 <= self.cooldown_minutes <= MAX_COOLDOWN_MINUTES:
            raise ValueError(
                f"cooldown_minutes must be between 0 and {MAX_COOLDOWN_MINUTES}, "
                f"not {self.cooldown_minutes}"
            )


@dataclass(frozen=True, slots=True)
class Schedule:
    """A weekly "myth of the week" post; ``weekday`` 0 is Monday."""

    chat_id: int
    weekday: int
    time: str  # "HH:MM", 24-hour clock
    timezone: str  # IANA name, e.g. "Europe/Paris"
    lang: LangSetting = "auto"

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if not _TIME_RE.fullmatch(self.time):
            raise ValueError(f"time must be HH:MM on a 24-hour clock, not {self.time!r}")
        check_lang(self.lang)


@dataclass(frozen=True, slots=True)
class Miss:
    """One group of identical (case- and space-insensitive) unanswered questions."""

    text: str
    count: int
    first_seen: float
    last_seen: float
    lang: str


@dataclass(frozen=True, slots=True)
class StatRow:
    day: str
    intent: str
    lang: str
    chat_kind: str
    answers: int
    helpful: int
    not_helpful: int


def check_lang(lang: str) -> None:
    if lang not in LANG_SETTINGS:
        raise ValueError(f"lang must be one of {sorted(LANG_SETTINGS)}, not {lang!r}")


def check_chat_kind(chat_kind: str) -> None:
    if chat_kind not in CHAT_KINDS:
        raise ValueError(f"chat_kind must be one of {sorted(CHAT_KINDS)}, not {chat_kind!r}")


def check_day(day: str) -> str:
    # Days are compared as strings in SQL, which is only right for this exact
    # zero-padded form; fromisoformat alone would also accept "20240101".
    try:
        if _DAY_RE.fullmatch(day):
            date.fromisoformat(day)
            return day
    except ValueError:
        pass
    raise ValueError(f"day must be a date written YYYY-MM-DD, not {day!r}")


def day_or_today(day: str | None) -> str:
    return datetime.now(UTC).date().isoformat() if day is None else check_day(day)
