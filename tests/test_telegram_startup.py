"""Starting with Telegram unreachable: the bot waits for it, as during a mid-run outage,
then answers; a stop request while it waits ends it at once, cleanly."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.content import Content
from tests.fake_bot_api import FakeBotApi
from tests.harness import spawn_process

ALICE = FakeBotApi.user(4101, "Alice", language_code="fr")


@asynccontextmanager
async def bot_process(api: FakeBotApi, db: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await spawn_process(api, db)
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


async def test_webhook_mode_answers_healthz(api: FakeBotApi, tmp_path: Path,
                                          content: Content) -> None:
    import httpx

    from tests.harness import running_bot
    from tests.test_telegram_faults import free_port

    hook, health = free_port(), free_port()
    async with running_bot(api, tmp_path / "w.sqlite3", webhook_url=f"http://127.0.0.1:{hook}/h",
                           listen="127.0.0.1", port=hook, health_port=health,
                           secret_token="s3cret"), httpx.AsyncClient() as client:
        up = await client.get(f"http://127.0.0.1:{health}/healthz")
        assert up.status_code == 200
        assert up.json() == {"serving": True, "mode": "webhook", "telegram": "reachable",
                             "backlog": 0, "myths": len(content.myths)}
        assert (await client.get(f"http://127.0.0.1:{health}/nothing")).status_code == 404


def test_health_is_on_by_default_in_webhook_mode_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.telegram.config import HEALTH_PORT, config_from

    monkeypatch.delenv("MYTHBOT_HEALTH_PORT", raising=False)
    polling = config_from(token="1:x", content=Path("."), db="x.sqlite3")
    webhook = config_from(token="1:x", content=Path("."), db="x.sqlite3",
                          webhook_url="https://bot.example.org/h")
    assert polling.health_port is None and webhook.health_port == HEALTH_PORT
    monkeypatch.setenv("MYTHBOT_HEALTH_PORT", "off")
    assert config_from(token="1:x", content=Path("."), db="x.sqlite3",
                       webhook_url="https://bot.example.org/h").health_port is None
