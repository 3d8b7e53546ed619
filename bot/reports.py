"""What editors and operators read: unanswered questions grouped, and usage counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.matching import Matcher
from bot.matching.normalise import normalise
from bot.models import Miss, StatRow

SAME_QUESTION = 75.0
"""Two misses this similar (token-sort ratio of their meaningful words) are one question."""


@dataclass(frozen=True, slots=True)
class MissGroup:
    text: str
    """The most asked wording of the group."""
    count: int
    variants: tuple[str, ...]
    nearest_intent: str | None
    nearest_score: float
    lang: str = ""
    """The language it was last asked in: where `misses --add` files it."""


def misses_report(misses: Sequence[Miss], matcher: Matcher, *, top: int = 20) -> list[MissGroup]:
    """Group similar misses, most asked first, each with the myth it came closest to."""
    groups: list[tuple[str, list[Miss]]] = []
    for miss in sorted(misses, key=lambda m: -m.count):
        key = normalise(miss.text).key or miss.text.lower()
        for head, members in groups:
            if fuzz.ratio(key, head) >= SAME_QUESTION:
                members.append(miss)
                break
        else:
            groups.append((key, [miss]))
    report = []
    for _, members in groups:
        decision = matcher.decide(members[0].text, "private")
        nearest = decision.nearest
        report.append(MissGroup(
            members[0].text, sum(m.count for m in members),
            tuple(m.text for m in members[1:]),
            nearest.intent if nearest and not nearest.near_miss else None,
            nearest.score if nearest and not nearest.near_miss else 0.0,
            members[0].lang,
        ))
    report.sort(key=lambda g: (-g.count, g.text))
    return report[:top]


def format_misses(groups: Sequence[MissGroup]) -> str:
    if not groups:
        return "no unanswered questions recorded"
    # The number is what `mythbot misses --add N` files.
    lines = [f"{'#':>3}  {'count':>5}  {'nearest intent':<20} {'score':>5}  question"]
    for number, group in enumerate(groups, 1):
        lines.append(f"{number:>3}  {group.count:>5}  {group.nearest_intent or '-':<20} "
                     f"{group.nearest_score:>5.1f}  {group.text}")
        lines.extend(f"{'':>39}  ~ {variant}" for variant in group.variants[:5])
    return "\n".join(lines)


def format_stats(rows: Sequence[StatRow]) -> str:
    if not rows:
        return "no statistics yet"
    lines = [f"{'day':<10}  {'intent':<20} {'lang':<4} {'chat':<7} {'answers':>7} "
             f"{'helpful':>7} {'not':>4}"]
    lines += [f"{r.day:<10}  {r.intent:<20} {r.lang:<4} {r.chat_kind:<7} {r.answers:>7} "
              f"{r.helpful:>7} {r.not_helpful:>4}" for r in rows]
    return "\n".join(lines)


def stats_summary(rows: Sequence[StatRow]) -> str:
    """Totals per intent, most answered first: short enough for a Telegram message."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        total = totals[row.intent]
        total[0] += row.answers
        total[1] += row.helpful
        total[2] += row.not_helpful
    lines = [f"{'intent':<20} {'ans':>5} {'👍':>4} {'👎':>4}"]
    for intent, (answers, up, down) in sorted(totals.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"{intent:<20} {answers:>5} {up:>4} {down:>4}")
    return "\n".join(lines)
