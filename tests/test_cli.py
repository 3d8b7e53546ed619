"""The editors' command line, run in-process: whole outputs and exit statuses."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.content import Content
from tests.conftest import ROOT, write_small_content

EVAL = ROOT / "tests" / "data" / "eval.jsonl"


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(args), out)
    return status, out.getvalue()


def test_ask_json_has_the_documented_keys() -> None:
    status, out = run("ask", "--json", "combien", "gagne", "un", "smm")
    data = json.loads(out)
    assert status == 0
    assert data["decision"] == "answer" and data["intent"] == "salary" and data["lang"] == "fr"
    assert isinstance(data["score"], float) and data["example"]
    assert {"intent", "score", "example"} <= set(data["runner_up"])


def test_ask_explains_a_refusal_in_a_group() -> None:
    status, out = run("ask", "--chat", "group", "je suis sur facebook ce soir")
    assert status == 0
    assert out.splitlines()[0] == "decision:  none"
    assert "why:" in out


def test_check_is_clean_on_the_shipped_content(content: Content) -> None:
    status, out = run("check", "--folds", "0")
    assert status == 0
    assert out.startswith(f"ok: {len(content.myths)} intents,")


def test_check_fails_with_file_and_line_on_broken_content(content_copy: Path) -> None:
    path = content_copy / "intents" / "salary.yaml"
    path.write_text(path.read_text().replace("examples:", "exemples:"))
    status, out = run("check", "--content", str(content_copy))
    assert status == 1
    assert "intents/salary.yaml:" in out and "did you mean 'examples'?" in out
    assert out.splitlines()[-1].endswith(f"in {content_copy}")


def test_content_folder_comes_from_the_environment(content_copy: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (content_copy / "responses" / "salary.yaml").unlink()
    monkeypatch.setenv("MYTHBOT_CONTENT", str(content_copy))
    assert run("check")[0] == 1


def test_eval_prints_per_intent_scores_and_the_summary_line() -> None:
    status, out = run("eval", str(EVAL))
    lines = out.splitlines()
    assert status == 0
    assert lines[0].split() == ["intent", "precision", "recall", "n"]
    positives = sum('"expect": null' not in line for line in EVAL.read_text().splitlines())
    negatives = len(EVAL.read_text().splitlines()) - positives
    assert lines[-3].startswith("accuracy=") and lines[-3].endswith(f"of {positives})")
    assert lines[-2].startswith("false_answers=") and lines[-2].endswith(f"of {negatives})")


def test_eval_refuses_an_unknown_intent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hello", "expect": "nope"}\n')
    assert run("eval", str(bad))[0] == 2
    assert "bad.jsonl:1: unknown intent 'nope'" in capsys.readouterr().err


# The levels reached on the held-out set; content edits must not silently go below them.
def test_eval_counts_positives_and_negatives_apart() -> None:
    status, out = run("eval", "--json", str(EVAL))
    report = json.loads(out)
    assert status == 0
    assert report["positives"] + report["negatives"] == report["n"]
    assert report["negatives"] == EVAL.read_text().count('"expect": null')


def test_eval_on_an_empty_file_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert run("eval", str(empty))[0] == 1


def test_eval_cv_cross_validates_the_content_without_a_file(tmp_path: Path) -> None:
    small = write_small_content(tmp_path / "small")  # it trains three times
    status, out = run("eval", "--cv", "3", "--content", str(small))
    assert status == 0
    assert "3-fold cross-validation on the content" in out
    assert "salary" in out and "none" in out


def test_chat_with_piped_input_answers_each_line_in_its_language() -> None:
    lines = "le smm passe ses journées sur facebook\nhow much does an SMM earn?\n"
    result = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], input=lines,
                            capture_output=True, text=True, timeout=60, check=True)
    out = result.stdout
    assert "Cliché : Le SMM passe ses journées sur Facebook" in out
    assert "Cliché: How much does an SMM earn?" in out
    assert "Source : « Top 5" in out and "Source: “Le social media manager" in out


def test_chat_buttons_are_pressed_by_number() -> None:
    out = io.StringIO()
    from bot.console import chat_loop
    from bot.content import load_content
    from bot.matching import Matcher

    content = load_content(ROOT).content
    assert content is not None
    chat_loop(Matcher(content), io.StringIO("/top5\n1\n"), out, lang="en")
    assert "(1/5)" in out.getvalue() and "(2/5)" in out.getvalue()


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    [commands] = [a for a in build_parser()._actions
                  if isinstance(a, argparse._SubParsersAction)]
    assert {"run", "chat", "ask", "check", "eval", "misses", "stats"} <= set(commands.choices)
    for command, parser in commands.choices.items():
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: mythbot {command} "), out
        assert parser.description and " ".join(parser.description.split()) in " ".join(
            out.split()), command
        for action in parser._actions:
            name = action.option_strings[-1] if action.option_strings else action.dest
            assert name in out, (command, name)


def test_version_prints_the_version_pyproject_declares(
        capsys: pytest.CaptureFixture[str]) -> None:
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"mythbot {declared}\n"


def test_misses_top_zero_is_a_usage_error_not_an_empty_report(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["misses", "--top", "0"])
    assert exit_info.value.code == 2
    assert "--top: must be a whole number, 1 or more, not '0'" in capsys.readouterr().err


def test_eval_says_what_a_file_without_clichés_cannot_measure(tmp_path: Path) -> None:
    chatter = tmp_path / "chatter.jsonl"
    chatter.write_text('{"text": "on mange où ce midi ?", "expect": null}\n')
    status, out = run("eval", str(chatter))
    assert status == 0
    assert "accuracy=n/a (clichés answered with the right myth, of 0)" in out
    assert out.splitlines()[1].split() == ["diplomacy", "-", "-", "0"]
    report = json.loads(run("eval", "--json", str(chatter))[1])
    assert report["accuracy"] is None and report["false_answer_rate"] == 0.0
    assert report["per_intent"]["salary"] == {"precision": None, "recall": None, "n": 0}


def test_check_wants_a_source_text_once_or_in_every_language(content_copy: Path) -> None:
    path = content_copy / "responses" / "salary.yaml"
    path.write_text(path.read_text().replace("    en: blog post\n", ""))
    status, out = run("check", "--folds", "0", "--content", str(content_copy))
    assert status == 1
    assert "'source.site' has no English ('en')" in out
    path.write_text(path.read_text().replace("  site:\n    fr: billet de blog\n",
                                             "  site: blog\n"))
    assert run("check", "--folds", "0", "--content", str(content_copy))[0] == 0


def test_a_content_copy_without_schemas_is_told_how_to_get_them(content_copy: Path) -> None:
    status, out = run("check", "--folds", "0", "--content", str(content_copy))
    assert status == 0 and "is not there" in out
    assert f"mythbot schema --write {content_copy / 'schema'}" in out
    assert run("schema", "--content", str(content_copy))[0] == 0
    status, out = run("check", "--folds", "0", "--content", str(content_copy))
    assert "is not there" not in out
    assert (content_copy / "schema" / "intent.schema.json").exists()


def test_stats_since_must_be_a_day(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["stats", "--since", "yesterday"])
    assert exit_.value.code == 2
    assert "'yesterday' is not a day: write it YYYY-MM-DD" in capsys.readouterr().err


def test_a_report_on_a_missing_database_creates_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "mythbto.sqlite3"
    assert main(["stats", "--db", str(typo)]) == 1
    err = capsys.readouterr().err
    assert f"no database at {typo}" in err and "MYTHBOT_DB" in err
    assert not typo.exists()


def test_a_report_on_a_file_that_is_not_a_database_names_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "notes.sqlite3"
    junk.write_text("not sqlite at all, just text " * 100)
    assert main(["stats", "--db", str(junk)]) == 1
    err = capsys.readouterr().err.strip()
    assert str(junk) in err and "MYTHBOT_DB" in err and "Traceback" not in err
    assert len(err.splitlines()) <= 2


def test_reports_read_a_read_only_database_without_writing_it(tmp_path: Path) -> None:
    import stat

    from bot.storage import Store

    db = tmp_path / "bot.sqlite3"
    with Store(db) as store:
        store.count_answer("salary", "fr", "private", day="2026-11-01")
        store.add_miss("zorglub le smm", "fr")
    db.chmod(stat.S_IRUSR)
    before = db.read_bytes()
    stats_status, stats_out = run("stats", "--db", str(db))
    misses_status, misses_out = run("misses", "--db", str(db))
    assert db.read_bytes() == before  # no migration, no write
    assert stats_status == 0 and "salary" in stats_out
    assert misses_status == 0 and "zorglub le smm" in misses_out
