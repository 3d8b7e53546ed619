"""Choose the matcher's thresholds on the development set, never on the test set.

    python -m benchmarks.tune_thresholds                 # tests/data/eval.jsonl
    python -m benchmarks.tune_thresholds --file other.jsonl

The model's probabilities are computed once per sentence; the rules are then replayed for
every combination of thresholds. Private chats: the best accuracy with at most
`--private-false` of the negatives answered. Groups (unsolicited, topic gate included): the
best accuracy with at most `--group-false` answered. It prints the chosen values; copying them
into `bot.matching.Thresholds` is a deliberate, reviewed edit.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

from bot.checks import check_and_index
from bot.evaluation import Labelled, read_labelled
from bot.matching import Candidate, Matcher, Thresholds
from bot.matching.matcher import _decide

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "eval.jsonl"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(DEV))
    parser.add_argument("--private-false", type=float, default=0.03)
    parser.add_argument("--group-false", type=float, default=0.005)
    args = parser.parse_args()
    matcher, problems = check_and_index(ROOT)
    assert matcher is not None, [p.format() for p in problems]
    items = read_labelled(Path(args.file), set(matcher.content.by_id))
    cached = replay(matcher, items)
    base = Thresholds()
    best_private: tuple[float, float, Thresholds] | None = None
    for private, margin, floor in itertools.product(range(20, 80, 5), (5, 10, 15, 20, 25),
                                                    (10, 15, 20, 25)):
        limits = replace(base, private=private, margin=margin, clarify_floor=floor)
        accuracy, false = rates(cached, limits, "private")
        if false <= args.private_false and (best_private is None or accuracy > best_private[0]):
            best_private = (accuracy, false, limits)
    assert best_private is not None
    chosen = best_private[2]
    print(f"private: accuracy {best_private[0]:.3f}, false answers {best_private[1]:.3f} with "
          f"private={chosen.private} margin={chosen.margin} clarify_floor={chosen.clarify_floor}")
    best_group: tuple[float, float, Thresholds] | None = None
    for group, without in itertools.product(range(40, 100, 5), (80, 90, 95, 98, 101)):
        limits = replace(chosen, group=group, group_without_topic=max(without, group))
        accuracy, false = rates(cached, limits, "group")
        if false <= args.group_false and (best_group is None or accuracy > best_group[0]):
            best_group = (accuracy, false, limits)
    assert best_group is not None
    chosen = best_group[2]
    print(f"group:   accuracy {best_group[0]:.3f}, false answers {best_group[1]:.3f} with "
          f"group={chosen.group} group_without_topic={chosen.group_without_topic}")


if __name__ == "__main__":
    main()
