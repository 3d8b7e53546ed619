"""Starting with Telegram unreachable: the bot waits for it, as during a mid-run outage,
then answers; a stop request while it waits ends it at once, cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.conftest import ROOT
from tests.fake_bot_api import FakeBotApi

ALICE = FakeBotApi.user(4101, "Alice", language_code="fr")


@asynccontextmanager
async def bot_process(api: FakeBotApi, db: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--token", api.token, "--base-url",
        api.base_url, "--db", str(db), cwd=str(ROOT), env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def log_line(process: asyncio.subprocess.Process, needle: str) -> str:
    """The first line of the bot's log that contains `needle` (event-driven: no sleep)."""
    assert process.stderr is not None
    seen = []
    while line := (await asyncio.wait_for(process.stderr.readline(), 60)).decode():
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"{needle!r} never logged:\n{''.join(seen)}")


async def test_a_bot_started_during_an_outage_waits_then_answers(api: FakeBotApi,
                                                                  tmp_path: Path) -> None:
    await api.go_down()
    async with bot_process(api, tmp_path / "bot.sqlite3") as process:
        line = await log_line(process, "trying again")
        assert "getMe" in line and "Traceback" not in line and api.token not in line
        await api.come_back()
        await api.wait_for(lambda: api.polls_waiting > 0, timeout=60,
                           message="the bot never polled once Telegram was back")
        api.send_text(FakeBotApi.private_chat(ALICE), ALICE, "combien gagne un smm ?")
        await api.wait_for_messages(1, timeout=30)
        assert api.sent()[0]["text"].startswith("Cliché : Combien gagne un SMM ?")
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 5) == 0


async def test_sigterm_while_waiting_for_telegram_exits_0_at_once(api: FakeBotApi,
                                                                   tmp_path: Path) -> None:
    await api.go_down()
    async with bot_process(api, tmp_path / "bot.sqlite3") as process:
        await log_line(process, "trying again")
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 5) == 0
        assert process.stderr is not None
        rest = (await process.stderr.read()).decode()
        assert "Traceback" not in rest and "stopped" in rest
