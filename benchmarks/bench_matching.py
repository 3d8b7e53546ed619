"""Matching: the cost of one decision, of loading the content, and how they grow.

For the shipped content and synthetic content of 100, 1,000 and 10,000 intents
(benchmarks/synthetic.py), measured in one process, one core:

- decision time (median, p99) of `Matcher.decide` over messages of realistic
  length, positives and chatter mixed, after a warm-up; decisions per second;
- the floor: one `rapidfuzz.process.extractOne` with the engine's scorer
  (`fuzz.ratio`) over all the engine's already-normalised example keys
  (`matcher.index.keys`: positives and near misses, as the engine scores both),
  the query already normalised (`matcher.query(text)[1]`, not timed);
- one rapidfuzz pass over just the candidates the engine pre-selects (examples
  sharing a word with the message): the floor of the engine's own design;
- a `cdist` batch (all messages x all keys) when it can run;
- the proposal of `benchmarks/proposal.py` ("after"), its agreement with the
  engine and its accuracy on the labelled messages;
- load and index time (`Matcher(content)`), the content check that start-up
  and every reload run (`bot.checks.ambiguous_examples`), and memory.

Run alone: python -m benchmarks.bench_matching [--quick]
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import random
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from benchmarks.baseline import BaselineMatcher, ambiguous_examples_before
from benchmarks.common import (
    ROOT,
    Section,
    Summary,
    gc_paused,
    mib,
    ratio,
    rss_bytes,
    summarise,
    table,
    us,
)
from benchmarks.proposal import BudgetMatcher, ambiguous_examples_fast
from benchmarks.synthetic import synthetic_content, synthetic_messages
from bot.checks import ambiguous_examples
from bot.content import Content, load_content
from bot.live import LiveContent
from bot.matching import Decision, Matcher

SEED = 5
BUDGETS = (500, 1000)
"""The first is the proposal's; the second shows how the figures move with it."""
Labelled = list[tuple[str, str | None]]


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    intents: int | None
    """None: the shipped content, with tests/data/eval.jsonl as messages."""
    messages: int
    seconds: float
    """Time allowed to each contender's timed loop: a slow one is timed on fewer messages
    (never fewer than MIN_MESSAGES)."""
    memory_trace: bool
    check_sample: int
    """Examples whose content check is timed, to extrapolate to all of them."""
    cdist_queries: int
    check_now: bool
    """Run bot/checks.py's check in full (if its extrapolated cost allows)."""


FULL = (
    Plan("shipped", None, 378, 5.0, True, 0, 378, True),
    Plan("synthetic 100", 100, 1000, 5.0, True, 40, 200, True),
    Plan("synthetic 1,000", 1000, 1000, 5.0, True, 30, 60, True),
    Plan("synthetic 10,000", 10000, 600, 6.0, False, 10, 10, True),
)
QUICK = (
    Plan("shipped", None, 378, 0.5, False, 0, 50, True),
    Plan("synthetic 100", 100, 200, 0.3, False, 5, 20, False),
    Plan("synthetic 1,000", 1000, 80, 0.3, False, 3, 5, False),
)
MIN_MESSAGES = 30
BEFORE = "before (no budget)"
ENGINE = "engine (bot/ now)"


def proposal_name(budget: int) -> str:
    return f"proposal, budget {budget:,}"


@dataclass
class Contender:
    """One way of deciding, timed on one content."""

    times: Summary
    decisions: list[Decision]
    candidates: Summary | None = None
    quality: tuple[float, float] = (float("nan"), float("nan"))
    """(positives answered with their intent, chatter answered), on the messages it shares
    with the baseline."""
    identical: float = float("nan")
    """Share of decisions identical to the baseline's, on the messages both decided."""
    same_outcome: float = float("nan")
    """Share with the baseline's kind, intent and options (what the user sees)."""
    compared: int = 0


@dataclass
class Scale:
    plan: Plan
    examples: int = 0
    load_yaml: float = float("nan")
    build: float = 0.0
    rss: int = 0
    traced: tuple[int, int] | None = None
    check_total: float = 0.0
    """The content check before (every example against every other)."""
    check_fast_total: float = 0.0
    """The proposal's content check (same problems, the cutoff applied in C)."""
    check_measured: bool = False
    """Measured in full (else timed on a sample and multiplied out)."""
    check_same: bool | None = None
    """Whether the proposal's check found exactly the problems of the check before."""
    check_now: float = float("nan")
    """bot.checks.ambiguous_examples as it is now, in full; nan when not run."""
    check_now_same: bool | None = None
    """Whether today's check finds the problems of the check before (shipped content)."""
    live_total: float = float("nan")
    live_builds: int = 0
    """How many times one content load (LiveContent) builds the index."""
    query: Summary = field(default_factory=lambda: summarise([]))
    floor: Summary = field(default_factory=lambda: summarise([]))
    candidate_floor: Summary = field(default_factory=lambda: summarise([]))
    cdist: float = float("nan")
    cdist_note: str = ""
    contenders: dict[str, Contender] = field(default_factory=dict)
    after_build: float = 0.0
    after_memory: int = 0
    guard: float = float("nan")
    """Share of decisions identical between the baseline and the proposal without a budget:
    100% unless baseline.py or proposal.py no longer follow the same engine."""

    @property
    def engine(self) -> Summary:
        return self.contenders[ENGINE].times

    @property
    def before(self) -> Summary:
        return self.contenders[BEFORE].times

    def proposal(self, budget: int) -> Contender:
        return self.contenders[proposal_name(budget)]


def _labelled_shipped() -> Labelled:
    lines = (ROOT / "tests" / "data" / "eval.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [(row["text"], row["expect"]) for row in rows]


def _time_each(decide: Callable[[str], Any], texts: Sequence[str], seconds: float = math.inf,
               warmup: int = 50) -> tuple[list[float], list[Any]]:
    """Time each call (after a warm-up), stopping after `seconds` but not before
    MIN_MESSAGES calls."""
    for text in texts[:warmup]:
        decide(text)
    clock = time.perf_counter_ns
    deadline = clock() + seconds * 1e9
    times: list[float] = []
    results: list[Any] = []
    with gc_paused():
        for text in texts:
            start = clock()
            result = decide(text)
            end = clock()
            times.append((end - start) / 1e9)
            results.append(result)
            if end > deadline and len(times) >= MIN_MESSAGES:
                break
    return times, results


def _quality(decisions: Sequence[Decision], messages: Labelled) -> tuple[float, float]:
    positives = chatter = right = wrong = 0
    for decision, (_, expect) in zip(decisions, messages, strict=False):
        answered = decision.intent if decision.kind == "answer" else None
        if expect is None:
            chatter += 1
            wrong += answered is not None
        else:
            positives += 1
            right += answered == expect
    return right / max(positives, 1), wrong / max(chatter, 1)


def _engine_candidates(matcher: Matcher, baseline: BaselineMatcher, key: str) -> list[str]:
    """The keys the engine scores for a query: its budgeted `candidates` plus every near miss
    sharing a word (not budgeted) when it has them, else every example sharing a word."""
    select = getattr(matcher, "candidates", None)
    if select is None:
        positions = baseline.candidates(key)
    else:
        words = key.split()
        near = getattr(matcher.index, "near_postings", {})
        positions = [*select(words), *sorted({i for w in words for i in near.get(w, ())})]
    return [matcher.index.keys[i] for i in positions]


def _check_cost(content: Content, matcher: Matcher, sample: int) -> tuple[float, float]:
    """Seconds per example of the check before and of the proposal's, timed on a sample."""
    index = matcher.index
    positives = [i for i, entry in enumerate(index.entries) if not entry.near_miss]
    chosen = random.Random(SEED).sample(positives, min(sample, len(positives)))
    start = time.perf_counter()
    ambiguous_examples_fast(content, matcher, chosen)
    fast = (time.perf_counter() - start) / max(len(chosen), 1)
    start = time.perf_counter()
    ambiguous_examples_before(content, matcher, chosen)
    return (time.perf_counter() - start) / max(len(chosen), 1), fast


def _live_content() -> tuple[float, int]:
    """Seconds of one `LiveContent(ROOT)` (what start-up does) and how many indexes it builds
    (counted by wrapping `Matcher.__init__` for the duration)."""
    builds = 0
    original = Matcher.__init__

    def counting(self: Matcher, *args: Any, **kwargs: Any) -> None:
        nonlocal builds
        builds += 1
        original(self, *args, **kwargs)

    Matcher.__init__ = counting  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        LiveContent(ROOT)
        return time.perf_counter() - start, builds
    finally:
        Matcher.__init__ = original  # type: ignore[method-assign]


def _cdist(queries: list[str], keys: list[str]) -> tuple[float, str]:
    """Seconds per query of one cdist batch (workers=1), and how it was called."""
    if not queries:
        return float("nan"), "no query"
    if importlib.util.find_spec("numpy") is not None:
        start = time.perf_counter()
        process.cdist(queries, keys, scorer=fuzz.ratio, workers=1)
        return (time.perf_counter() - start) / len(queries), "process.cdist"
    try:
        from rapidfuzz.process_cpp_impl import cdist as cdist_impl
    except ImportError:
        return float("nan"), "not measured: numpy absent"
    # process.cdist only wraps this C++ routine's matrix in a numpy array; numpy is
    # absent and the benchmark installs nothing, so the matrix is read as a memoryview.
    start = time.perf_counter()
    scores = memoryview(cdist_impl(queries, keys, scorer=fuzz.ratio, workers=1))
    elapsed = time.perf_counter() - start
    assert scores.shape == (len(queries), len(keys))
    return elapsed / len(queries), "process_cpp_impl.cdist (numpy absent)"


CHECK_NOW_SECONDS = 15.0
"""Today's check runs in full only where its cost, extrapolated linearly from the previous
content size, stays under this (the check before the budget is quadratic: hours at 10,000
intents)."""


def measure(plan: Plan, log: Callable[[str], None],
            check_now_allowed: Callable[[int], bool]) -> Scale:
    scale = Scale(plan)
    if plan.intents is None:
        messages = _labelled_shipped()
        loads = []
        for _ in range(3):
            start = time.perf_counter()
            loaded = load_content(ROOT)
            loads.append(time.perf_counter() - start)
        if loaded.content is None:
            raise RuntimeError("the shipped content has errors: run `mythbot check`")
        content: Content = loaded.content
        scale.load_yaml = summarise(loads).median
    else:
        content = synthetic_content(plan.intents, SEED)
        messages = [(m.text, m.intent) for m in synthetic_messages(content, plan.messages, SEED)]
    messages = messages[:plan.messages]
    texts = [text for text, _ in messages]

    gc.collect()
    before = rss_bytes()
    start = time.perf_counter()
    matcher = Matcher(content)
    scale.build = time.perf_counter() - start
    scale.rss = rss_bytes() - before
    scale.examples = len(matcher.index.keys)
    log(f"{plan.name}: {scale.examples} examples indexed in {scale.build:.2f}s")
    if plan.memory_trace:
        tracemalloc.start()
        traced = Matcher(content)
        scale.traced = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del traced
        gc.collect()

    positives = sum(not e.near_miss for e in matcher.index.entries)
    if plan.intents is None:
        start = time.perf_counter()
        problems_before = ambiguous_examples_before(content, matcher)
        scale.check_total = time.perf_counter() - start
        scale.check_measured = True
        start = time.perf_counter()
        scale.check_same = ambiguous_examples_fast(content, matcher) == problems_before
        scale.check_fast_total = time.perf_counter() - start
        scale.live_total, scale.live_builds = _live_content()
    elif plan.check_sample:
        per_example, fast = _check_cost(content, matcher, plan.check_sample)
        scale.check_total = per_example * positives
        scale.check_fast_total = fast * positives
    if plan.check_now and check_now_allowed(positives):
        start = time.perf_counter()
        now = ambiguous_examples(content, matcher)
        scale.check_now = time.perf_counter() - start
        if plan.intents is None:
            scale.check_now_same = now == problems_before
        log(f"{plan.name}: bot.checks now: {us(scale.check_now)}")

    query_times, _ = _time_each(matcher.query, texts)
    scale.query = summarise(query_times)
    baseline = BaselineMatcher(matcher)
    contenders: dict[str, Callable[[str], Decision]] = {
        BEFORE: baseline.decide, ENGINE: matcher.decide}
    proposal_candidates: dict[str, Summary] = {}
    for budget in BUDGETS:
        gc.collect()
        if budget == BUDGETS[0]:
            tracemalloc.start()
            start = time.perf_counter()
            proposal = BudgetMatcher(matcher, budget=budget)
            scale.after_build = time.perf_counter() - start
            scale.after_memory = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
        else:
            proposal = BudgetMatcher(matcher, budget=budget)
        contenders[proposal_name(budget)] = proposal.decide
        proposal_candidates[proposal_name(budget)] = summarise(
            [len(proposal.candidates(q)[0]) for q in (matcher.query(t)[1] for t in texts)])
    for name, decide in contenders.items():
        times, decisions = _time_each(decide, texts, plan.seconds)
        scale.contenders[name] = Contender(summarise(times), decisions,
                                           proposal_candidates.get(name))
        log(f"{plan.name}: {name}: median {us(summarise(times).median)} "
            f"over {len(times)} messages")
    reference = scale.contenders[BEFORE].decisions
    for contender in scale.contenders.values():
        shared = min(len(contender.decisions), len(reference))
        pairs = list(zip(contender.decisions[:shared], reference[:shared], strict=True))
        contender.compared = shared
        contender.identical = sum(a == b for a, b in pairs) / max(shared, 1)
        contender.same_outcome = sum((a.kind, a.intent, a.options) == (b.kind, b.intent,
                                                                       b.options)
                                     for a, b in pairs) / max(shared, 1)
        contender.quality = _quality(contender.decisions[:shared], messages)
    guard = BudgetMatcher(matcher, budget=None)
    scale.guard = sum(guard.decide(text) == decision for text, decision
                      in zip(texts, reference, strict=False)) / max(len(reference), 1)

    keys = list(matcher.index.keys)
    query_keys = [matcher.query(text)[1] for text in texts]
    shown = len(scale.contenders[ENGINE].decisions)
    floor_times, _ = _time_each(
        lambda q: process.extractOne(q, keys, scorer=fuzz.ratio), query_keys, plan.seconds)
    scale.floor = summarise(floor_times)
    engine_keys = query_keys[:shown]
    candidate_lists = {q: _engine_candidates(matcher, baseline, q) for q in set(engine_keys)}
    scale.contenders[ENGINE].candidates = summarise(
        [len(candidate_lists[q]) for q in engine_keys])
    scale.contenders[BEFORE].candidates = summarise(
        [len(baseline.candidates(q)) for q in query_keys[:len(reference)]])
    cand_times, _ = _time_each(
        lambda q: process.extractOne(q, candidate_lists[q], scorer=fuzz.ratio), engine_keys)
    scale.candidate_floor = summarise(cand_times)
    scale.cdist, scale.cdist_note = _cdist(query_keys[:plan.cdist_queries], keys)
    return scale


def _per_second(summary: Summary) -> str:
    return f"{1 / summary.mean:,.0f}" if summary.mean else "n/a"


def report(scales: list[Scale]) -> Section:
    rows_engine = []
    rows_versus = []
    rows_load = []
    headline: dict[str, str] = {}
    for s in scales:
        name = s.plan.name
        engine = s.contenders[ENGINE]
        rows_engine.append([
            name, f"{s.examples:,}", s.engine.n, us(s.engine.median), us(s.engine.p99),
            _per_second(s.engine), us(s.query.median), us(s.floor.median),
            ratio(s.engine.median, s.floor.median),
            f"{engine.candidates.median:,.0f}" if engine.candidates else "n/a",
            us(s.candidate_floor.median), ratio(s.engine.median, s.candidate_floor.median),
            us(s.cdist),
        ])
        for label, contender in s.contenders.items():
            right, wrong = contender.quality
            rows_versus.append([
                name, label, contender.times.n, us(contender.times.median),
                us(contender.times.p99), _per_second(contender.times),
                ratio(contender.times.median, s.floor.median),
                ratio(s.before.median, contender.times.median),
                f"{contender.candidates.median:,.0f}" if contender.candidates else "n/a",
                f"{contender.identical:.1%} / {contender.same_outcome:.1%} of "
                f"{contender.compared}",
                f"{right:.1%}", f"{wrong:.1%}",
            ])
        traced = (f"{mib(s.traced[0])} / {mib(s.traced[1])}" if s.traced
                  else "not traced")
        check = us(s.check_total) + ("" if s.check_measured else " (extrapolated)")
        fast = us(s.check_fast_total) + {None: "", True: " (same problems)",
                                         False: " (DIFFERENT problems)"}[s.check_same]
        now = "not run" if math.isnan(s.check_now) else us(s.check_now) + {
            None: "", True: " (same problems)",
            False: " (other problems than before)"}[s.check_now_same]
        rows_load.append([
            name, us(s.load_yaml), us(s.build), check, fast, now, us(s.live_total),
            mib(s.rss), traced, us(s.after_build), mib(s.after_memory),
        ])
        headline[f"decision {name}: engine (bot/ now) median / p99"] = (
            f"{us(s.engine.median)} / {us(s.engine.p99)} (floor {us(s.floor.median)}, "
            f"engine/floor {ratio(s.engine.median, s.floor.median)}; before the budget "
            f"{us(s.before.median)})")
        first = s.proposal(BUDGETS[0]).times
        headline[f"decision {name}: proposal (budget {BUDGETS[0]}) median / p99"] = (
            f"{us(first.median)} / {us(first.p99)} (proposal/floor "
            f"{ratio(first.median, s.floor.median)})")
    guards = ", ".join(f"{s.plan.name} {s.guard:.1%}" for s in scales)
    cdist_note = scales[0].cdist_note if scales else ""
    parts = [
        "Decision time on one core (GC paused during the timed loops, after a 50-message "
        "warm-up; a slow contender is timed on fewer messages, at least "
        f"{MIN_MESSAGES}). *Engine*: `bot.matching.Matcher.decide` as it is in bot/ when the "
        "benchmark runs. *Floor*: one `process.extractOne(query_key, keys, "
        "scorer=fuzz.ratio)` over **all** indexed example keys (positives and near misses, "
        "already normalised; the query key is computed beforehand and not timed). "
        "*Candidate floor*: the same call over only the examples the engine scores "
        "(its own `candidates` when it has them, else every example sharing a word): what "
        "its design cannot go below. "
        f"*cdist*: one batch of queries × all keys, `workers=1`, per query ({cdist_note}).",
        "",
        table(["content", "examples", "msgs", "engine median", "engine p99", "decisions/s",
               "of which normalise + spell (median)", "floor extractOne (median)",
               "engine / floor", "candidates (median)", "candidate floor", "engine / cand. floor",
               "cdist per query"], rows_engine),
        "",
        f"**Before and after.** *{BEFORE}*: the engine as it was before the candidate budget "
        "(benchmarks/baseline.py, a verbatim copy of commit 53fcfb3's `rank`: every example "
        f"sharing any word is scored). *{ENGINE}*: bot/ as it is. *Proposal*: "
        "benchmarks/proposal.py (positive candidates by the rarest words within a budget, "
        "near misses all in one C pass, top 3 only). Agreement with *before*: identical "
        "`Decision` objects / same kind, intent and options (what the user sees). Accuracy: "
        "positives answered with their intent; false answers: chatter answered "
        "(private-chat thresholds); both on the messages shared with *before* (few at 10,000 "
        "intents: read them as indicative).",
        "",
        table(["content", "matcher", "msgs", "median", "p99", "decisions/s", "vs floor",
               "speed-up vs before", "candidates (median)",
               "identical / same answer as before", "accuracy", "false answers"], rows_versus),
        "",
        f"Guard: the proposal without a budget makes the exact decisions of *before* ({guards}); "
        "under 100% means baseline.py and proposal.py no longer follow the same engine "
        "(`bot/matching.py` changed its scoring).",
        "",
        "Load, index and memory. *YAML*: `load_content` (parse + validate). *Index*: "
        "`Matcher(content)`. *Content check*: `ambiguous_examples`, which `check_content` "
        "runs at start-up and on every reload: *before* is the version of commit 53fcfb3 "
        "(every example against every other: quadratic, so for synthetic content timed on a "
        "sample of examples and multiplied out); *proposal*: `ambiguous_examples_fast` in "
        "proposal.py (the 85 cutoff applied in C; same problems, compared on the shipped "
        "content); *now*: bot/checks.py as it is, in full, where its cost extrapolated from "
        f"the previous size stays under {CHECK_NOW_SECONDS:.0f} s (else *not run*). "
        "*LiveContent*: what "
        "start-up does (load + check + index). RSS: growth of the process while indexing; "
        "traced: tracemalloc current / peak of one index build.",
        "",
        table(["content", "YAML load", "index build", "content check before",
               "content check, proposal", "content check now", "LiveContent",
               "RSS growth", "traced retained / peak", "proposal extra build (traced)",
               "proposal extra memory (traced)"], rows_load),
    ]
    return Section("Matching", "\n".join(parts), headline)


def run(quick: bool = False, log: Callable[[str], None] = print) -> tuple[Section, list[Scale]]:
    plans = QUICK if quick else FULL
    scales: list[Scale] = []

    def check_now_allowed(positives: int) -> bool:
        last = next((s for s in reversed(scales) if s.check_now == s.check_now), None)
        if not scales:
            return True
        if last is None:
            return False
        return last.check_now * positives / max(last.examples, 1) < CHECK_NOW_SECONDS

    for plan in plans:
        scales.append(measure(plan, log, check_now_allowed))
    return report(scales), scales


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    args = parser.parse_args()
    section, _ = run(args.quick)
    print(section.markdown)


if __name__ == "__main__":
    main()
