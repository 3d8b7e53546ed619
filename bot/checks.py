"""Checks that need the matcher: content that parses but would answer wrongly."""

from __future__ import annotations

from pathlib import Path

from rapidfuzz import fuzz, process

from bot.content import Content, Problem, load_content
from bot.matching import Matcher, Thresholds

# Only flag an example that is really close to another intent's: small
# overlaps between myths are normal and the matcher copes with them.
AMBIGUOUS_SIMILARITY = 85.0


def ambiguous_examples(content: Content, matcher: Matcher) -> list[Problem]:
    """Examples closer to another intent's examples than to any of their own.

    Each example is compared with the examples the matcher would consider for it (sharing
    its rarer words), not with all of them: the check stays fast as the content grows."""
    index = matcher.index
    problems: list[Problem] = []
    for position, entry in enumerate(index.entries):
        if entry.near_miss:
            continue
        key = index.keys[position]
        chosen = [i for i in matcher.candidates(key.split()) if i != position]
        own = other = 0.0
        other_example, other_intent = "", ""
        for _, score, offset in process.extract(key, [index.keys[i] for i in chosen],
                                                scorer=fuzz.ratio, limit=None, score_cutoff=40):
            candidate = index.entries[chosen[offset]]
            if candidate.intent == entry.intent:
                own = max(own, score)
            elif score > other:
                other, other_example, other_intent = score, candidate.text, candidate.intent
        if other > own and other >= AMBIGUOUS_SIMILARITY:
            myth = content.by_id[entry.intent]
            line = next((e.line for e in myth.examples if e.text == entry.text), 1)
            problems.append(Problem(
                myth.intent_path, line, 1,
                f"example {entry.text!r} is closer to intent '{other_intent}' "
                f"({other_example!r}, {other:.0f}) than to its own '{entry.intent}' ({own:.0f})",
                f"reword it so that it says what is specific to '{entry.intent}', or move it "
                f"to intents/{other_intent}.yaml"))
    return problems


def check_content(folder: Path) -> tuple[Content | None, list[Problem]]:
    """Everything `mythbot check` reports, and the content when it has no error."""
    matcher, problems = check_and_index(folder)
    return (matcher.content if matcher else None), problems


def check_and_index(folder: Path,
                    thresholds: Thresholds | None = None) -> tuple[Matcher | None, list[Problem]]:
    """Load, check and index in one go (the check needs the index): the matcher when clean."""
    result = load_content(folder)
    problems = list(result.problems)
    if result.content is None:
        return None, problems
    matcher = Matcher(result.content, thresholds)
    problems += ambiguous_examples(result.content, matcher)
    errors = any(p.severity == "error" for p in problems)
    return (None if errors else matcher), problems
