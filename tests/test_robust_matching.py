"""What users meet and editors never write: typos in the job's name, clichés told inside
stories, a model cache damaged on disk, and `check` telling what changed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from bot.checkdiff import compare, key
from bot.content import Content, load_content
from bot.matching import Matcher
from bot.matching.augment import Augmentation, typo, variants, with_typos
from bot.matching.augment import rng_for as seeded
from bot.matching.crossval import readiness, train_and_validate
from bot.matching.model import STALE_TMP_SECONDS, TrainingSet, load_or_train
from bot.matching.normalise import normalise
from bot.matching.topic import TopicGate
from bot.yamlfile import Problem
from tests.conftest import MakeContent

GATE = TopicGate.of({"fr": ["community manager", "réseaux sociaux", "marque", "smm"],
                     "en": ["social media manager"]})


def gate(text: str) -> str | None:
    norm = normalise(text)
    return GATE.find(norm.tokens, norm.words)


@pytest.mark.parametrize("text", [
    "le comunity manageur est payé combien", "il gère les resaux sociaux de la boîte",
    "my socail media manger says so",
], ids=["two-typos-long-title", "one-typo-phrase", "two-typos-english"])
def test_a_mistyped_topic_word_still_opens_the_gate(text: str) -> None:
    assert gate(text) is not None


@pytest.mark.parametrize("text", [
    "le masque est tombé", "mon oncle est sur facebook", "le smn a dit", "les réseaux routiers",
], ids=["short-word-one-letter-away", "no-topic-word", "short-title-mistyped", "other-network"])
def test_short_words_and_other_words_keep_the_gate_shut(text: str) -> None:
    assert gate(text) is None


def test_typos_change_one_or_two_words_and_are_repeatable() -> None:
    sentence = "le community manager passe ses journées sur facebook"
    first = with_typos(sentence, seeded(sentence))
    assert first == with_typos(sentence, seeded(sentence))
    changed = [a for a, b in zip(sentence.split(), first.split(), strict=False) if a != b]
    assert first != sentence and 1 <= len(changed) <= 2
    assert typo("salaire", seeded("x")) != "salaire"


def test_variants_tell_examples_in_stories_and_keep_negatives_out_of_typos() -> None:
    frames = {"fr": ("ma tante au dîner : « {} » bref",), "en": ("my boss said {} lol",)}
    plan = Augmentation(framed=1, typos=2, framed_negatives=1)
    example = list(variants("tu bosses sur facebook", "fr", frames, plan))
    assert example[0] == "ma tante au dîner : « tu bosses sur facebook » bref"
    assert len(example) == 3
    assert list(variants("il pleut", "fr", frames, plan, negative=True)) == [
        "ma tante au dîner : « il pleut » bref"]
    assert list(variants("no frame here", "de", frames, Augmentation(typos=0))) == []


def test_a_cliche_told_inside_a_story_is_recognised(make_content: MakeContent) -> None:
    folder = make_content({
        "salary": {"fr": ["combien gagne un smm", "le salaire d'un community manager",
                          "c'est bien payé social media manager ?", "smm ça paie ?"],
                   "en": ["how much does an smm earn", "social media manager salary",
                          "is community management well paid", "smm pay"]},
        "training": {"fr": ["quel diplôme pour être smm", "une école pour devenir cm",
                            "faut une formation pour faire community manager ?", "smm bac+5"],
                     "en": ["which degree for an smm", "school to become a community manager",
                            "do you need training to be a social media manager", "smm diploma"]},
    }, negatives={"fr": ["il pleut aujourd'hui", "on mange quoi ce soir", "j'ai raté mon bus"],
                  "en": ["it is raining today", "what's for dinner", "i missed my bus"]})
    frames = {"fr": ["au repas, mon oncle me sort : « {} » et il rit",
                     "{} — voilà ce qu'on m'a dit hier soir, sérieux"],
              "en": ["at dinner my uncle goes: '{}' and laughs",
                     "{} - that's what they told me last night, seriously"]}
    (folder / "intents" / "_frames.yaml").write_text(
        yaml.safe_dump({"frames": frames}, allow_unicode=True), encoding="utf-8")
    content = load_content(folder).content
    assert content is not None and content.frames["fr"]
    matcher = Matcher(content, cache=folder / "cache")
    story = ("Dimanche chez mes beaux-parents, le beau-frère me regarde et me sort : "
             "« combien ça gagne un community manager ? » j'ai rien dit")
    assert matcher.decide(story).intent == "salary"


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage", "flipped", "wrong-arrays"])
def test_a_damaged_model_cache_is_trained_again_and_replaced(
        small_matcher: Matcher, tmp_path: Path, damage: str) -> None:
    content = small_matcher.content
    good = load_or_train(content, tmp_path)
    [path] = tmp_path.glob("model-*.npz")
    data = path.read_bytes()
    broken = {"empty": b"", "truncated": data[: len(data) // 2], "garbage": os.urandom(500),
              "flipped": data[:200] + bytes([data[200] ^ 0xFF]) + data[201:],
              "wrong-arrays": _npz_without_weights(tmp_path)}[damage]
    path.write_bytes(broken)
    again = load_or_train(content, tmp_path)
    assert again.classes == good.classes
    assert again.probabilities("combien gagne un smm").argmax() == \
        good.probabilities("combien gagne un smm").argmax()
    assert load_or_train(content, tmp_path).digest == good.digest  # replaced: loads now
    assert path.read_bytes() != broken


def _npz_without_weights(folder: Path) -> bytes:
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, classes=np.array(["a"]), words=np.zeros(3, np.uint8))
    return buffer.getvalue()


def test_the_cache_folder_is_private_and_killed_saves_are_cleaned(
        small_matcher: Matcher, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o755)
    cache.chmod(0o755)
    stale = cache / "model-0123.abc.tmp"
    fresh = cache / "model-4567.def.tmp"
    stale.write_bytes(b"half a model")
    fresh.write_bytes(b"another process is writing")
    old = stale.stat().st_mtime - STALE_TMP_SECONDS - 60
    os.utime(stale, (old, old))
    load_or_train(small_matcher.content, cache)
    assert not stale.exists() and fresh.exists()
    new = tmp_path / "new" / "cache"
    load_or_train(small_matcher.content, new)
    assert stat.S_IMODE(new.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in new.glob("model-*.npz"))


def warning(path: str, line: int, message: str) -> Problem:
    return Problem(path, line, 1, message, severity="warning")


def test_check_tells_new_and_gone_warnings_and_ignores_moved_lines() -> None:
    before = [key(warning("intents/a.yaml", 10, "old one")),
              key(warning("intents/a.yaml", 12, "fixed one"))]
    now = [warning("intents/a.yaml", 14, "old one"), warning("intents/b.yaml", 3, "new one")]
    changes = compare(now, before)
    assert [p.message for p in changes.new] == ["new one"]
    assert changes.gone == (key(warning("intents/a.yaml", 12, "fixed one")),)
    assert changes.unchanged == 1 and not changes.first
    assert compare(now, None).first and len(compare(now, None).new) == 2


def test_readiness_says_a_myth_with_few_examples_needs_more(small_matcher: Matcher) -> None:
    content: Content = small_matcher.content
    model, held = train_and_validate(content, folds=2)
    assert model.classes == load_or_train(content).classes
    assert len(held) == len(TrainingSet.of(content).labels)
    rows = readiness(content, held)
    assert [r.intent for r in rows] == [m.id for m in content.myths]
    for row in rows:
        assert 0 <= row.low <= row.recall <= row.high <= 1
        thin = min(sum(e.lang == lang for e in content.by_id[row.intent].examples)
                   for lang in ("fr", "en"))
        assert row.examples == thin
        assert row.ready == (row.recall >= 0.9 and thin >= 10)
        assert row.ready or row.more > 0
