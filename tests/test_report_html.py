"""The HTML evaluation report (`mythbot eval FILE --html OUT.html`): what an editor reads in it,
and that no sentence can break out of the page."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import cast

import pytest

from bot.content import Content
from bot.evaluation import Labelled, Report, evaluate
from bot.matching import Candidate, ChatKind, Decision, Matcher
from bot.report_html import NONE_LABEL, confusion, counts, html_report
from tests.test_cli import run

HOSTILE = '<script>alert("x")</script> & combien gagne un smm </td><img src=x>'


class Page(HTMLParser):
    """The tags of a page and the text of each table's rows, cell by cell."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self._table = dict(attrs).get("class") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


class Scripted:
    """A matcher whose decisions are written in the test: the report is judged, not the model."""

    def __init__(self, content: Content, decisions: dict[str, Decision]) -> None:
        self.content = content
        self.decisions = decisions

    def decide(self, text: str, chat: ChatKind = "private") -> Decision:
        return self.decisions[text]


def answer(intent: str, score: float, nearest: str) -> Decision:
    return Decision("answer", intent, score, "fr", nearest, None,
                    nearest=Candidate(intent, score, nearest, "fr", similarity=71.5))


@pytest.fixture(scope="module")
def report(content: Content) -> Report:
    none = Decision("none", None, 12.0, "fr", None, None, reason="unsure")
    decisions = {
        "combien gagne un community manager": answer("salary", 97.0, "combien gagne un cm"),
        "le smm passe ses journées sur facebook": answer("always_on_facebook", 91.0, "fb"),
        HOSTILE: answer("salary", 83.4, 'le "salaire" <d\'un> smm & co'),
        "on mange où ce midi ?": none,
    }
    items = [Labelled("combien gagne un community manager", "salary", 1),
             Labelled("le smm passe ses journées sur facebook", "always_on_facebook", 2),
             Labelled(HOSTILE, "diplomacy", 3),
             Labelled("on mange où ce midi ?", None, 4)]
    return evaluate(cast(Matcher, Scripted(content, decisions)), items, "private")


def test_the_confusion_matrix_has_a_row_and_a_column_per_myth_and_one_for_none(
        report: Report) -> None:
    page = Page(html_report(report))
    header, *rows = page.tables["matrix"]
    labels = [r.intent for r in report.per_intent] + [NONE_LABEL]
    assert header[1:-1] == labels
    assert [row[0] for row in rows] == labels
    cells = {(row[0], answered): int(cell or 0)
             for row in rows for answered, cell in zip(labels, row[1:-1], strict=True)}
    assert cells == {key: confusion(report)[key] for key in cells}
    assert sum(cells.values()) == report.n
    assert cells["salary", "salary"] == 1 and cells["diplomacy", "salary"] == 1


def test_each_myth_shows_its_precision_and_recall_with_the_counts_behind_them(
        report: Report) -> None:
    rows = {row[0]: row[1:] for row in Page(html_report(report)).tables["scores"][1:]}
    # salary: answered twice, once rightly (precision 1/2); expected once, found (recall 1/1).
    assert rows["salary"] == ["0.500", "1 / 2", "1.000", "1 / 1"]
    assert rows["diplomacy"] == ["–", "0 / 0", "0.000", "0 / 1"]
    assert [c.intent for c in counts(report)] == [r.intent for r in report.per_intent]


def test_a_misread_sentence_shows_what_was_expected_answered_and_the_nearest_example(
        report: Report) -> None:
    [row] = Page(html_report(report)).tables["mistakes"][1:]
    line, sentence, expected, answered, confidence, nearest = row
    assert (line, sentence, expected, answered) == ("3", HOSTILE, "diplomacy", "salary")
    assert float(confidence) == report.mistakes[0].decision.score
    assert nearest == """le "salaire" <d'un> smm & co salary, similarity 71.5"""


def test_every_sentence_is_escaped_and_the_page_needs_nothing_from_outside(
        report: Report) -> None:
    page = html_report(report, about="<b>file</b>")
    parsed = Page(page)
    assert "script" not in {tag for tag, _ in parsed.tags}
    assert "img" not in {tag for tag, _ in parsed.tags}
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in page
    assert "&lt;b&gt;file&lt;/b&gt;" in page
    assert "&lt;d&#x27;un&gt; smm &amp; co" in page
    assert not [attrs for _, attrs in parsed.tags if {"src", "href"} & set(attrs)]
    assert "<style>" in page and "url(" not in page and "@import" not in page


def test_eval_html_writes_the_report_next_to_the_text_one(tmp_path: Path) -> None:
    labelled = tmp_path / "set.jsonl"
    labelled.write_text('{"text": "combien gagne un smm", "expect": "salary"}\n'
                        '{"text": "on mange où ce midi ?", "expect": null}\n', encoding="utf-8")
    out = tmp_path / "report.html"
    status, text = run("eval", str(labelled), "--html", str(out))
    assert status == 0 and text.splitlines()[0].split()[0] == "intent"
    rows = Page(out.read_text(encoding="utf-8")).tables["matrix"]
    assert rows[0][1:-1][-1] == NONE_LABEL and str(labelled) in out.read_text(encoding="utf-8")


def test_eval_html_into_a_missing_folder_is_one_line_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labelled = tmp_path / "set.jsonl"
    labelled.write_text('{"text": "combien gagne un smm", "expect": "salary"}\n')
    status, _ = run("eval", str(labelled), "--html", str(tmp_path / "no" / "r.html"))
    assert status == 1
    assert capsys.readouterr().err.startswith("mythbot: cannot write the report to ")
