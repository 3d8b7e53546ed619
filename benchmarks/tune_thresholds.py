"""Choose the matcher's thresholds on the development set, never on the test set.

    python -m benchmarks.tune_thresholds                 # eval.jsonl and robust_dev.jsonl
    python -m benchmarks.tune_thresholds --file other.jsonl --file more.jsonl

The model's probabilities are computed once per sentence; the rules are then replayed for
every combination of thresholds. Private chats: the best accuracy with at most
`--private-false` of the negatives answered. Groups (unsolicited, topic gate included): the
best accuracy with at most `--group-false` answered, at least `--group-margin` points
above the private threshold (a false answer in a group is worse than a missed one). It
prints the chosen values; copying them into `bot.matching.Thresholds` is a deliberate,
reviewed edit (where margins tie, the shipped ones were kept).
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from bot.checks import check_and_index
from bot.evaluation import Labelled, read_labelled
from bot.matching import Candidate, Matcher, Thresholds
from bot.matching.matcher import _decide

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "eval.jsonl"
ROBUST_DEV = ROOT / "tests" / "data" / "robust_dev.jsonl"
"""Stories, typos and unusual words, and negatives told the same way (the held-out half of
the same writer's sentences is robust_test.jsonl, never read here)."""


def replay(matcher: Matcher, items: list[Labelled]) -> list[tuple[Labelled, tuple[object, ...]]]:
    """What the rules need of each sentence: ranked myths, topic word, P(none)."""
    out = []
    for item in items:
        norm, ranked, none = matcher.scores(item.text)
        topic = matcher.gate.find(norm.tokens)
        out.append((item, (ranked, topic, none)))
    return out


def rates(cached: list[tuple[Labelled, tuple[object, ...]]], limits: Thresholds,
          chat: str) -> tuple[float, float]:
    right = wrong = positives = negatives = 0
    for item, (ranked, topic, none) in cached:
        assert isinstance(ranked, list)
        if not ranked:
            answered = None
        else:
            best = Candidate(ranked[0][0], ranked[0][1], "", "fr")
            runner = Candidate(ranked[1][0], ranked[1][1], "", "fr") if len(ranked) > 1 else None
            decision = _decide(best, runner, ranked, "fr", chat, topic,  # type: ignore[arg-type]
                               float(none), limits)  # type: ignore[arg-type]
            answered = decision.intent if decision.kind == "answer" else None
        if item.expect is None:
            negatives += 1
            wrong += answered is not None
        else:
            positives += 1
            right += answered == item.expect
    return right / max(positives, 1), wrong / max(negatives, 1)


Choice = tuple[float, float, Thresholds]


def best(cached: list[tuple[Labelled, tuple[object, ...]]], chat: str, max_false: float,
         grid: Iterable[Thresholds]) -> Choice:
    """The most accurate thresholds whose false answers stay within `max_false`."""
    found: Choice | None = None
    for limits in grid:
        accuracy, false = rates(cached, limits, chat)
        if false <= max_false and (found is None or accuracy > found[0]):
            found = (accuracy, false, limits)
    if found is None:
        raise SystemExit(f"no thresholds keep {chat} false answers within {max_false}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", action="append", default=None,
                        help=f"a development set (repeatable; default {DEV.name} and "
                             f"{ROBUST_DEV.name})")
    parser.add_argument("--private-false", type=float, default=0.03)
    parser.add_argument("--group-false", type=float, default=0.005)
    parser.add_argument("--group-margin", type=float, default=10,
                        help="groups need at least this much more confidence than private chats")
    args = parser.parse_args()
    matcher, problems = check_and_index(ROOT)
    assert matcher is not None, [p.format() for p in problems]
    items = [item for name in args.file or (DEV, ROBUST_DEV)
             for item in read_labelled(Path(name), set(matcher.content.by_id))]
    cached = replay(matcher, items)
    accuracy, false, chosen = best(cached, "private", args.private_false, (
        replace(Thresholds(), private=p, margin=m, clarify_floor=f)
        for p, m, f in itertools.product(range(20, 80, 5), (5, 10, 15, 20), (10, 15, 20, 25))))
    print(f"private: accuracy {accuracy:.3f}, false answers {false:.3f} with "
          f"private={chosen.private} margin={chosen.margin} clarify_floor={chosen.clarify_floor}")
    accuracy, false, chosen = best(cached, "group", args.group_false, (
        replace(chosen, group=g, group_without_topic=max(w, g))
        for g, w in itertools.product(range(40, 100, 5), (90, 95, 101))
        if g >= chosen.private + args.group_margin))
    print(f"group:   accuracy {accuracy:.3f}, false answers {false:.3f} with "
          f"group={chosen.group} group_without_topic={chosen.group_without_topic}")


if __name__ == "__main__":
    main()
