"""A setting is confirmed only once it is in the file, and confirmed once, even when the
bot is stopped while the confirmation is on its way."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import bot.telegram.sending as sending
from tests.fake_bot_api import FakeBotApi
from tests.harness import running_bot

ALICE = FakeBotApi.user(2201, "Alice", language_code="en")


def rows(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT user_id, lang FROM user_lang").fetchall()


async def test_a_setting_the_file_refuses_is_not_confirmed_and_lands_later(
        api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sending, "SAVE_WAIT", 0.5)
    db = tmp_path / "bot.sqlite3"
    async with running_bot(api, db) as bot:
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        api.send_text(FakeBotApi.private_chat(ALICE), ALICE, "/lang fr")
        (reply,) = await bot.replies(ALICE["id"])
        assert reply["text"].startswith("Pas encore enregistré")
        assert rows(db) == []
        holder.execute("ROLLBACK")
        holder.close()
        await bot.settled()
        assert rows(db) == [(ALICE["id"], "fr")]  # kept, and written once the file allows
        api.send_text(FakeBotApi.private_chat(ALICE), ALICE, "/lang en")
        replies = await bot.replies(ALICE["id"], 2)
        assert replies[1]["text"] == "Saved."
        assert rows(db) == [(ALICE["id"], "en")], "confirmed before it was in the file"


async def test_a_confirmation_cut_by_a_stop_is_not_sent_again_at_the_next_start(
        api: FakeBotApi, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    api.set_delay("sendMessage", 4)  # posted at once, Telegram's answer comes late
    async with running_bot(api, db) as bot:
        api.send_text(FakeBotApi.private_chat(ALICE), ALICE, "/lang fr")
        await bot.replies(ALICE["id"])
    api.set_delay("sendMessage", 0)
    async with running_bot(api, db) as bot:
        await api.wait_idle(quiet=0.5)
        await bot.settled()
    assert api.texts(ALICE["id"]) == ["C'est noté."]
    assert rows(db) == [(ALICE["id"], "fr")]
