"""One way to load content for every front end: read, validate, train. `check` adds the
model's own view of the content (cross-validation)."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.content import Content, Problem, load_content
from bot.matching import Matcher, Thresholds
from bot.matching.crossval import HeldOut, Progress, Readiness, readiness, train_and_validate
from bot.matching.model import (
    NONE,
    TrainingParams,
    TrainingSet,
    cache_file,
    cached,
    remember,
)
from bot.matching.normalise import normalise
from bot.paths import model_cache
from bot.spec import LANG_NAMES

log = logging.getLogger(__name__)
CV_FOLDS = 3
LANGUAGE_EVIDENCE = 2
"""Words of the other language, and none of its own, that make a sentence misfiled."""


def check_and_index(folder: Path, thresholds: Thresholds | None = None,
                    cache: Path | None = None) -> tuple[Matcher | None, list[Problem]]:
    """Load, check and train: the matcher when the content has no error.

    The bot, live reload, `ask`, `chat`, `eval` and `check` all come through here, so none
    of them can answer on content another refuses."""
    result = load_content(folder)
    problems = list(result.problems)
    if result.content is None:
        return None, problems
    return _indexed(result.content, thresholds, cache, problems), problems


def _indexed(content: Content, thresholds: Thresholds | None, cache: Path | None,
             problems: list[Problem]) -> Matcher | None:
    """The matcher of loaded content, or None with the reason added to `problems`."""
    try:
        return Matcher(content, thresholds, cache=cache)
    except (ValueError, MemoryError) as exc:  # scikit-learn refuses degenerate content
        problems.append(_untrainable(exc))
        return None


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What `mythbot check` found: the content when it has no error, every problem, and
    per myth how well it will be recognised."""

    content: Content | None
    problems: tuple[Problem, ...]
    readiness: tuple[Readiness, ...] = ()


def run_check(folder: Path, folds: int = CV_FOLDS, thresholds: Thresholds | None = None,
              progress: Progress | None = None, cache: Path | None = None) -> CheckReport:
    """Load, validate, train and cross-validate in one pass over the features; the model
    trained goes to the cache, so the bot started next does not train it again."""
    say = progress or (lambda _: None)
    say("reading the YAML")
    result = load_content(folder)
    problems = list(result.problems)
    if result.content is None:
        return CheckReport(None, tuple(problems))
    if folds < 2:
        found = _indexed(result.content, thresholds, cache, problems)
        if found is None:
            return CheckReport(None, tuple(problems))
        matcher = found
        held: tuple[HeldOut, ...] = ()
    else:
        digest, path = cache_file(TrainingSet.of(result.content), TrainingParams(),
                                  cache or model_cache())
        known = cached(path, digest) if path is not None else None
        try:
            model, held = train_and_validate(result.content, folds, progress=say, model=known)
        except (ValueError, MemoryError) as exc:
            return CheckReport(None, (*problems, _untrainable(exc)))
        model = dataclasses.replace(model, digest=digest)
        if path is not None and known is None:
            remember(model, path)
        matcher = Matcher(result.content, thresholds, model=model)
    problems += wrong_language(matcher) + missing_schemas(folder)
    problems += misfits(held, matcher.thresholds)
    return CheckReport(matcher.content, tuple(problems), readiness(matcher.content, held))


def check_content(folder: Path, folds: int = CV_FOLDS, thresholds: Thresholds | None = None,
                  shown: int | None = None) -> tuple[Content | None, list[Problem]]:
    """Everything `mythbot check` reports, and the content when it has no error.

    `shown` caps the model's misreadings listed per file (the rest are counted)."""
    report = run_check(folder, folds, thresholds)
    return report.content, capped(list(report.problems), shown)


def _untrainable(exc: Exception) -> Problem:
    return Problem("intents", 1, 1, f"the model could not be trained: {exc}",
                   "each intent needs examples and intents/_none.yaml negatives")


def capped(found: list[Problem], shown: int | None) -> list[Problem]:
    if shown is None:
        return found
    by_file: dict[str, list[Problem]] = {}
    for problem in found:
        by_file.setdefault(problem.path, []).append(problem)
    out: list[Problem] = []
    for path, problems in by_file.items():
        out += problems[:shown]
        if len(problems) > shown:
            out.append(Problem(path, 1, 1, f"and {len(problems) - shown} more sentences the "
                                           "model misreads when it has not seen them",
                               "mythbot check --all lists them", "warning"))
    return out


_SCHEMA_LINE = "# yaml-language-server: $schema="


def missing_schemas(folder: Path) -> list[Problem]:
    """Files whose editor schema does not resolve: completion and live checks are then off."""
    problems = []
    for path in sorted([*folder.glob("intents/*.y*ml"), *folder.glob("responses/*.y*ml")]):
        with path.open(encoding="utf-8", errors="replace") as handle:
            first = handle.readline().strip()
        if not first.startswith(_SCHEMA_LINE):
            continue
        target = (path.parent / first[len(_SCHEMA_LINE):]).resolve()
        if not target.exists():
            problems.append(Problem(
                str(path.relative_to(folder)), 1, 1,
                f"the editor's schema {first[len(_SCHEMA_LINE):]} is not there",
                f"run `mythbot schema --write {folder / 'schema'}`", "warning"))
            break  # one is enough: the same command fixes them all
    return problems


def wrong_language(matcher: Matcher) -> list[Problem]:
    """Sentences filed under one language whose words are all the other's."""
    content = matcher.content
    problems = []
    for example in content.sentences:
        votes = matcher.language_votes(example.text, normalise(example.text))
        other = next(lang for lang in votes if lang != example.lang)
        if votes[other] >= LANGUAGE_EVIDENCE and votes[example.lang] == 0:
            problems.append(Problem(
                example.path or "intents", example.line, 1,
                f"{example.text!r} is filed under '{example.lang}:' but reads as "
                f"{LANG_NAMES[other]}", f"move it under '{other}:'", "warning"))
    return problems


def misfits(held: tuple[HeldOut, ...], limits: Thresholds) -> list[Problem]:
    """Examples the model files elsewhere, and negatives it would answer, when it has not
    seen them: each is a sentence the bot gets wrong on something like it."""
    problems: list[Problem] = []
    for h in held:
        where = (h.example.path or "intents", h.example.line, 1)
        if h.label == NONE and h.best_myth_score >= limits.private:
            problems.append(Problem(
                *where, f"negative {h.example.text!r} would be answered as '{h.best_myth}' "
                        f"({h.best_myth_score:g})",
                f"add more chatter like it to intents/_none.yaml, or check that it is not "
                f"really '{h.best_myth}'", "warning"))
        elif h.label != NONE and h.predicted != h.label:
            got = "no myth" if h.predicted == NONE else f"'{h.predicted}'"
            problems.append(Problem(
                *where, f"example {h.example.text!r} is read as {got} ({h.confidence:g}) "
                        f"when the model has not seen it",
                "add more examples phrased like it, or move it to the intent it says",
                "warning"))
    return problems
