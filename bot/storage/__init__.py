"""SQLite storage, by concern: settings, schedules, misses, stats and the inbox of updates.

`Store` (store.py) is the one object the rest of mythbot uses; the other modules hold the
SQL of one concern each (functions of a connection), the schema and its migrations
(db.py), and the thread that does every write (writer.py).
"""

from bot.models import (
    CHAT_KINDS,
    LANG_SETTINGS,
    MAX_COOLDOWN_MINUTES,
    MAX_MISS_CHARS,
    MODES,
    VOTE_MEMORY_DAYS,
    ChatSettings,
    LangSetting,
    Miss,
    Mode,
    Schedule,
    StatRow,
)
from bot.storage.db import SCHEMA_VERSION
from bot.storage.store import Store

__all__ = [
    "CHAT_KINDS",
    "LANG_SETTINGS",
    "MAX_COOLDOWN_MINUTES",
    "MAX_MISS_CHARS",
    "MODES",
    "SCHEMA_VERSION",
    "VOTE_MEMORY_DAYS",
    "ChatSettings",
    "LangSetting",
    "Miss",
    "Mode",
    "Schedule",
    "StatRow",
    "Store",
]
