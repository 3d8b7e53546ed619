"""Matching quality the way users meet it: clichés told inside stories, with typos, without
accents, in words the examples do not use; and a myth learnt from few examples.

Figures come from sets nobody working on the content saw: `tests/data/test.jsonl` and
`tests/data/robust_test.jsonl` (written by helpers who never read the examples, the
negatives or the development sets). The development sets (`eval.jsonl`, `robust_dev.jsonl`),
on which thresholds and training were chosen, are reported apart, as what they are.

    python -m benchmarks.bench_quality            # prints the Markdown section
    python -m benchmarks.bench_quality --quick    # few-shot at N = 10 on three myths only

*Few-shot*: each myth in turn is cut to its first N examples per language (the file's
order: what an editor writes first), the model retrained with everything else unchanged,
and that myth's recall measured on the test sets' clichés of it (private rule: answered
with that myth). Pooled over the myths.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.common import ROOT, Section, table
from bot.content import Content, load_content
from bot.evaluation import Labelled, evaluate
from bot.matching import ChatKind, Matcher
from bot.matching.crossval import wilson

DATA = ROOT / "tests" / "data"
FEW_SHOT = (5, 10, 20, 40)
TEST_SETS = ("test.jsonl", "robust_test.jsonl")
DEV_SETS = ("eval.jsonl", "robust_dev.jsonl")


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    name: str
    kind: str
    lang: str | None
    text: str
    expect: str | None


def rows(name: str) -> list[Row]:
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            kind = data.get("kind") or ("cliche" if data.get("expect") else "negative")
            out.append(Row(name, kind, data.get("lang"), data["text"], data.get("expect")))
    return out


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def rate(hits: int, n: int) -> str:
    if not n:
        return "–"
    low, high = wilson(hits / n, n)
    return f"{hits / n:.1%} [{low:.1%}–{high:.1%}] (n={n})"


def measure(matcher: Matcher, group: Sequence[Row], chat: ChatKind) -> tuple[int, int, int, int]:
    """(clichés answered right, clichés, negatives answered, negatives)."""
    items = [Labelled(r.text, r.expect, i) for i, r in enumerate(group, 1)]
    report = evaluate(matcher, items, chat)
    right = sum(o.correct for o in report.outcomes if o.item.expect)
    wrong = sum(o.answered is not None for o in report.outcomes if not o.item.expect)
    return right, report.positives, wrong, report.negatives


def robustness(matcher: Matcher, names: Sequence[str]) -> list[list[str]]:
    table_rows = []
    groups: dict[str, list[Row]] = {}
    for name in names:
        for row in rows(name):
            groups.setdefault(f"{name}: {row.kind}", []).append(row)
    for name in names:
        accented = [r for r in rows(name) if r.expect and strip_accents(r.text) != r.text]
        groups[f"{name}: clichés without their accents"] = [
            dataclasses.replace(r, text=strip_accents(r.text)) for r in accented]
    for label, group in sorted(groups.items()):
        p = measure(matcher, group, "private")
        g = measure(matcher, group, "group")
        table_rows.append([label, rate(p[0], p[1]), rate(p[2], p[3]), rate(g[0], g[1]),
                           rate(g[2], g[3])])
    return table_rows


def cut(content: Content, myth: str, n: int) -> Content:
    myths = []
    for m in content.myths:
        if m.id == myth:
            kept = [e for lang in sorted({e.lang for e in m.examples})
                    for e in [x for x in m.examples if x.lang == lang][:n]]
            m = dataclasses.replace(m, examples=tuple(kept))
        myths.append(m)
    return Content.of(myths, content.folder, content.negatives, content.topic,
                      content.smalltalk, content.frames)


def few_shot(content: Content, sizes: Sequence[int], myths: Sequence[str],
             log: Callable[[str], None]) -> list[list[str]]:
    tests = [r for name in TEST_SETS for r in rows(name) if r.expect]
    out = []
    for n in sizes:
        hits = total = 0
        for myth in myths:
            log(f"few-shot: {myth} cut to {n} per language")
            matcher = Matcher(cut(content, myth, n), cache=None)
            mine = [r for r in tests if r.expect == myth]
            right, count, _, _ = measure(matcher, mine, "private")
            hits, total = hits + right, total + count
        out.append([str(n), rate(hits, total)])
    return out


def run(quick: bool, log: Callable[[str], None]) -> Section:
    started = time.monotonic()
    content = load_content(ROOT).content
    assert content is not None, "the shipped content does not load: run mythbot check"
    with tempfile.TemporaryDirectory(prefix="mythbot-quality-") as cache:
        matcher = Matcher(content, cache=Path(cache))
    headers = ["set: kind", "private: clichés right", "private: negatives answered",
               "group: clichés right", "group: negatives answered"]
    log("robustness on the test sets…")
    test_table = table(headers, robustness(matcher, TEST_SETS))
    dev_table = table(headers, robustness(matcher, DEV_SETS))
    myths = [m.id for m in content.myths][:3] if quick else [m.id for m in content.myths]
    curve = few_shot(content, (10,) if quick else FEW_SHOT, myths, log)
    full = measure(matcher, [r for name in TEST_SETS for r in rows(name)
                             if r.expect in set(myths)], "private")
    curve.append([f"all ({min(len(m.examples) for m in content.myths) // 2}+)",
                  rate(full[0], full[1])])
    markdown = "\n".join([
        "Private rule: answered with the expected myth (clichés) or answered at all "
        "(negatives). Group rule: a message nobody addressed to the bot. 95 % Wilson "
        "intervals.",
        "",
        "**Held-out test sets** (never tuned on):",
        "",
        test_table,
        "",
        "**Development sets** (thresholds and training choices were made on these):",
        "",
        dev_table,
        "",
        f"**Few-shot**: a myth cut to its first N examples per language, retrained, its recall "
        f"on the test sets' clichés of it (private rule), pooled over {len(myths)} myths:",
        "",
        table(["N per language", "recall"], curve),
        "",
        f"({time.monotonic() - started:,.0f} s)",
    ])
    ten = next(row[1] for row in curve if row[0] == "10")
    headline = {"few-shot recall, a myth from 10 examples per language": ten}
    return Section("Matching quality: stories, typos, few examples", markdown, headline)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    section = run(args.quick, lambda m: print(m, file=sys.stderr, flush=True))
    print(f"## {section.title}\n\n{section.markdown}")


if __name__ == "__main__":
    main()
