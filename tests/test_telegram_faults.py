"""Faults end to end over HTTP: a rejected token, webhook secrets, a send slower than the
read timeout; and secrets kept out of the logs. Error answers and bursts: in memory
(tests/test_telegram_resilience.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sys
import time
from pathlib import Path

import httpx

from bot.telegram.config import RedactingFormatter
from tests.fake_bot_api import FakeBotApi
from tests.harness import QUESTION, Running, running_bot

ALICE = FakeBotApi.user(3001, "Alice", language_code="fr")


async def test_the_token_never_reaches_the_logs() -> None:
    token = "987654:SECRET-never-log-me"
    formatter = RedactingFormatter("%(message)s", token)
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{token}/sendMessage failed")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed with %s",
                                   (token,), sys.exc_info())
    output = formatter.format(record)
    assert "SECRET-never-log-me" not in output and "[token]" in output


async def test_a_rejected_token_is_reported_without_the_token(api: FakeBotApi,
                                                              tmp_path: Path) -> None:
    token = "654321:WRONG-secret-token"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--token", token, "--base-url", api.base_url,
        "--db", str(tmp_path / "x.sqlite3"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert "WRONG-secret-token" not in (out + err).decode()
    assert "InvalidToken" in err.decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def post_update(url: str, update: dict[str, object], secret: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(url, content=json.dumps(update),
                                 headers={"Content-Type": "application/json",
                                          "X-Telegram-Bot-Api-Secret-Token": secret})


async def test_webhook_requests_without_the_secret_are_refused(api: FakeBotApi,
                                                               tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    update = {"update_id": 1, "message": {
        "message_id": 1, "date": int(time.time()), "chat": FakeBotApi.private_chat(ALICE),
        "from": ALICE, "text": QUESTION}}
    api.add_chat(FakeBotApi.private_chat(ALICE))
    async with running_bot(api, tmp_path / "w.sqlite3", webhook_url=url, listen="127.0.0.1",
                           port=port, secret_token="s3cret-header"):
        wrong = await post_update(url, update, "nope")
        right = await post_update(url, update, "s3cret-header")
        assert wrong.status_code == 403 and right.status_code == 200
        (reply,) = await api.wait_for_messages(1, chat_id=3001)
        assert reply["text"].startswith("Cliché : Combien gagne un SMM ?")
        assert api.calls_to("setWebhook")[0].params["secret_token"] == "s3cret-header"


async def test_a_slow_send_message_is_waited_for_not_duplicated(bot: Running,
                                                                 api: FakeBotApi) -> None:
    api.set_delay("sendMessage", 6)  # slower than httpx's default 5 s read timeout
    api.send_text(FakeBotApi.private_chat(ALICE), ALICE, QUESTION)
    await api.wait_for_call("sendMessage", timeout=15)
    await api.wait_idle(quiet=1.0, timeout=20)
    assert len(api.sent(3001)) == 1
    assert len(api.calls_to("sendMessage")) == 1
