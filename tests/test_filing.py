"""Unanswered questions into content: `mythbot misses --add`, the files' layout kept."""

from __future__ import annotations

import difflib
import io
from pathlib import Path

import pytest

from bot.cli import main
from bot.content import load_content
from bot.filing import FilingError, file_example, file_negative
from bot.storage import Store
from tests.conftest import MakeContent

COMMENTED = """\
# yaml-language-server: $schema=../schema/intent.schema.json
id: salary
order: 1  # first in /myths
title:
  fr: Combien gagne un SMM ?
  en: How much does an SMM earn?
examples:
  # the way people ask it
  fr:
{fr}
    - "le salaire : c'est combien ?"
    - combien touche un smm  # SMS style below

    # English, from the forum thread
  en:
{en}
"""


def added_lines(before: str, after: str) -> list[str]:
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    assert not [line for line in diff if line.startswith("- ")], "a line changed or went"
    return [line[2:] for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line.startswith("+ ")]


@pytest.fixture
def folder(make_content: MakeContent) -> Path:
    root = make_content({
        "salary": {"fr": ["x"], "en": ["x"]},
        "training": {"fr": [f"quel diplome pour etre smm {i}" for i in range(12)],
                     "en": [f"which degree to become an smm {i}" for i in range(12)]},
    })
    (root / "intents" / "salary.yaml").write_text(COMMENTED.format(
        fr="\n".join(f"    - combien gagne un smm {i}" for i in range(12)),
        en="\n".join(f"    - how much does an smm earn {i}" for i in range(12))), encoding="utf-8")
    return root


def test_an_example_is_added_under_its_list_and_nothing_else_moves(folder: Path) -> None:
    path = folder / "intents" / "salary.yaml"
    before = path.read_text(encoding="utf-8")
    filed = file_example(folder, "salary", "ça paie bien   community manager ?", "fr")
    after = path.read_text(encoding="utf-8")
    assert added_lines(before, after) == ["    - ça paie bien community manager ?"]
    lines = after.splitlines()
    assert (filed.path, filed.key) == ("intents/salary.yaml", "examples.fr")
    assert lines[filed.line - 1] == "    - ça paie bien community manager ?"
    # Right under the last French example, above the blank line and the English comment.
    assert lines[filed.line - 2] == "    - combien touche un smm  # SMS style below"
    assert lines[filed.line:filed.line + 2] == ["", "    # English, from the forum thread"]
    myth = load_content(folder).content.by_id["salary"]  # type: ignore[union-attr]
    assert "ça paie bien community manager ?" in {e.text for e in myth.examples if e.lang == "fr"}


def test_a_shipped_file_gets_exactly_one_more_line(content_copy: Path) -> None:
    path = content_copy / "intents" / "salary.yaml"
    before = path.read_text(encoding="utf-8")
    file_example(content_copy, "salary", "my boss asked what a cm makes these days", "en")
    assert added_lines(before, path.read_text(encoding="utf-8")) == [
        "    - my boss asked what a cm makes these days"]


@pytest.mark.parametrize("text", ["yes", "9:30", "35000", "*le smm", "le smm: combien ?",
                                  "'tain le smm", 'il a dit "combien" et l\'autre "rien"'])
def test_a_sentence_yaml_would_misread_is_quoted_so_it_reads_back_as_written(
        folder: Path, text: str) -> None:
    file_example(folder, "salary", text, "en")
    myth = load_content(folder).content.by_id["salary"]  # type: ignore[union-attr]
    assert myth.examples[-1].text == text


def test_a_negative_goes_to_the_intents_near_misses_or_the_shared_file(folder: Path) -> None:
    near = file_negative(folder, "mon chat gagne plus que moi", "fr", "salary")
    shared = file_negative(folder, "on mange où ce midi ?", "fr")
    assert (near.path, near.key) == ("intents/salary.yaml", "near_misses.fr")
    assert (shared.path, shared.key) == ("intents/_none_near.yaml", "negatives.fr")
    created = (folder / "intents" / "_none_near.yaml").read_text(encoding="utf-8")
    assert created.startswith("# yaml-language-server: $schema=../schema/negatives.schema.json")
    content = load_content(folder).content
    assert content is not None
    assert {e.text for e in content.all_negatives} >= {"mon chat gagne plus que moi",
                                                       "on mange où ce midi ?"}


def test_filing_refuses_a_sentence_already_there_or_an_unknown_intent(folder: Path) -> None:
    before = {p: p.read_text(encoding="utf-8") for p in (folder / "intents").iterdir()}
    with pytest.raises(FilingError, match=r"already in intents/salary.yaml:\d+"):
        file_negative(folder, "Combien  gagne un SMM 3", "fr")
    with pytest.raises(FilingError, match=r"no intent 'salry' \(known: salary, training\)"):
        file_example(folder, "salry", "une phrase neuve", "fr")
    assert {p: p.read_text(encoding="utf-8") for p in (folder / "intents").iterdir()} == before


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out), out.getvalue()


def test_misses_add_files_a_listed_question_by_its_number(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    with Store(db) as store:
        store.add_miss("le smm il touche combien en vrai", "fr")
    status, listing = run("misses", "--db", str(db), "--content", str(folder))
    assert status == 0 and listing.splitlines()[1].split()[0] == "1"
    status, out = run("misses", "--db", str(db), "--content", str(folder),
                      "--add", "1", "--to", "salary")
    assert status == 0
    assert out.startswith("intents/salary.yaml:") and "to examples.fr" in out
    myth = load_content(folder).content.by_id["salary"]  # type: ignore[union-attr]
    assert "le smm il touche combien en vrai" in {e.text for e in myth.examples if e.lang == "fr"}


def test_misses_add_needs_to_say_where(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("misses", "--content", str(folder), "--add", "une question")[0] == 2
    assert "--add needs --to INTENT" in capsys.readouterr().err
    status, out = run("misses", "--content", str(folder), "--add", "what does a smm eat",
                      "--negative", "--lang", "en")
    assert status == 0 and out.startswith("intents/_none_near.yaml:")
