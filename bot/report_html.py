"""`mythbot eval FILE --html OUT.html`: the evaluation report as one page to look at.

In the spirit of Rasa's `test nlu` images: a confusion matrix (expected myth down, answer
across, "none" included), precision and recall per myth with the counts behind them, and
each misread sentence with what was expected, what was answered, the confidence and the
nearest example. Pure: a `Report` in, one self-contained HTML string out (inline CSS, no
script, no external asset), every sentence escaped.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.evaluation import Outcome, Report
from bot.matching.crossval import wilson

NONE_LABEL = "none"
"""The matrix's row and column for chatter: expected null, or not answered (clarify too)."""

MIN_TINT = 0.15
"""The lightest colour of a cell that holds at least one line."""
DARK = 0.55
"""Above this intensity a cell's figure is written in white."""


@dataclass(frozen=True, slots=True)
class Counts:
    """What precision and recall are made of, for one myth."""

    intent: str
    hits: int
    """Lines expecting the myth and answered with it."""
    answered: int
    """Lines answered with the myth: precision = hits / answered."""
    expected: int
    """Lines expecting the myth: recall = hits / expected."""


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _label(value: str | None) -> str:
    return value if value is not None else NONE_LABEL


def confusion(report: Report) -> Counter[tuple[str, str]]:
    """(expected, answered) → number of lines, "none" for chatter and for no answer."""
    return Counter((_label(o.item.expect), _label(o.answered)) for o in report.outcomes)


def counts(report: Report) -> list[Counts]:
    """Per myth, in the report's order: the counts behind its precision and recall."""
    rows = []
    for score in report.per_intent:
        answered = [o for o in report.outcomes if o.answered == score.intent]
        hits = sum(o.item.expect == score.intent for o in answered)
        rows.append(Counts(score.intent, hits, len(answered), score.support))
    return rows


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "–"


def _bar(part: int, whole: int) -> str:
    """A share as a small horizontal bar, its figure beside it."""
    width = round(100 * part / whole) if whole else 0
    return (f'<span class="bar"><span style="width:{width}%"></span></span>'
            f'<span class="num">{_ratio(part, whole)}</span>')


def _matrix(report: Report, labels: Sequence[str]) -> str:
    cells = confusion(report)
    head = "".join(f'<th class="col"><span>{_esc(label)}</span></th>' for label in labels)
    rows = [f'<tr><th class="corner">expected ↓ answered →</th>{head}<th>n</th></tr>']
    for expected in labels:
        total = sum(cells[expected, answered] for answered in labels)
        row = [f'<th class="row">{_esc(expected)}</th>']
        for answered in labels:
            n = cells[expected, answered]
            # Intensity is the share of the row, so a myth with few lines reads like a big one;
            # any line at all gets a tint, or a single misread would vanish into the white.
            alpha = MIN_TINT + (1 - MIN_TINT) * n / total if n else 0.0
            kind = "hit" if expected == answered else "miss"
            if alpha > DARK:
                kind += " dark"
            style = f' style="--a:{alpha:.3f}"' if n else ""
            title = f"expected {expected}, answered {answered}: {n}"
            row.append(f'<td class="{kind}"{style} title="{_esc(title)}">{n or ""}</td>')
        row.append(f'<td class="total">{total}</td>')
        rows.append(f"<tr>{''.join(row)}</tr>")
    return f'<table class="matrix">{"".join(rows)}</table>'


def _scores(report: Report) -> str:
    rows = ['<tr><th>myth</th><th>precision</th><th>right / answered</th><th>recall</th>'
            '<th>right / expected</th></tr>']
    for row in counts(report):
        rows.append(f"<tr><th>{_esc(row.intent)}</th><td>{_bar(row.hits, row.answered)}</td>"
                    f'<td class="count">{row.hits} / {row.answered}</td>'
                    f"<td>{_bar(row.hits, row.expected)}</td>"
                    f'<td class="count">{row.hits} / {row.expected}</td></tr>')
    return f'<table class="scores">{"".join(rows)}</table>'


def _answer(outcome: Outcome) -> str:
    decision = outcome.decision
    if decision.kind == "answer":
        return _esc(decision.intent)
    if decision.kind == "clarify":
        return f'<span class="none">asked which: {_esc(", ".join(decision.options))}</span>'
    return f'<span class="none">{NONE_LABEL}</span>'


def _nearest(outcome: Outcome) -> str:
    nearest = outcome.decision.nearest
    if nearest is None or not nearest.example:
        return "–"
    return (f'<q>{_esc(nearest.example)}</q> <span class="meta">{_esc(nearest.intent)}, '
            f"similarity {nearest.similarity:g}</span>")


def _mistakes(report: Report) -> str:
    if not report.mistakes:
        return "<p>No sentence misread.</p>"
    rows = ["<tr><th>line</th><th>sentence</th><th>expected</th><th>answered</th>"
            "<th>confidence</th><th>nearest example</th></tr>"]
    for outcome in sorted(report.mistakes, key=lambda o: (_label(o.item.expect), o.item.line)):
        rows.append(f'<tr><td class="count">{outcome.item.line}</td>'
                    f"<td>{_esc(outcome.item.text)}</td>"
                    f"<td>{_esc(_label(outcome.item.expect))}</td><td>{_answer(outcome)}</td>"
                    f'<td class="count">{outcome.decision.score:g}</td>'
                    f"<td>{_nearest(outcome)}</td></tr>")
    return f'<table class="mistakes">{"".join(rows)}</table>'


def _summary(report: Report) -> str:
    def rate(value: float, n: int, what: str) -> str:
        if not n:
            return f"<li>{what}: n/a (no line to measure it on)</li>"
        low, high = wilson(value, n)
        return f"<li>{what}: <b>{value:.3f}</b> [{low:.3f}, {high:.3f}] of {n}</li>"

    return ("<ul>"
            + rate(report.accuracy, report.positives, "accuracy (clichés answered with the "
                                                       "right myth)")
            + rate(report.false_answer_rate, report.negatives, "false answers (negatives "
                                                                "answered as a myth)")
            + f"<li>misread: {len(report.mistakes)} of {report.n} lines</li></ul>"
            "<p class=\"meta\">Intervals: 95% Wilson.</p>")


_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:2em;
max-width:1200px}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.8em 0 .5em}
.meta{color:#667085;font-size:.9em}
table{border-collapse:collapse}th,td{padding:3px 7px}
th{text-align:left;font-weight:600}
.matrix td{width:2.6em;height:2.1em;text-align:center;border:1px solid #e4e7ec;
font-variant-numeric:tabular-nums}
.matrix td.hit{background:rgba(22,128,84,var(--a,0))}
.matrix td.miss{background:rgba(200,45,45,var(--a,0))}
.matrix td.dark{color:#fff}.matrix td.total{color:#667085;border:none}
.matrix th.col{height:9.5em;vertical-align:bottom;padding:0}
.matrix th.col span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;
padding:4px;display:inline-block}
.matrix th.row{text-align:right}.matrix th.corner{vertical-align:bottom;color:#667085;
font-weight:400}
.scores td,.scores th{border-bottom:1px solid #eef0f3}
.bar{display:inline-block;width:120px;height:10px;background:#eef0f3;margin-right:6px;
vertical-align:middle}.bar span{display:block;height:100%;background:#3566c8}
.num,.count{font-variant-numeric:tabular-nums}.count{text-align:right;color:#475467}
.mistakes{width:100%}.mistakes td,.mistakes th{border-bottom:1px solid #eef0f3;
vertical-align:top}
.mistakes td:nth-child(2){max-width:34em}.none{color:#98a2b3;font-style:italic}
q{quotes:"“" "”"}
"""


def html_report(report: Report, *, title: str = "mythbot eval", about: str = "") -> str:
    """The whole page. `about` says what was measured (the file, the chat rule)."""
    labels = [row.intent for row in report.per_intent] + [NONE_LABEL]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_esc(title)}</h1>"
        + (f'<p class="meta">{_esc(about)}</p>' if about else "")
        + _summary(report)
        + "<h2>Confusion matrix</h2><p class=\"meta\">Rows: what the line expects; columns: "
          "what the bot answered (none: chatter, or no answer). Colour: the share of the "
          "row; green on the diagonal is right, red is wrong.</p>"
        + _matrix(report, labels)
        + "<h2>Precision and recall per myth</h2>" + _scores(report)
        + f"<h2>Misread sentences ({len(report.mistakes)})</h2>" + _mistakes(report)
        + "</body></html>\n"
    )
