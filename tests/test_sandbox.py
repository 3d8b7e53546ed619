"""The session's sandbox (tests/conftest.py): the tests leave the developer's folders alone
and reach no other machine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError

from bot import paths
from tests.conftest import NetworkForbidden, Sandbox
from tests.fake_bot_api import FakeBotApi


def test_the_suite_writes_in_its_sandbox_not_in_the_users_home(sandbox: Sandbox) -> None:
    home = Path.home()
    assert home.is_relative_to(sandbox.root) and Path("~").expanduser() == home
    written = [paths.model_cache(), paths.default_db(), paths.history_file()]
    assert all(p is not None and p.is_relative_to(sandbox.root) for p in written), written
    assert not any(name.startswith("TELEGRAM_") for name in os.environ)
    assert sandbox.changed() == []  # nothing written so far in the user's own folders


def test_a_bot_process_started_by_a_test_inherits_the_sandbox(sandbox: Sandbox) -> None:
    probe = "from bot import paths; print(paths.model_cache(), paths.default_db())"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=paths.PROJECT).stdout.split()
    assert all(Path(p).is_relative_to(sandbox.root) for p in out), out


def caused_by(error: BaseException | None, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is in the chain (causes, contexts, exception groups) of ``error``."""
    seen: list[BaseException | None] = [error]
    while seen:
        current = seen.pop()
        if current is None:
            continue
        if isinstance(current, kind):
            return True
        seen += [current.__cause__, current.__context__]
        if isinstance(current, BaseExceptionGroup):
            seen += current.exceptions
    return False


@pytest.mark.parametrize("host", ["192.0.2.1", "2001:db8::1", "api.telegram.org"])
async def test_tests_cannot_reach_another_host(host: str) -> None:
    with pytest.raises(NetworkForbidden):
        socket.create_connection((host, 443), timeout=1)
    url = f"https://[{host}]" if ":" in host else f"https://{host}"
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError) as refused:
            await client.get(url)
    assert caused_by(refused.value, NetworkForbidden)
    with pytest.raises(NetworkError) as caught:  # what the bot would see
        async with Bot("123456:TEST-TOKEN", base_url=f"{url}/bot"):
            pass
    assert caused_by(caught.value, NetworkForbidden)


def test_a_socket_cannot_connect_to_another_address() -> None:
    with socket.socket() as sock, pytest.raises(NetworkForbidden):
        sock.connect(("192.0.2.1", 443))
    with socket.socket() as sock, pytest.raises(NetworkForbidden):
        sock.connect_ex(("8.8.8.8", 53))
    with socket.socket(type=socket.SOCK_DGRAM) as sock, pytest.raises(NetworkForbidden):
        sock.sendto(b"query", ("8.8.8.8", 53))


async def test_this_machine_is_reachable(api: FakeBotApi) -> None:
    with socket.create_connection(("127.0.0.1", api.port), timeout=1):
        pass
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://localhost:{api.port}/bot{api.token}/getMe")
    assert response.json()["result"]["username"] == "mythbot_test_bot"
