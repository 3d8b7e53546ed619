"""The database under faults: a damaged file is one line and exit 1, never a traceback;
private files are created for their owner only."""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
from pathlib import Path

import pytest

from bot.models import ChatSettings
from bot.paths import private_folder
from bot.storage import Store
from bot.storage.db import StorageError
from tests.conftest import MakeContent
from tests.fake_bot_api import FakeBotApi
from tests.harness import spawn_process

PAGE = 4096


def filled(db: Path) -> Path:
    with Store(db) as store:
        for chat in range(300):
            store.update_chat_settings(-1 - chat, cooldown_minutes=chat % 50)
            store.add_miss(f"question number {chat} " * 5, "fr")
    with sqlite3.connect(db) as conn:  # one file, no WAL beside it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def damage_pages(db: Path, pages: tuple[int, ...] = (2, 4, 6)) -> None:
    data = bytearray(db.read_bytes())
    noise = random.Random(7)
    for page in pages:
        data[page * PAGE:(page + 1) * PAGE] = noise.randbytes(PAGE)
    db.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["garbage", "pages", "truncated"])
def test_a_damaged_database_is_refused_at_open_with_one_clear_message(
        tmp_path: Path, damage: str) -> None:
    db = filled(tmp_path / "bot.sqlite3")
    if damage == "garbage":
        db.write_bytes(random.Random(3).randbytes(20_000))
    elif damage == "pages":
        damage_pages(db)
    else:
        db.write_bytes(db.read_bytes()[: 5 * PAGE + 100])
    with pytest.raises(StorageError) as refused:
        Store(db)
    message = str(refused.value)
    assert str(db) in message and "damaged" in message and "\n" not in message
    assert "backup" in message


async def test_mythbot_run_on_a_damaged_database_says_one_line_and_exits_1(
        api: FakeBotApi, tmp_path: Path, make_content: MakeContent) -> None:
    content = make_content({"salary": {"fr": ["combien gagne un smm"],
                                       "en": ["how much does an smm earn"]}})
    db = filled(tmp_path / "bot.sqlite3")
    damage_pages(db)
    process = await spawn_process(api, db, "--content", str(content))
    _, err = await asyncio.wait_for(process.communicate(), 60)
    lines = err.decode().strip().splitlines()
    assert process.returncode == 1
    assert len(lines) == 1 and lines[0].startswith("mythbot: the database ")
    assert "damaged" in lines[0] and "Traceback" not in err.decode()
    assert not api.calls_to("getUpdates"), "a bot that cannot keep updates must not take any"


def test_pages_damaged_while_running_give_defaults_not_errors(tmp_path: Path) -> None:
    db = filled(tmp_path / "bot.sqlite3")
    with Store(db) as store:
        damage_pages(db, pages=tuple(range(2, len(db.read_bytes()) // PAGE)))
        assert store.chat_settings(-7) in (ChatSettings(-7), ChatSettings(-7, cooldown_minutes=6))
        assert store.waiting_updates() == []


def test_the_database_and_its_journal_are_private_in_a_private_folder(tmp_path: Path) -> None:
    db = tmp_path / "new" / "data" / "bot.sqlite3"
    with Store(db) as store:
        store.update_chat_settings(-1, cooldown_minutes=3)
        assert store.flush()
        modes = {p.name: p.stat().st_mode & 0o777 for p in db.parent.iterdir()}
    assert modes["bot.sqlite3"] == 0o600
    assert all(mode == 0o600 for name, mode in modes.items() if name.startswith("bot.")), modes
    assert db.parent.stat().st_mode & 0o777 == 0o700


def test_a_private_folder_is_0700_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o000)
    try:
        folder = private_folder(tmp_path / "cache" / "mythbot")
    finally:
        os.umask(old)
    assert folder.stat().st_mode & 0o777 == 0o700
    existing = tmp_path / "shared"
    existing.mkdir(mode=0o755)
    os.chmod(existing, 0o755)
    private_folder(existing)
    assert existing.stat().st_mode & 0o777 == 0o755  # the operator's own folder is theirs
