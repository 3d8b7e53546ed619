"""Which myth the weekly post shows next: each one once before any repeats."""

from __future__ import annotations

from collections.abc import Sequence


def next_weekly(ids: Sequence[str], history: Sequence[str]) -> str:
    """The first myth (in the article's order) not yet posted in the current round.

    A round ends when every myth has been posted; the next round never starts
    with the myth that ended the last one, so no myth appears twice in a row.
    """
    if not ids:
        raise ValueError("no myths to post")
    posted: set[str] = set()
    for intent in history:
        if intent in ids:
            posted.add(intent)
            if posted >= set(ids):
                posted = set()
    remaining = [i for i in ids if i not in posted]
    last = history[-1] if history else None
    choice = next((i for i in remaining if i != last), remaining[0])
    return choice
