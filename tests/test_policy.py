"""Group cooldowns, flood control, cached admins and the weekly rotation: pure rules."""

from __future__ import annotations

import itertools
import logging
from types import SimpleNamespace

import pytest
from telegram.error import Conflict

from bot.policy import AdminCache, FloodGuard, GroupCooldown
from bot.rotation import next_weekly
from bot.telegram.errors import error_handler

CHAT = -100


def test_the_same_myth_waits_for_the_cooldown() -> None:
    cooldown = GroupCooldown()
    assert cooldown.allows(CHAT, "salary", 10, now=0)
    cooldown.record(CHAT, "salary", now=0)
    assert not cooldown.allows(CHAT, "salary", 10, now=599)
    assert cooldown.allows(CHAT, "training", 10, now=30)
    assert cooldown.allows(CHAT, "salary", 10, now=600)


def test_someone_who_asked_skips_the_myth_cooldown_but_not_the_minute_cap() -> None:
    cooldown = GroupCooldown(per_minute=3)
    for second in range(3):
        assert cooldown.allows(CHAT, "salary", 10, now=second, solicited=True)
        cooldown.record(CHAT, "salary", now=second)
    assert not cooldown.allows(CHAT, "training", 10, now=10, solicited=True)
    assert cooldown.allows(CHAT, "training", 10, now=61, solicited=True)


def test_cooldowns_are_per_chat_and_forgotten_with_the_chat() -> None:
    cooldown = GroupCooldown()
    cooldown.record(CHAT, "salary", now=0)
    assert cooldown.allows(CHAT - 1, "salary", 10, now=1)
    cooldown.forget(CHAT)
    assert cooldown.allows(CHAT, "salary", 10, now=1)


def test_a_flooding_user_gets_one_warning_then_silence_until_the_window_clears() -> None:
    guard = FloodGuard(limit=3, window=10)
    verdicts = [guard.check(1, now=t * 0.1) for t in range(6)]
    assert verdicts == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert guard.check(2, now=0.6) == "ok"  # other users are not slowed down
    assert guard.check(1, now=30) == "ok"


def test_admins_are_cached_briefly() -> None:
    cache = AdminCache(ttl=60)
    cache.put(CHAT, frozenset({1, 2}), now=0)
    assert cache.get(CHAT, now=59) == {1, 2}
    assert cache.get(CHAT, now=60) is None
    cache.put(CHAT, frozenset({1}), now=0)
    cache.forget(CHAT)
    assert cache.get(CHAT, now=1) is None


@pytest.mark.parametrize(("history", "expected"), [
    ([], "a"),
    (["a"], "b"),
    (["a", "b", "c"], "a"),
    (["a", "b", "c", "a"], "b"),
    (["c", "b", "a"], "b"),  # a new round does not start with the last one posted
    (["a", "gone", "b"], "c"),  # a myth removed from the content is skipped
], ids=["first", "next", "new-round", "second-round", "no-repeat", "removed-myth"])
def test_the_weekly_rotation_shows_each_myth_once_before_repeating(history: list[str],
                                                                   expected: str) -> None:
    assert next_weekly(["a", "b", "c"], history) == expected


def test_the_weekly_rotation_never_posts_twice_in_a_row() -> None:
    history: list[str] = []
    for _ in range(30):
        history.append(next_weekly(["a", "b", "c", "d"], history))
    assert all(x != y for x, y in itertools.pairwise(history))
    assert sorted(history[:4]) == ["a", "b", "c", "d"]


async def test_a_409_conflict_is_explained_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    context = SimpleNamespace(error=Conflict("terminated by other getUpdates request"))
    with caplog.at_level(logging.ERROR):
        await error_handler(None, context)  # type: ignore[arg-type]
    assert "another process is polling with this bot token" in caplog.text
