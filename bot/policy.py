"""What the bot remembers to apply the conversation rules: group answers, private floods,
cached admin lists. The rules themselves are in `bot.conversation`.

Pure and clock-injected (`now` is passed in), so the rules are tested without
sleeping. State lives in memory: after a restart a cooldown starts afresh,
which at worst allows one extra answer.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from bot.conversation import (
    GROUP_ANSWERS_PER_MINUTE,
    Cooldown,
    Flood,
    Verdict,
    busy_notice_due,
    cooldown_verdict,
)

PRIVATE_MESSAGES_PER_WINDOW = 8
PRIVATE_WINDOW_SECONDS = 20.0
ADMIN_CACHE_SECONDS = 120.0


@dataclass
class GroupCooldown:
    """Per chat: one answer per myth within the cooldown, and a few answers a minute in all."""

    per_minute: int = GROUP_ANSWERS_PER_MINUTE
    _last: dict[int, dict[str, float]] = field(default_factory=dict)
    _recent: dict[int, deque[float]] = field(default_factory=dict)
    _busy_noticed: dict[int, float] = field(default_factory=dict)

    def snapshot(self, chat_id: int, now: float) -> Cooldown:
        """The chat's recent answers, for the conversation rules."""
        recent = self._recent.setdefault(chat_id, deque())
        while recent and now - recent[0] >= 60:
            recent.popleft()
        return Cooldown(now, tuple(recent), dict(self._last.get(chat_id, {})),
                        self._busy_noticed.get(chat_id), self.per_minute)

    def verdict(self, chat_id: int, intent: str, cooldown_minutes: int, now: float,
                *, solicited: bool = False) -> Verdict:
        """'ok', 'busy' or 'cooldown': see `bot.conversation.cooldown_verdict`."""
        return cooldown_verdict(self.snapshot(chat_id, now), intent, cooldown_minutes,
                                solicited=solicited)

    def allows(self, chat_id: int, intent: str, cooldown_minutes: int, now: float,
               *, solicited: bool = False) -> bool:
        return self.verdict(chat_id, intent, cooldown_minutes, now, solicited=solicited) == "ok"

    def record(self, chat_id: int, intent: str | None, now: float) -> None:
        self._recent.setdefault(chat_id, deque()).append(now)
        if intent:
            self._last.setdefault(chat_id, {})[intent] = now

    def release(self, chat_id: int, intent: str | None, now: float) -> None:
        """Undo `record` for an answer that could not be sent: it is tried again later."""
        recent = self._recent.get(chat_id)
        if recent and now in recent:
            recent.remove(now)
        last = self._last.get(chat_id, {})
        if intent and last.get(intent) == now:
            del last[intent]

    def busy_notice_due(self, chat_id: int, now: float) -> bool:
        """Whether someone who asked past the cap gets the short "busy" notice: once a
        minute per chat, so that the notice cannot flood the group either."""
        if not busy_notice_due(self.snapshot(chat_id, now)):
            return False
        self.noticed_busy(chat_id, now)
        return True

    def noticed_busy(self, chat_id: int, now: float) -> None:
        self._busy_noticed[chat_id] = now

    def forget(self, chat_id: int) -> None:
        self._recent.pop(chat_id, None)
        self._busy_noticed.pop(chat_id, None)
        self._last.pop(chat_id, None)


@dataclass
class FloodGuard:
    """Per user in private: past the limit, one notice, then silence until the window clears.

    Only the messages answered (and the notice) count: the ones dropped in silence do not
    push the end of the silence further, or a user who keeps typing would never be
    answered again."""

    limit: int = PRIVATE_MESSAGES_PER_WINDOW
    window: float = PRIVATE_WINDOW_SECONDS
    _seen: dict[int, deque[float]] = field(default_factory=dict)
    _warned: set[int] = field(default_factory=set)
    _last: dict[int, tuple[object, Flood]] = field(default_factory=dict)

    def check(self, user_id: int, now: float, *, key: object = None) -> Flood:
        """'ok' to answer, 'warn' to send the one notice, 'drop' to stay silent. A message
        checked again (same ``key``: an update handled again after an outage) gets the same
        verdict and is not counted twice."""
        if key is not None:
            last = self._last.get(user_id)
            if last is not None and last[0] == key:
                return last[1]
        verdict = self._verdict(user_id, now)
        if key is not None:
            self._last[user_id] = (key, verdict)
        return verdict

    def _verdict(self, user_id: int, now: float) -> Flood:
        seen = self._seen.setdefault(user_id, deque())
        while seen and now - seen[0] >= self.window:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(now)
            self._warned.discard(user_id)
            return "ok"
        if user_id in self._warned:
            return "drop"
        seen.append(now)
        self._warned.add(user_id)
        return "warn"


@dataclass
class AdminCache:
    """Chat administrators as Telegram last reported them, for a short while."""

    ttl: float = ADMIN_CACHE_SECONDS
    _admins: dict[int, tuple[float, frozenset[int]]] = field(default_factory=dict)

    def get(self, chat_id: int, now: float) -> frozenset[int] | None:
        cached = self._admins.get(chat_id)
        if cached is None or now - cached[0] >= self.ttl:
            return None
        return cached[1]

    def put(self, chat_id: int, admins: frozenset[int], now: float) -> None:
        self._admins[chat_id] = (now, admins)

    def forget(self, chat_id: int) -> None:
        self._admins.pop(chat_id, None)
