"""Per-chat settings (mode, language, cooldown) and users' language choice, in SQL."""

from __future__ import annotations

import sqlite3
from typing import cast

from bot.models import ChatSettings, LangSetting, Mode


def read_chat_settings(db: sqlite3.Connection, chat_id: int) -> ChatSettings:
    row = db.execute(
        "SELECT mode, lang, cooldown_minutes FROM chat_settings WHERE chat_id = ?", (chat_id,)
    ).fetchone()
    if row is None:
        return ChatSettings(chat_id)
    return ChatSettings(chat_id, cast(Mode, row[0]), cast(LangSetting, row[1]), int(row[2]))


def write_chat_settings(db: sqlite3.Connection, settings: ChatSettings) -> None:
    db.execute(
        """INSERT INTO chat_settings (chat_id, mode, lang, cooldown_minutes)
        VALUES (?, ?, ?, ?)
        ON CONFLICT (chat_id) DO UPDATE SET mode = excluded.mode,
            lang = excluded.lang, cooldown_minutes = excluded.cooldown_minutes""",
        (settings.chat_id, settings.mode, settings.lang, settings.cooldown_minutes),
    )


def forget_chat(db: sqlite3.Connection, chat_id: int) -> None:
    """Settings, schedule and weekly history go; statistics are not per chat and stay."""
    db.execute("DELETE FROM chat_settings WHERE chat_id = ?", (chat_id,))
    db.execute("DELETE FROM schedules WHERE chat_id = ?", (chat_id,))
    db.execute("DELETE FROM weekly_posts WHERE chat_id = ?", (chat_id,))


def read_user_lang(db: sqlite3.Connection, user_id: int) -> LangSetting:
    row = db.execute("SELECT lang FROM user_lang WHERE user_id = ?", (user_id,)).fetchone()
    return "auto" if row is None else cast(LangSetting, row[0])


def write_user_lang(db: sqlite3.Connection, user_id: int, lang: LangSetting) -> None:
    if lang == "auto":
        # "auto" is the default: keeping a row would only keep the user id for nothing.
        db.execute("DELETE FROM user_lang WHERE user_id = ?", (user_id,))
    else:
        db.execute(
            """INSERT INTO user_lang (user_id, lang) VALUES (?, ?)
            ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang""",
            (user_id, lang),
        )
