"""What the `mythbot` command prints: problems, decisions and reports, as text or JSON.

Pure functions from values to strings; `bot.cli` does the I/O.
"""

from __future__ import annotations

from pathlib import Path

from bot.checkdiff import Changes
from bot.checks import CheckReport
from bot.content import Problem
from bot.evaluation import IntentScore, Report
from bot.matching import ChatKind, Decision, Matcher
from bot.matching.crossval import Readiness, wilson


def format_check(folder: Path, report: CheckReport, errors: list[Problem],
                 shown: list[Problem], changes: Changes) -> str:
    """What `check` prints: every error, how ready each myth is, the warnings that are new
    since the last check (or all of them), and a last line that counts them."""
    lines = [p.format() for p in errors]
    if report.readiness:
        lines += ["", *format_readiness(report.readiness), ""]
    lines += [p.format() for p in shown]
    warnings = len(changes.new) + changes.unchanged
    if not changes.first:
        lines.append(f"since the last check: {len(changes.new)} new warning(s), "
                     f"{len(changes.gone)} gone, {changes.unchanged} unchanged "
                     "(mythbot check --all lists every one)")
    if report.content is None:
        lines.append(f"{len(errors)} error(s), {warnings} warning(s) in {folder}")
    else:
        examples = sum(len(m.examples) for m in report.content.myths)
        lines.append(f"ok: {len(report.content.myths)} intents, {examples} examples, "
                     f"{warnings} warning(s) in {folder}")
    return "\n".join(lines)


def format_readiness(rows: tuple[Readiness, ...]) -> list[str]:
    """Per myth, how often its examples are recognised when the model has not seen them."""
    out = [f"{'myth':<22} {'examples':>8}  {'recognised unseen':<20} verdict"]
    for r in rows:
        seen = f"{r.recall:4.0%} ({r.low:.0%}-{r.high:.0%})"
        verdict = "ready" if r.ready else (
            f"add about {r.more} examples per language" if r.more <= r.examples else
            "more examples would help little: see what it is mistaken for (--all)")
        out.append(f"{r.intent:<22} {r.examples:>8}  {seen:<20} {verdict}")
    out.append("examples: in its thinner language; recognised unseen: its examples read as "
               "it by a model trained without them (3-fold cross-validation)")
    return out


def decision_json(decision: Decision, matcher: Matcher, text: str) -> dict[str, object]:
    runner = decision.runner_up
    nearest = decision.nearest
    _, ranked, _ = matcher.scores(text)
    return {
        "decision": decision.kind,
        "intent": decision.intent,
        "score": decision.score,
        "lang": decision.lang,
        "example": decision.example,
        "runner_up": None if runner is None else {
            "intent": runner.intent, "score": runner.score, "example": runner.example},
        "options": list(decision.options),
        "reason": decision.reason,
        "none": decision.none_score,
        "topic": decision.topic,
        "candidates": [{"intent": i, "score": p} for i, p in ranked],
        "nearest": None if nearest is None else {
            "intent": nearest.intent, "score": nearest.score, "example": nearest.example,
            "similarity": nearest.similarity},
    }


def format_decision(decision: Decision, matcher: Matcher, text: str, chat: ChatKind) -> str:
    """What `ask` prints: the model's view, the gate's, the nearest example, the verdict."""
    _, ranked, none = matcher.scores(text)
    lines = [f"decision:  {decision.kind}" + (f" {decision.intent}" if decision.intent else "")]
    if decision.kind == "clarify":
        lines.append(f"options:   {', '.join(decision.options)}")
    lines.append("model:     " + "  ".join(f"{i} {p:g}" for i, p in ranked[:4] if p >= 1)
                 + f"  | none of the myths {none:g}")
    gate = f"passes ('{decision.topic}')" if decision.topic else "no topic word"
    lines.append(f"topic:     {gate}" + ("" if chat == "group" else
                                         " (only unsolicited group messages need one)"))
    best = decision.nearest
    if best is not None and best.example:
        lines.append(f"nearest:   {best.example!r} [{best.intent}, {best.lang}, "
                     f"similarity {best.similarity:g}]")
    if decision.kind == "none":
        negative, similarity = matcher.nearest_negative(text)
        if negative is not None and similarity:
            lines.append(f"negative:  {negative.text!r} [{negative.path}:{negative.line}, "
                         f"similarity {similarity:.1f}]")
    lines.append(f"language:  {decision.lang}")
    lines.append(f"why:       {decision.reason}")
    return "\n".join(lines)


def format_report(report: Report) -> str:
    lines = [f"{'intent':<22} {'precision':>9} {'recall':>7} {'n':>4}"]
    for row in report.per_intent:
        precision, recall = (
            "-" if value is None else f"{value:.3f}" for value in _measured(row))
        lines.append(f"{row.intent:<22} {precision:>9} {recall:>7} {row.support:>4}")
    if report.mistakes:
        lines.append("")
        lines.append("misclassified:")
    for outcome in report.mistakes:
        got = outcome.decision.intent or outcome.decision.kind
        lines.append(f"  line {outcome.item.line}: expected {outcome.item.expect or 'none'}, "
                     f"got {got} ({outcome.decision.score:g}): {outcome.item.text}")
    lines.append("")
    lines.append(f"accuracy={_rate(report.accuracy, report.positives)} "
                 f"(clichés answered with the right myth, of {report.positives})")
    lines.append(f"false_answers={_rate(report.false_answer_rate, report.negatives)} "
                 f"(negatives answered as a myth, of {report.negatives})")
    lines.append("intervals: 95% Wilson")
    return "\n".join(lines)


def _measured(row: IntentScore) -> tuple[float | None, float | None]:
    """Precision and recall, None where the file cannot measure them: with no line expecting
    the myth recall means nothing, and precision only if the myth was answered at all."""
    if row.support:
        return row.precision, row.recall
    return (None if row.precision == 1.0 else row.precision), None


def _row_json(row: IntentScore) -> dict[str, object]:
    precision, recall = _measured(row)
    return {"precision": None if precision is None else round(precision, 4),
            "recall": None if recall is None else round(recall, 4), "n": row.support}


def _rate(rate: float, n: int) -> str:
    """A measured share with its interval, or n/a when the file has no line to measure it on."""
    if n == 0:
        return "n/a"
    low, high = wilson(rate, n)
    return f"{rate:.3f} [{low:.3f}, {high:.3f}]"


def report_json(report: Report) -> dict[str, object]:
    """`eval --json`: the figures (None where the file cannot measure them) and the misses."""
    return {
        "accuracy": round(report.accuracy, 4) if report.positives else None,
        "false_answer_rate": round(report.false_answer_rate, 4) if report.negatives else None,
        "n": report.n,
        "positives": report.positives,
        "negatives": report.negatives,
        "per_intent": {r.intent: _row_json(r) for r in report.per_intent},
        "misclassified": [{"line": o.item.line, "text": o.item.text,
                           "expect": o.item.expect, "got": o.answered,
                           "decision": o.decision.kind} for o in report.mistakes],
    }
