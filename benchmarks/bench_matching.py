"""Matching: one decision, training, cross-validation, start-up and memory, and how they grow.

For the shipped content and synthetic content of 100 and 1,000 intents
(benchmarks/synthetic.py), measured on one core:

- one decision (`Matcher.decide`, private and group): median and p99 over messages of
  realistic length, positives and chatter mixed, after a warm-up; beside it the floor,
  one `rapidfuzz.process.extractOne` with the matcher's scorer over **all** the example
  keys (what the nearest-example search would cost if it scanned everything), the
  message already normalised; and the parts of a decision (the model's probabilities,
  the nearest-example search, normalising);
- training (`bot.matching.model.fit`) and 5-fold cross-validation
  (`bot.matching.crossval.cross_validate`), wall and CPU time, and the peak RSS of the
  process that trains: these run in a fresh subprocess (`--worker`), so that the
  figures are the training's own and a size that cannot finish can be bounded;
- start-up in-process: building a `Matcher` from loaded content with an empty model
  cache (it trains and writes the cache) and with a warm one (it loads the `.npz`);
- memory of a `Matcher`: the RSS it adds, tracemalloc's retained / peak for one build
  from the warm cache, the dense coefficient matrix and the cache file.

At 1,000 intents a full training does not finish in minutes on 2 cores: the model there
is trained for `Plan.max_iter` SGD epochs only (same vocabulary and classes, so the same
shape and the same decision cost as the full model; its accuracy means nothing), and
the full training and cross-validation are given as bounds from the measured cost of an
epoch. RESULTS.md says which figures are measured and which are extrapolated.

Run alone: python -m benchmarks.bench_matching [--quick]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

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
from benchmarks.synthetic import Shape, default_shape, synthetic_content, synthetic_messages
from bot.content import Content, load_content
from bot.matching import Decision, Matcher
from bot.matching import model as model_module
from bot.matching.features import model_text
from bot.matching.model import TrainingParams, TrainingSet, load_or_train
from bot.matching.normalise import normalise

SEED = 5
WARMUP = 50
DEV = ROOT / "tests" / "data" / "eval.jsonl"
EPOCH_PROBE = (2, 6)
"""Two trainings capped at these many SGD epochs: their difference over 4 is one epoch."""


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    intents: int | None
    """None: the shipped content, with tests/data/eval.jsonl as messages."""
    shape: Shape | None
    messages: int
    """Synthetic messages; for the shipped content, passes over eval.jsonl."""
    max_iter: int | None = None
    """None: the training bot/ does (`TrainingParams()`); else capped at this many epochs."""
    cv_folds: int = 5
    """0: cross-validation not run (extrapolated from the training when max_iter is set)."""
    epoch_probe: bool = True
    cached_builds: int = 3
    worker_timeout: float = 900.0

    @property
    def slug(self) -> str:
        return "shipped" if self.intents is None else f"synthetic-{self.intents}"


FULL = (
    Plan("shipped", None, None, 3, cached_builds=5),
    Plan("synthetic 100", 100, default_shape(100), 1000),
    Plan("synthetic 1,000", 1000, default_shape(1000), 1000, max_iter=EPOCH_PROBE[0],
         cv_folds=0, cached_builds=1, worker_timeout=1200.0),
)
QUICK = (
    Plan("shipped", None, None, 1, cv_folds=0, epoch_probe=False, cached_builds=2),
    Plan("synthetic 20", 20, Shape(examples=10, near_misses=1, negatives=400), 200,
         cached_builds=2),
)


# --- the worker: training and cross-validation in a fresh process --------------------------


def _content(intents: int | None, shape: Shape | None) -> Content:
    if intents is None:
        result = load_content(ROOT)
        if result.content is None:
            raise SystemExit("the shipped content has errors: run `mythbot check`")
        return result.content
    return synthetic_content(intents, SEED, shape)


@contextmanager
def _fit_timer() -> Iterator[list[tuple[float, float]]]:
    """Time every call of bot.matching.model.fit (wall, CPU) while inside.

    load_or_train calls `fit_set` through its module, so wrapping the module's attribute sees
    the training a `Matcher` does; if bot/ stops calling it that way, nothing is recorded
    and the report says n/a instead of a wrong figure."""
    calls: list[tuple[float, float]] = []
    original = model_module.fit_set

    def timed(*args: Any, **kwargs: Any) -> model_module.Model:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            calls.append((time.perf_counter() - wall, time.process_time() - cpu))

    model_module.fit_set = timed
    try:
        yield calls
    finally:
        model_module.fit_set = original


def build_matcher(content: Content, cache: Path, max_iter: int | None) -> Matcher:
    """What start-up does: with max_iter None, exactly `Matcher(content, cache=...)`."""
    if max_iter is None:
        return Matcher(content, cache=cache)
    params = TrainingParams(epochs=max_iter)
    return Matcher(content, model=load_or_train(content, cache, params))


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Train once as start-up would with an empty cache, then probe an epoch's cost, then
    cross-validate. Returns figures in seconds and bytes."""
    shape = Shape(*spec["shape"]) if spec["shape"] else None
    content = _content(spec["intents"], shape)
    cache = Path(spec["cache"])
    out: dict[str, Any] = {}
    training = TrainingSet.of(content)
    out["sentences"] = len(training.texts)
    gc.collect()
    rss = rss_bytes()
    with _fit_timer() as fits:
        wall, cpu = time.perf_counter(), time.process_time()
        matcher = build_matcher(content, cache, spec["max_iter"])
        out["uncached_wall"] = time.perf_counter() - wall
        out["uncached_cpu"] = time.process_time() - cpu
    out["fit"] = fits[0] if len(fits) == 1 else None
    out["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out["rss_before"] = rss
    out["features"] = len(matcher.model.vocabulary)
    out["classes"] = len(matcher.model.classes)
    out["weights_bytes"] = int(matcher.model.weights.nbytes)
    out["cache_bytes"] = sum(p.stat().st_size for p in cache.glob("*.npz"))
    del matcher
    gc.collect()
    if spec["epoch_probe"]:
        probe = []
        for epochs in EPOCH_PROBE:
            if epochs == spec["max_iter"] and out["fit"] is not None:
                probe.append(out["fit"])  # the training above was exactly this one
                continue
            with _fit_timer() as fits:
                model_module.fit_set(training, TrainingParams(epochs=epochs))
            probe.append(fits[0])
        out["epoch_probe"] = probe
    if spec["cv_folds"]:
        from bot.matching.crossval import cross_validate

        wall, cpu = time.perf_counter(), time.process_time()
        held = cross_validate(content, spec["cv_folds"])
        out["cv"] = (time.perf_counter() - wall, time.process_time() - cpu)
        out["cv_accuracy"] = (sum(h.predicted == h.label for h in held) / len(held)
                              if held else math.nan)
    return out


def _run_worker(plan: Plan, cache: Path, log: Callable[[str], None]) -> dict[str, Any]:
    spec = {"intents": plan.intents, "shape": list(asdict(plan.shape).values())
            if plan.shape else None, "cache": str(cache), "max_iter": plan.max_iter,
            "epoch_probe": plan.epoch_probe, "cv_folds": plan.cv_folds}
    command = [sys.executable, "-m", "benchmarks.bench_matching", "--worker", json.dumps(spec)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(command, cwd=str(ROOT), env=env, capture_output=True, text=True,
                              timeout=plan.worker_timeout, check=False)
    except subprocess.TimeoutExpired:
        log(f"{plan.name}: training worker stopped after {plan.worker_timeout:.0f} s")
        return {"error": f"did not finish in {us(plan.worker_timeout)}"}
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        log(f"{plan.name}: training worker failed: {tail}")
        return {"error": f"failed: {tail}"}
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# --- in the benchmark's process: decisions, cached start-up, memory --------------------------


@dataclass
class Scale:
    plan: Plan
    myths: int = 0
    examples: int = 0
    negatives: int = 0
    yaml_load: float = math.nan
    trained: dict[str, Any] = field(default_factory=dict)
    """The worker's figures (see `worker`); "error" when it could not run."""
    cached: Summary = field(default_factory=lambda: summarise([]))
    cache_missed: bool = False
    """A build from the warm cache trained instead: its figures are not a cached start-up."""
    rss_growth: int = 0
    traced: tuple[int, int] = (0, 0)
    messages: int = 0
    private: Timed = field(default_factory=lambda: _untimed())
    group: Timed = field(default_factory=lambda: _untimed())
    floor: Timed = field(default_factory=lambda: _untimed())
    scores: Timed = field(default_factory=lambda: _untimed())
    probabilities: Timed = field(default_factory=lambda: _untimed())
    nearest: Timed = field(default_factory=lambda: _untimed())
    nearest_ratio: Timed = field(default_factory=lambda: _untimed())
    """The same search with `fuzz.ratio`: the keys are already sorted word sets."""
    nearest_same: float = math.nan
    """Share of messages where both searches give the same example and score."""
    floor_ratio: Timed = field(default_factory=lambda: _untimed())
    normalise: Timed = field(default_factory=lambda: _untimed())
    quality: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    """(positives answered with their intent in private, chatter answered in private, in
    a group)."""

    @property
    def partial(self) -> bool:
        """The model was trained for a few epochs only: decisions and loading are its real
        cost; training and cross-validation are bounds."""
        return self.plan.max_iter is not None

    def ranking(self) -> float:
        """CPU median of `scores` beyond the model and normalising: the ranking (≈)."""
        return (self.scores.cpu.median - self.probabilities.cpu.median
                - 2 * self.normalise.cpu.median)

    def fit(self) -> tuple[float, float]:
        found = self.trained.get("fit")
        return (found[0], found[1]) if found else (math.nan, math.nan)

    def epoch(self) -> tuple[float, float]:
        """One SGD epoch (wall, CPU), from the two capped trainings."""
        probe = self.trained.get("epoch_probe")
        if not probe:
            return math.nan, math.nan
        span = EPOCH_PROBE[1] - EPOCH_PROBE[0]
        return ((probe[1][0] - probe[0][0]) / span, (probe[1][1] - probe[0][1]) / span)



def _untimed() -> Timed:
    return Timed(summarise([]), summarise([]))


def _labelled(plan: Plan, content: Content) -> list[tuple[str, str | None]]:
    if plan.intents is None:
        lines = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        return [(d["text"], d.get("expect")) for d in lines] * plan.messages
    return [(m.text, m.intent) for m in synthetic_messages(content, plan.messages, SEED)]


@dataclass(frozen=True, slots=True)
class Timed:
    """Seconds per call: wall (what a user waits) and the thread's CPU (what the machine's
    other tenants cannot inflate: on a shared machine a preempted call shows in the wall
    p99 only)."""

    wall: Summary
    cpu: Summary


def _time_each(call: Callable[[Any], object], items: Sequence[Any]) -> Timed:
    """Each call timed once, after a warm-up, GC paused (the same for every contender)."""
    for item in items[:WARMUP]:
        call(item)
    clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    wall: list[float] = []
    cpu: list[float] = []
    with gc_paused():
        for item in items:
            start = clock()
            cpu_start = cpu_clock()
            call(item)
            cpu_end = cpu_clock()
            wall.append((clock() - start) / 1e9)
            cpu.append((cpu_end - cpu_start) / 1e9)
    return Timed(summarise(wall), summarise(cpu))


def _quality(decisions: Sequence[Decision], groups: Sequence[Decision],
             labels: Sequence[str | None]) -> tuple[float, float, float]:
    positives = [(d, want) for d, want in zip(decisions, labels, strict=True) if want]
    chatter = [d for d, want in zip(decisions, labels, strict=True) if not want]
    chatter_group = [d for d, want in zip(groups, labels, strict=True) if not want]

    def share(hits: int, total: int) -> float:
        return hits / total if total else math.nan

    return (share(sum(d.kind == "answer" and d.intent == want for d, want in positives),
                  len(positives)),
            share(sum(d.kind == "answer" for d in chatter), len(chatter)),
            share(sum(d.kind == "answer" for d in chatter_group), len(chatter_group)))


def _cached_builds(scale: Scale, content: Content, cache: Path) -> Matcher:
    plan = scale.plan
    times: list[float] = []
    matcher: Matcher | None = None
    with _fit_timer() as fits:
        for attempt in range(plan.cached_builds):
            matcher = None
            gc.collect()
            before = rss_bytes()
            start = time.perf_counter()
            matcher = build_matcher(content, cache, plan.max_iter)
            times.append(time.perf_counter() - start)
            if attempt == 0:
                scale.rss_growth = rss_bytes() - before
    scale.cache_missed = bool(fits)
    scale.cached = summarise(times)
    assert matcher is not None
    return matcher


def _traced_build(content: Content, cache: Path, max_iter: int | None) -> tuple[int, int]:
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        built = build_matcher(content, cache, max_iter)
        current, peak = tracemalloc.get_traced_memory()
        del built
    finally:
        tracemalloc.stop()
    return current - base, peak - base


def measure(plan: Plan, cache_root: Path, log: Callable[[str], None]) -> Scale:
    scale = Scale(plan)
    cache = cache_root / plan.slug
    cache.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    content = _content(plan.intents, plan.shape)
    if plan.intents is None:
        scale.yaml_load = time.perf_counter() - start
    scale.myths = len(content.myths)
    scale.examples = sum(len(m.examples) for m in content.myths)
    scale.negatives = len(content.all_negatives)

    log(f"{plan.name}: training and cross-validation in a fresh process…")
    scale.trained = _run_worker(plan, cache, log)
    if "error" in scale.trained:
        return scale
    log(f"{plan.name}: training {us(scale.fit()[0])}; building from the warm cache…")
    matcher = _cached_builds(scale, content, cache)
    scale.traced = _traced_build(content, cache, plan.max_iter)

    labelled = _labelled(plan, content)
    texts = [text for text, _ in labelled]
    scale.messages = len(texts)
    keys = [normalise(e.text).key for m in content.myths for e in m.examples]
    queries = [normalise(text) for text in texts]
    folded = [model_text(text) for text in texts]
    log(f"{plan.name}: timing {len(texts)} decisions…")
    scale.private = _time_each(lambda t: matcher.decide(t, "private"), texts)
    scale.group = _time_each(lambda t: matcher.decide(t, "group"), texts)
    scale.floor = _time_each(
        lambda q: process.extractOne(q.key, keys, scorer=fuzz.token_sort_ratio), queries)
    scale.scores = _time_each(matcher.scores, texts)
    scale.probabilities = _time_each(matcher.model.probabilities, folded)
    decisions = [matcher.decide(t, "private") for t in texts]
    groups = [matcher.decide(t, "group") for t in texts]
    best = [(d.nearest.intent if d.nearest else content.myths[0].id, q)
            for d, q in zip(decisions, queries, strict=True)]
    scale.nearest = _time_each(lambda pair: matcher.nearest(*pair), best)
    # Normalised.key is already a sorted set of words, so token_sort_ratio's sorting is
    # redundant: the same search with fuzz.ratio should find the same example and score.
    pools = {m.id: [normalise(e.text).key for e in m.examples] for m in content.myths}

    def by_ratio(pair: tuple[str, Any]) -> Any:
        return process.extractOne(pair[1].key, pools[pair[0]], scorer=fuzz.ratio)

    scale.nearest_ratio = _time_each(by_ratio, best)
    same = 0
    for pair in best:
        example, score = matcher.nearest(*pair)
        found = by_ratio(pair)
        same += bool(found and example and found[1] == score
                     and content.by_id[pair[0]].examples[found[2]].text == example.text)
    scale.nearest_same = same / len(best) if best else math.nan
    scale.floor_ratio = _time_each(
        lambda q: process.extractOne(q.key, keys, scorer=fuzz.ratio), queries)
    scale.normalise = _time_each(normalise, texts)
    scale.quality = _quality(decisions, groups, [want for _, want in labelled])
    return scale  # the Matcher goes with this frame: at 1,000 intents it holds gigabytes


# --- the report --------------------------------------------------------------------------------


def _pair(summary: Summary) -> str:
    return f"{us(summary.median)} / {us(summary.p99)}"


def _share(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.1%}"


def reference(scales: Sequence[Scale]) -> Scale | None:
    """The largest synthetic size trained in full, with an epoch's cost measured."""
    found = [s for s in scales if s.plan.intents and not s.partial and "error" not in s.trained
             and s.epoch()[1] > 0 and not math.isnan(s.fit()[1])]
    return found[-1] if found else None


def full_training(scale: Scale, ref: Scale | None) -> float:
    """CPU seconds a full training would take at a size trained for a few epochs only, if it
    needed as many epochs as `ref` did: ref's training × (an epoch here / an epoch there).
    An extrapolation, never a measurement."""
    if ref is None:
        return math.nan
    return ref.fit()[1] * scale.epoch()[1] / ref.epoch()[1]


CV_SHARE = 0.8
"""Each of the 5 folds trains on 80% of the sentences."""


def report(scales: list[Scale]) -> Section:
    headline: dict[str, str] = {}
    content_rows, decide_rows, parts_rows, train_rows, start_rows = [], [], [], [], []
    ref = reference(scales)
    max_iter = TrainingParams().epochs
    for s in scales:
        name = s.plan.name + (" †" if s.partial else "")
        t = s.trained
        if "error" in t:
            content_rows.append([name, s.myths, f"{s.examples:,}", f"{s.negatives:,}",
                                 t["error"], "", "", "", ""])
            continue
        content_rows.append([
            name, s.myths, f"{s.examples:,}", f"{s.negatives:,}", f"{t['sentences']:,}",
            f"{t['features']:,}", t["classes"], mib(t["weights_bytes"]), mib(t["cache_bytes"])])
        decide_rows.append([
            name, f"{s.messages:,}", _pair(s.private.wall), _pair(s.private.cpu),
            _pair(s.group.wall), _pair(s.group.cpu), f"{1 / s.private.wall.mean:,.0f}",
            f"{us(s.floor.wall.median)} / {us(s.floor.cpu.median)}",
            ratio(s.private.cpu.median, s.floor.cpu.median),
            ratio(s.private.cpu.p99, s.floor.cpu.p99)])
        right, chatter, chatter_group = s.quality
        parts_rows.append([
            name, us(s.scores.cpu.median), us(s.probabilities.cpu.median),
            us(s.ranking()),
            us(s.nearest.cpu.median),
            f"{us(s.nearest_ratio.cpu.median)} ({_share(s.nearest_same)} same)",
            us(s.floor_ratio.cpu.median),
            us(s.normalise.cpu.median),
            "n/a (few epochs)" if s.partial else
            f"{_share(right)} / {_share(chatter)} / {_share(chatter_group)}"])
        fit_wall, fit_cpu = s.fit()
        _, epoch_cpu = s.epoch()
        cv = t.get("cv")
        likely = full_training(s, ref)
        if s.partial:
            training = (f"{s.plan.max_iter} epochs only: {us(fit_wall)} / {us(fit_cpu)}; "
                        f"full: order of {us(likely)} CPU (extrapolated)")
            cv_cell = f"not run; order of {us(5 * CV_SHARE * likely)} CPU (extrapolated)"
        else:
            training = f"{us(fit_wall)} / {us(fit_cpu)}"
            cv_cell = f"{us(cv[0])} / {us(cv[1])}" if cv else "not run"
        train_rows.append([
            name, training, us(epoch_cpu) if not math.isnan(epoch_cpu) else "n/a",
            cv_cell, _share(t.get("cv_accuracy", math.nan)) if cv else "n/a",
            mib(t["peak_rss"]), mib(t["peak_rss"] - t["rss_before"])])
        uncached = t["uncached_wall"]
        start_rows.append([
            name, us(s.cached.median) + (" (cache missed: trained)" if s.cache_missed else ""),
            us(uncached) + (f" ({s.plan.max_iter} epochs only)" if s.partial else ""),
            "n/a" if s.partial else ratio(uncached, s.cached.median),
            mib(s.rss_growth), f"{mib(s.traced[0])} / {mib(s.traced[1])}"])
        headline[f"decision, {s.plan.name}: private median / p99; group median / p99"] = (
            f"{_pair(s.private.wall)}; {_pair(s.group.wall)} (thread CPU: "
            f"{_pair(s.private.cpu)}; {_pair(s.group.cpu)}) — floor, one extractOne over all "
            f"{s.examples:,} examples: {us(s.floor.cpu.median)}; decide / floor "
            f"{ratio(s.private.cpu.median, s.floor.cpu.median)}")
        if s.partial:
            headline[f"training, {s.plan.name}"] = (
                f"not feasible here: {s.plan.max_iter} SGD epochs took {us(fit_wall)} "
                f"({us(fit_cpu)} CPU) with a peak RSS of {mib(t['peak_rss'])}; a full "
                f"training of the order of {us(likely)} CPU and 5-fold CV of "
                f"{us(5 * CV_SHARE * likely)} (extrapolated, within a factor of 2 or 3)")
        else:
            headline[f"training, {s.plan.name}: fit; 5-fold CV"] = (
                f"{us(fit_wall)} ({us(fit_cpu)} CPU); "
                + (f"{us(cv[0])} ({us(cv[1])} CPU)" if cv else "CV not run"))
        headline[f"Matcher, {s.plan.name}: cached model vs none; memory"] = (
            f"{us(s.cached.median)} vs {us(uncached)}"
            + (f" ({s.plan.max_iter} epochs only)" if s.partial else
               f" (×{uncached / s.cached.median:,.0f})")
            + f"; RSS +{mib(s.rss_growth)}, coefficients {mib(t['weights_bytes'])}")
    parts = [
        "*Content*: sentences = examples + negatives (the shared negatives and every near miss: "
        "the `none` class). *Features*: the model's vocabulary (character 2-5-grams and word "
        "1-2-grams). *Coefficients*: the dense `features × classes` float64 matrix a `Matcher` "
        "holds; *cache file*: the `.npz` a start-up with unchanged content loads.",
        "",
        table(["content", "intents", "examples", "negatives", "sentences", "features",
               "classes", "coefficients", "cache file"], content_rows),
        "",
        f"**One decision**, one core, each call timed once after a {WARMUP}-message warm-up, "
        "GC paused in the timed loops. *Private*: `decide(text, \"private\")`; *group*: "
        "`decide(text, \"group\")` (an unsolicited group message: stricter threshold and the "
        "topic gate). Wall: `perf_counter_ns`; CPU: the thread's CPU time "
        "(`thread_time_ns`), which a preemption by the machine's other tenants does not "
        "inflate — on a dedicated machine the two agree, here the wall p99 catches "
        "preemptions. *Floor*: one `process.extractOne(key, keys, "
        "scorer=fuzz.token_sort_ratio)` over every example of every intent (what the "
        "nearest-example search would cost if it scanned everything; `decide` searches only "
        "the best two intents' examples), the message's key computed beforehand and not "
        "timed; decide / floor compares CPU times. Messages: tests/data/eval.jsonl "
        "(× passes) for the shipped content, `synthetic_messages` otherwise.",
        "",
        table(["content", "msgs", "private median / p99 (wall)", "private median / p99 "
               "(CPU)", "group median / p99 (wall)", "group median / p99 (CPU)",
               "decisions/s (private, wall)", "floor median (wall / CPU)",
               "decide / floor (median)", "decide / floor (p99)"], decide_rows),
        "",
        "The parts of a decision (CPU medians): `matcher.scores` (normalising, the model, and "
        "every myth ranked by probability), of which `model.probabilities` (TF-IDF and the "
        "matrix product; the message already folded) and the rest (scores − probabilities − "
        "2 × normalise: the ranking, in Python); `matcher.nearest` for the best intent (a "
        "decision searches the best two); the same search with `fuzz.ratio` instead of "
        "`token_sort_ratio` (`Normalised.key` is already a sorted set of words, so sorting "
        "again changes nothing: the share of messages where it finds the same example with "
        "the same score is shown) and the floor with `fuzz.ratio`; `normalise` (a decision "
        "normalises twice). "
        "Sanity check, not a quality measure (tests/test_quality.py holds those): positives "
        "answered with their intent in private / chatter answered in private / in a group.",
        "",
        table(["content", "scores", "of which probabilities", "of which ranking (≈)",
               "nearest example", "nearest with fuzz.ratio", "floor with fuzz.ratio",
               "normalise",
               "sanity: right / chatter private / chatter group"], parts_rows),
        "",
        "**Training and cross-validation**, in a fresh process for each size (`--worker`), "
        "wall / CPU. *Training*: the one `fit` a `Matcher` runs when the cache is empty "
        f"(`TrainingParams()`: SGD, {max_iter} epochs, on the augmented content; the first "
        "training of its process, so it includes importing scikit-learn). *One epoch*: (CPU "
        f"of a training capped at {EPOCH_PROBE[1]} epochs − one capped at {EPOCH_PROBE[0]}) "
        f"/ {EPOCH_PROBE[1] - EPOCH_PROBE[0]} (early epochs, cheaper than later ones: a "
        "figure to compare sizes, not to multiply by an epoch count). *5-fold CV*: "
        "`cross_validate(content, 5)` (5 trainings on 80%), and the share of sentences it "
        "files under their own class when it has not seen them. *Peak RSS*: the training "
        "process's maximum resident size, and that minus its size once the content was "
        "loaded.",
        "",
        table(["content", "training wall / CPU", "one epoch (CPU)", "5-fold CV wall / CPU",
               "CV: own class", "peak RSS", "peak RSS − content"], train_rows),
        "",
        "**Start-up in-process**: `Matcher(content, cache=folder)` on content already loaded. "
        "*Cached model*: the folder holds this content's model (hashing the training set, "
        "`np.load`, normalising the examples for the nearest-example search); median of "
        f"{', '.join(str(s.plan.cached_builds) for s in scales)} builds. *No cached model*: "
        "the folder is empty, so it trains and writes the cache (in the worker: a fresh "
        "process, so this includes importing scikit-learn). *Memory*: the RSS the first "
        "cached build adds (the `Matcher` kept; the allocator reuses freed memory, so small "
        "sizes can show 0), and tracemalloc's retained / peak for one more build.",
        "",
        table(["content", "Matcher, cached model", "Matcher, no cached model",
               "no cache / cached", "RSS growth", "traced retained / peak"], start_rows),
    ]
    for s in scales:
        t = s.trained
        if not s.partial or "error" in t:
            continue
        likely = full_training(s, ref)
        fit_wall, fit_cpu = s.fit()
        parts += [
            "",
            f"† **{s.plan.name}: a full training is not feasible within minutes on 2 cores.** "
            f"With {s.plan.shape.describe() if s.plan.shape else 'its content'} "
            f"({t['sentences']:,} sentences), the vocabulary has {t['features']:,} features "
            f"and the model {t['classes']:,} classes: the dense coefficient matrix alone is "
            f"{mib(t['weights_bytes'])} in memory and the cache file {mib(t['cache_bytes'])} "
            f"on disk, and training holds several arrays of that size while it trains (peak RSS "
            f"{mib(t['peak_rss'])}). Measured: a training capped at {s.plan.max_iter} epochs "
            f"took {us(fit_wall)} ({us(fit_cpu)} CPU); an epoch costs {us(s.epoch()[1])} CPU, "
            + (f"{ratio(s.epoch()[1], ref.epoch()[1])} an epoch at {ref.plan.name} intents. "
               f"Extrapolated, not measured: if the full training needs as many epochs as at "
               f"{ref.plan.name} intents ({us(ref.fit()[1])} CPU there), it takes "
               f"{us(ref.fit()[1])} × {ratio(s.epoch()[1], ref.epoch()[1])} ≈ "
               f"{us(likely)} CPU, and 5-fold cross-validation ≈ "
               f"{us(5 * CV_SHARE * likely)}. An order of magnitude only: it assumes as many "
               f"epochs (more classes may need more; max_iter is {max_iter}) and takes the "
               "ratio of early epochs, whose cost moves from run to run and need not be that "
               "of later ones: read it as within a factor of 2 or 3. " if ref else
               "no fully trained size to extrapolate from. ")
            + "So the decision, start-up from the cache and memory at this size are measured on "
            "the capped model (same vocabulary and classes, hence the same shape and the same "
            "cost); training, start-up without a cache and cross-validation are not.",
        ]
    return Section("Matching", "\n".join(parts), headline)


def run(quick: bool = False, log: Callable[[str], None] = print,
        cache_root: Path | None = None) -> tuple[Section, list[Scale]]:
    """Measure every plan; model caches go under cache_root (a temporary folder if None)."""
    plans = QUICK if quick else FULL
    scales: list[Scale] = []
    with tempfile.TemporaryDirectory(prefix="mythbot-bench-cache-") as scratch:
        root = cache_root or Path(scratch)
        for plan in plans:
            scales.append(measure(plan, root, log))
            gc.collect()
            s = scales[-1]
            if "error" not in s.trained:
                log(f"{plan.name}: decide private median {us(s.private.wall.median)}, p99 "
                    f"{us(s.private.wall.p99)} (CPU {us(s.private.cpu.p99)}); floor "
                    f"{us(s.floor.cpu.median)}")
    return report(scales), scales


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return
    section, _ = run(args.quick)
    print(section.markdown)


if __name__ == "__main__":
    main()
