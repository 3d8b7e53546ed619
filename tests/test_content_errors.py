"""Errors that point at the mistake: the line an editor must change, and the change."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.content import Problem, load_content
from bot.html import html_mistakes


def errors(folder: Path) -> list[Problem]:
    return [p for p in load_content(folder).problems if p.severity == "error"]


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in line)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def first_example(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split("examples:\n  fr:\n    - ")[1].splitlines()[0]


def test_an_unclosed_quote_is_reported_where_it_opens_with_the_fix_for_that_line(
        content_copy: Path) -> None:
    path = content_copy / "intents" / "salary.yaml"
    sentence = first_example(path)
    edit(path, f"    - {sentence}\n", f'    - "{sentence}\n')
    # A quoted sentence further down, where the parser only notices the runaway quote.
    edit(path, "  en:\n    - ", '  en:\n    - "a \\"quoted\\" one"\n    - ')
    [problem] = errors(content_copy)
    assert (problem.line, problem.column) == (line_of(path, f'- "{sentence}'), 7)
    assert problem.message == "this quote is not closed on its line"
    assert problem.hint == f'close it: - "{sentence}"'


def test_a_sentence_opening_with_an_apostrophe_is_quoted_whole(content_copy: Path) -> None:
    path = content_copy / "intents" / "salary.yaml"
    edit(path, "examples:\n  fr:\n", "examples:\n  fr:\n    - 'tain le smm il gagne combien\n")
    [problem] = errors(content_copy)
    assert problem.line == line_of(path, "'tain le smm")
    assert problem.hint == "quote it all: - \"'tain le smm il gagne combien\""


def test_a_bare_less_than_in_a_rebuttal_is_told_in_the_editors_words_with_a_caret(
        content_copy: Path) -> None:
    path = content_copy / "responses" / "diplomacy.yaml"
    edit(path, "  fr: |\n    ", "  fr: |\n    Je t'aime <3. ")
    [problem] = errors(content_copy)
    assert problem.message == ("Telegram would refuse the French text: a bare '<': Telegram "
                               "reads it as the start of a tag")
    assert problem.hint == "write &lt; for a '<' that is text"
    quoted, caret = problem.format().splitlines()[1:3]
    assert quoted.startswith("  >>>     Je t'aime <3.") and len(quoted) <= 6 + 90
    assert caret.index("^") == quoted.index("<3")
    assert problem.line == line_of(path, "<3") and problem.column == len("    Je t'aime ") + 1


def test_every_html_problem_of_a_rebuttal_is_reported_at_once() -> None:
    text = "a <div>b</div>, <b>gras <i>ital</b>, 1 < 2, </u> et <s>jamais fermé"
    found = {(text[offset:offset + 3], what) for offset, what, _ in html_mistakes(text)}
    assert found == {
        ("<di", "Telegram has no <div> tag"),
        ("<i>", "<i> is still open when </b> closes"),
        ("< 2", "a bare '<': Telegram reads it as the start of a tag"),
        ("</u", "</u> closes nothing: no <u> is open here"),
        ("<s>", "<s> is never closed"),
    }
    assert html_mistakes("<b>Tom & Jerry</b> <a href=\"https://x.org\">x</a>") == []


def test_html_problems_in_a_file_are_each_at_their_column(content_copy: Path) -> None:
    path = content_copy / "responses" / "diplomacy.yaml"
    edit(path, "  fr: |\n    ", "  fr: |\n    <p>x</p> <b>y ")
    found = [(p.line, p.column) for p in errors(content_copy)]
    line = line_of(path, "<p>x</p>")
    assert found == [(line, 5), (line, 5 + len("<p>x</p> "))]


def test_a_file_without_id_is_reported_at_its_first_key_not_the_schema_comment(
        content_copy: Path) -> None:
    path = content_copy / "intents" / "salary.yaml"
    edit(path, "id: salary\n", "")
    [problem] = errors(content_copy)
    assert problem.message == "missing required field 'id'"
    assert problem.line == 2 and problem.source_line.startswith("order:")


def test_a_duplicate_id_is_reported_at_its_id_line_naming_the_other(content_copy: Path) -> None:
    shutil.copy(content_copy / "intents" / "salary.yaml", content_copy / "intents" / "pay.yaml")
    [duplicate] = [p for p in errors(content_copy) if "duplicate intent 'salary'" in p.message]
    line = line_of(content_copy / "intents" / "salary.yaml", "id: salary")
    assert (duplicate.line, duplicate.source_line) == (line, "id: salary")
    other = ({"intents/pay.yaml", "intents/salary.yaml"} - {duplicate.path}).pop()
    assert f"{other} has it too (line {line})" in duplicate.message


def test_an_order_in_use_is_reported_at_the_order_line_with_a_free_one(
        content_copy: Path) -> None:
    path = content_copy / "intents" / "training.yaml"
    taken = line_of(content_copy / "intents" / "salary.yaml", "order:")
    order = (content_copy / "intents" / "salary.yaml").read_text().splitlines()[taken - 1]
    edit(path, "\norder: ", f"\n{order}\n# was: ")
    [problem] = errors(content_copy)
    assert (problem.path, problem.line) == ("intents/training.yaml", line_of(path, order))
    assert problem.message == f"'{order}' is also used by 'salary' (intents/salary.yaml:{taken})"
    assert problem.hint.startswith("give each intent its own order: ")
    used = {yaml.safe_load(p.read_text(encoding="utf-8"))["order"]
            for p in (content_copy / "intents").glob("[!_]*.yaml")}
    assert int(problem.hint.rsplit(" ", 3)[1]) not in used


def test_an_intent_without_response_is_reported_at_its_id_line(content_copy: Path) -> None:
    (content_copy / "responses" / "salary.yaml").unlink()
    [problem] = errors(content_copy)
    assert problem.message == "intent 'salary' has no response"
    assert problem.line == line_of(content_copy / "intents" / "salary.yaml", "id: salary")
