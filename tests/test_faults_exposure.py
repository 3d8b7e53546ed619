"""What the bot exposes: /healthz on this machine only unless the operator says otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.telegram.config import config_from
from tests.fake_bot_api import FakeBotApi
from tests.harness import running_bot
from tests.test_telegram_faults import free_port


def test_health_listens_on_this_machine_only_unless_told(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MYTHBOT_HEALTH_LISTEN", raising=False)
    monkeypatch.setenv("MYTHBOT_HEALTH_PORT", "8080")
    monkeypatch.setenv("MYTHBOT_LISTEN", "0.0.0.0")  # the webhook's address is another matter
    assert config_from(token="1:x", content=Path("."), db="x").health_listen == "127.0.0.1"
    monkeypatch.setenv("MYTHBOT_HEALTH_LISTEN", "0.0.0.0")
    assert config_from(token="1:x", content=Path("."), db="x").health_listen == "0.0.0.0"


async def test_the_health_server_binds_the_loopback_address_in_polling_mode(
        api: FakeBotApi, tmp_path: Path) -> None:
    port = free_port()
    async with running_bot(api, tmp_path / "bot.sqlite3", health_port=port) as bot:
        server = bot.service._health
        assert server is not None
        bound = {sock.getsockname()[0] for sock in server._sockets.values()}
    assert bound == {"127.0.0.1"}
