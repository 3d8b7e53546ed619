"""The store's public names, where the rest of mythbot has always imported them from.

The implementation lives in `bot.storage`, one module per concern.
"""

from bot.storage import (
    CHAT_KINDS,
    LANG_SETTINGS,
    MAX_COOLDOWN_MINUTES,
    MAX_MISS_CHARS,
    MODES,
    SCHEMA_VERSION,
    VOTE_MEMORY_DAYS,
    ChatSettings,
    LangSetting,
    Miss,
    Mode,
    Schedule,
    StatRow,
    Store,
)

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
