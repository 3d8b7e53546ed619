"""`mythbot new`: a new myth's files from a template that `check` walks the editor through."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.checks import check_content
from bot.cli import main
from bot.content import load_content
from tests.conftest import MakeContent


def new(folder: Path, ident: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(["new", ident, "--content", str(folder)], out)
    return status, out.getvalue()


def fill(path: Path, line: str, *values: str) -> None:
    """Fill the template's next empty `line`s, one per value, as an editor would."""
    text = path.read_text(encoding="utf-8")
    for value in values:
        assert f"\n{line}\n" in text, (line, value)
        text = text.replace(f"\n{line}\n", f"\n{line} {value}\n", 1)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def two_myths(make_content: MakeContent) -> Path:
    return make_content({
        "salary": {"fr": [f"combien gagne un smm {i}" for i in range(20)],
                   "en": [f"how much does an smm earn {i}" for i in range(20)]},
        "training": {"fr": [f"quel diplome pour etre smm {i}" for i in range(20)],
                     "en": [f"which degree to become an smm {i}" for i in range(20)]},
    })


def test_new_writes_both_files_with_the_next_free_order(two_myths: Path) -> None:
    status, out = new(two_myths, "young_job")
    assert status == 0 and "(order 3)" in out
    intent = (two_myths / "intents" / "young_job.yaml").read_text(encoding="utf-8")
    response = (two_myths / "responses" / "young_job.yaml").read_text(encoding="utf-8")
    assert intent.startswith("# yaml-language-server: $schema=../schema/intent.schema.json\n")
    assert "id: young_job\n" in intent and "\norder: 3\n" in intent
    assert "In use: 1 salary, 2 training." in intent and "/top5" in intent
    assert intent.splitlines().count("    -") >= 2 * 10
    assert "intent: young_job\n" in response and "source:" in response
    assert "#   title: Source" in response  # the sources already cited, to copy from


def test_the_template_is_refused_until_filled_then_accepted(two_myths: Path) -> None:
    new(two_myths, "young_job")
    problems = check_content(two_myths, folds=0)[1]
    assert any(p.path == "intents/young_job.yaml" and "'title.fr' is empty" in p.message
               for p in problems)
    assert any(p.path == "responses/young_job.yaml" and "'source.date' is empty" in p.message
               for p in problems)
    assert sum("empty item in 'examples.fr'" in p.message for p in problems) == 10

    intent = two_myths / "intents" / "young_job.yaml"
    fill(intent, "  fr:", "Il faut être jeune")
    fill(intent, "  en:", "You must be young")
    fill(intent, "    -", *[f"il faut etre jeune pour etre smm {i}" for i in range(10)],
         *[f"you have to be young to be an smm {i}" for i in range(10)],
         "mon fils est jeune", "il est jeune", "jeune et beau",
         "my son is young", "he is young", "young and free")
    response = two_myths / "responses" / "young_job.yaml"
    fill(response, "  fr: |", "\n    <b>Non.</b>")  # a block: the text goes below, indented
    fill(response, "  en: |", "\n    <b>No.</b>")
    fill(response, "  title:", "Un article")
    fill(response, "    fr:", "billet", "passage")
    fill(response, "    en:", "post", "section")
    text = response.read_text(encoding="utf-8")
    text = text.replace('  date:  #', '  date: "2015"  #').replace("  author:", "  # author:")
    response.write_text(text, encoding="utf-8")
    result = load_content(two_myths)
    assert result.content is not None, [p.format() for p in result.errors]
    myth = result.content.by_id["young_job"]
    assert myth.order == 3 and myth.top5 is None and myth.rebuttal["en"].strip() == "<b>No.</b>"
    assert len(myth.examples) == 20 and len(myth.near_misses) == 6


def test_new_refuses_an_id_in_use_and_writes_nothing(two_myths: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    before = (two_myths / "intents" / "salary.yaml").read_text(encoding="utf-8")
    assert new(two_myths, "salary")[0] == 1
    assert "the id 'salary' is already used (intents/salary.yaml, responses/salary.yaml)" in \
        capsys.readouterr().err
    assert (two_myths / "intents" / "salary.yaml").read_text(encoding="utf-8") == before


def test_new_refuses_an_id_that_is_not_one(two_myths: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert new(two_myths, "Young-Job")[0] == 1
    assert "'Young-Job' is not a valid id" in capsys.readouterr().err
    assert not list(two_myths.glob("*/Young-Job*"))
