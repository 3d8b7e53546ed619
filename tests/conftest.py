"""Shared fixtures: the shipped content, copies of it to break, tiny content to build; no test
reaches the network."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from bot.content import Content, load_content
from bot.matching import Matcher

if TYPE_CHECKING:
    from tests.fake_bot_api import FakeBotApi
    from tests.harness import Running

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def content() -> Content:
    result = load_content(ROOT)
    assert result.content is not None, [p.format() for p in result.errors]
    return result.content


@pytest.fixture(scope="session")
def matcher(content: Content) -> Matcher:
    return Matcher(content)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped content folder."""
    for sub in ("intents", "responses"):
        shutil.copytree(ROOT / sub, tmp_path / sub)
    return tmp_path


def _examples(words: str, n: int) -> list[str]:
    return [f"{words} number {i}" for i in range(n)]


MakeContent = Callable[..., Path]


@pytest.fixture
def make_content(tmp_path: Path) -> MakeContent:
    """Write a small content folder: make_content({"id": ["example", ...]}, ...)."""

    def make(intents: dict[str, dict[str, list[str]]], folder: str = "made") -> Path:
        root = tmp_path / folder
        (root / "intents").mkdir(parents=True)
        (root / "responses").mkdir()
        for order, (ident, examples) in enumerate(intents.items(), 1):
            intent = {"id": ident, "order": order,
                      "title": {"fr": f"Titre {ident}", "en": f"Title {ident}"},
                      "examples": examples}
            response = {"intent": ident,
                        "text": {"fr": f"<b>Faux</b> pour {ident}.",
                                 "en": f"<b>Wrong</b> for {ident}."},
                        "source": {"title": "Source", "site": "Blog", "date": "2018-05-24"}}
            (root / "intents" / f"{ident}.yaml").write_text(
                yaml.safe_dump(intent, allow_unicode=True, sort_keys=False), encoding="utf-8")
            (root / "responses" / f"{ident}.yaml").write_text(
                yaml.safe_dump(response, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return root

    return make


class NetworkForbidden(ConnectionRefusedError):
    """A test tried to reach a host other than this machine: refused, as by a firewall."""


_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def _is_local(host: object) -> bool:
    if host is None or host in ("", b""):
        return True  # getaddrinfo(None or "", port): an address of this machine, to bind
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.lower() in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False  # a name to resolve: DNS is the network too
    return address.is_loopback or address.is_unspecified


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only loopback: a socket connection or a name lookup for any other host is refused
    (NetworkForbidden). PTB's own suite keeps its offline tests off the network with a
    request class that refuses to send; this does it at the socket, so it holds for httpx,
    PTB and the bot alike (a bot process started by a test is not covered)."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            raise NetworkForbidden(f"tests must not reach the network: connect to {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_local(host):
            raise NetworkForbidden(f"tests must not reach the network: look up {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns when RetryAfter.retry_after is read as an int; warnings are errors here.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A local Bot API server, privacy mode on (files may override it)."""
    from tests.fake_bot_api import FakeBotApi

    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Running]:
    """mythbot running against `api`, with a fresh database and the shipped content."""
    from tests.harness import running_bot

    async with running_bot(api, tmp_path / "bot.sqlite3") as running:
        yield running
