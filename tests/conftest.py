"""Shared fixtures: the shipped content, copies of it to break, tiny content to build."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

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
