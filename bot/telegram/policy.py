"""When the bot may speak: group cooldowns, private flood control, cached admin lists.

Pure and clock-injected (`now` is passed in), so the rules are tested without
sleeping. State lives in memory: after a restart a cooldown starts afresh,
which at worst allows one extra answer.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

GROUP_ANSWERS_PER_MINUTE = 4
"""Above this, a busy group sees the bot go quiet rather than flood the chat."""
PRIVATE_MESSAGES_PER_WINDOW = 8
PRIVATE_WINDOW_SECONDS = 20.0
ADMIN_CACHE_SECONDS = 120.0


Verdict = Literal["ok", "cooldown", "busy"]


@dataclass
class GroupCooldown:
    """Per chat: one answer per myth within the cooldown, and a few answers a minute in all."""

    per_minute: int = GROUP_ANSWERS_PER_MINUTE
    _last: dict[tuple[int, str], float] = field(default_factory=dict)
    _recent: dict[int, deque[float]] = field(default_factory=dict)
    _busy_noticed: dict[int, float] = field(default_factory=dict)

    def verdict(self, chat_id: int, intent: str, cooldown_minutes: int, now: float,
                *, solicited: bool = False) -> Verdict:
        """'ok' to answer now, 'busy' past the per-minute cap, 'cooldown' for a myth answered
        lately. Someone who asked the bot skips the myth cooldown (they want the answer) but
        not the per-minute cap (a group must never be flooded)."""
        recent = self._recent.setdefault(chat_id, deque())
        while recent and now - recent[0] >= 60:
            recent.popleft()
        if len(recent) >= self.per_minute:
            return "busy"
        last = self._last.get((chat_id, intent))
        if solicited or last is None or now - last >= cooldown_minutes * 60:
            return "ok"
        return "cooldown"

    def allows(self, chat_id: int, intent: str, cooldown_minutes: int, now: float,
               *, solicited: bool = False) -> bool:
        return self.verdict(chat_id, intent, cooldown_minutes, now, solicited=solicited) == "ok"

    def record(self, chat_id: int, intent: str | None, now: float) -> None:
        self._recent.setdefault(chat_id, deque()).append(now)
        if intent:
            self._last[(chat_id, intent)] = now

    def release(self, chat_id: int, intent: str | None, now: float) -> None:
        """Undo `record` for an answer that could not be sent: it is tried again later."""
        recent = self._recent.get(chat_id)
        if recent and now in recent:
            recent.remove(now)
        if intent and self._last.get((chat_id, intent)) == now:
            del self._last[(chat_id, intent)]

    def busy_notice_due(self, chat_id: int, now: float) -> bool:
        """Whether someone who asked past the cap gets the short "busy" notice: once a
        minute per chat, so that the notice cannot flood the group either."""
        last = self._busy_noticed.get(chat_id)
        if last is not None and now - last < 60:
            return False
        self._busy_noticed[chat_id] = now
        return True

    def forget(self, chat_id: int) -> None:
        self._recent.pop(chat_id, None)
        self._busy_noticed.pop(chat_id, None)
        for key in [k for k in self._last if k[0] == chat_id]:
            del self._last[key]


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
    _last: dict[int, tuple[object, str]] = field(default_factory=dict)

    def check(self, user_id: int, now: float, *, key: object = None) -> str:
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

    def _verdict(self, user_id: int, now: float) -> str:
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
