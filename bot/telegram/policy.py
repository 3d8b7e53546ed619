"""When the bot may speak: group cooldowns, private flood control, cached admin lists.

Pure and clock-injected (`now` is passed in), so the rules are tested without
sleeping. State lives in memory: after a restart a cooldown starts afresh,
which at worst allows one extra answer.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

GROUP_ANSWERS_PER_MINUTE = 4
"""Above this, a busy group sees the bot go quiet rather than flood the chat."""
PRIVATE_MESSAGES_PER_WINDOW = 8
PRIVATE_WINDOW_SECONDS = 20.0
ADMIN_CACHE_SECONDS = 120.0


@dataclass
class GroupCooldown:
    """Per chat: one answer per myth within the cooldown, and a few answers a minute in all."""

    per_minute: int = GROUP_ANSWERS_PER_MINUTE
    _last: dict[tuple[int, str], float] = field(default_factory=dict)
    _recent: dict[int, deque[float]] = field(default_factory=dict)

    def allows(self, chat_id: int, intent: str, cooldown_minutes: int, now: float,
               *, solicited: bool = False) -> bool:
        """Whether an answer may be sent now. Someone who asked the bot skips the myth cooldown
        (they want the answer) but not the per-minute cap (a group must never be flooded)."""
        recent = self._recent.setdefault(chat_id, deque())
        while recent and now - recent[0] >= 60:
            recent.popleft()
        if len(recent) >= self.per_minute:
            return False
        last = self._last.get((chat_id, intent))
        return solicited or last is None or now - last >= cooldown_minutes * 60

    def record(self, chat_id: int, intent: str | None, now: float) -> None:
        self._recent.setdefault(chat_id, deque()).append(now)
        if intent:
            self._last[(chat_id, intent)] = now

    def forget(self, chat_id: int) -> None:
        self._recent.pop(chat_id, None)
        for key in [k for k in self._last if k[0] == chat_id]:
            del self._last[key]


@dataclass
class FloodGuard:
    """Per user in private: past the limit, one notice, then silence until the window clears."""

    limit: int = PRIVATE_MESSAGES_PER_WINDOW
    window: float = PRIVATE_WINDOW_SECONDS
    _seen: dict[int, deque[float]] = field(default_factory=dict)
    _warned: set[int] = field(default_factory=set)

    def check(self, user_id: int, now: float) -> str:
        """'ok' to answer, 'warn' to send the one notice, 'drop' to stay silent."""
        seen = self._seen.setdefault(user_id, deque())
        while seen and now - seen[0] >= self.window:
            seen.popleft()
        seen.append(now)
        if len(seen) <= self.limit:
            self._warned.discard(user_id)
            return "ok"
        if user_id in self._warned:
            return "drop"
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
