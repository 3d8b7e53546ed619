"""Loading and validating the editors' YAML: every problem with file, line and a fix."""

from __future__ import annotations

from pathlib import Path

from bot.checks import check_content
from bot.content import Content, Problem, load_content
from bot.spec import SCHEMA_FILES, schema_document
from tests.conftest import ROOT

IDS = {"diplomacy", "personal_tweeting", "always_on_facebook", "anyone_can_do_it", "fifth_point",
       "smm_vs_cm", "salary", "training", "customer_service", "human_image", "digital_helpdesk"}


def problems_of(folder: Path) -> list[Problem]:
    return check_content(folder)[1]


def only_error(folder: Path) -> Problem:
    errors = [p for p in problems_of(folder) if p.severity == "error"]
    assert len(errors) == 1, [p.format() for p in errors]
    return errors[0]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_shipped_content_is_clean_and_complete(content: Content) -> None:
    assert problems_of(ROOT) == []
    assert {m.id for m in content.myths} == IDS
    for myth in content.myths:
        for lang in ("fr", "en"):
            assert len([e for e in myth.examples if e.lang == lang]) >= 15, (myth.id, lang)
            assert myth.rebuttal[lang].strip() and myth.title[lang]


def test_top5_follows_the_article_and_ends_on_the_fifth_point(content: Content) -> None:
    assert [m.id for m in content.top5] == [
        "diplomacy", "personal_tweeting", "always_on_facebook", "anyone_can_do_it", "fifth_point"]
    assert "cinquième point" in content.by_id["fifth_point"].rebuttal["fr"]


def test_every_yaml_file_points_at_its_schema() -> None:
    for kind, schema in SCHEMA_FILES.items():
        for path in (ROOT / kind).glob("*.yaml"):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first == f"# yaml-language-server: $schema=../schema/{schema}", path


def test_shipped_schemas_match_the_loader_spec() -> None:
    for kind, name in SCHEMA_FILES.items():
        assert (ROOT / "schema" / name).read_text(encoding="utf-8") == schema_document(kind)


def test_bad_indentation_is_reported_with_file_and_line(content_copy: Path) -> None:
    path = content_copy / "intents" / "salary.yaml"
    edit(path, "  en: How much", "   en: How much")
    problem = only_error(content_copy)
    assert problem.path == "intents/salary.yaml"
    assert problem.line == line_of(path, "en: How much")
    assert "indentation" in problem.hint


def test_a_misspelt_key_suggests_the_right_one(content_copy: Path) -> None:
    path = content_copy / "intents" / "training.yaml"
    edit(path, "examples:", "exemples:")
    problems = problems_of(content_copy)
    unknown = next(p for p in problems if "unknown key 'exemples'" in p.message)
    assert unknown.line == line_of(path, "exemples:")
    assert "did you mean 'examples'?" in unknown.hint
    assert any("missing required field 'examples'" in p.message for p in problems)


def test_an_intent_without_response_and_a_response_without_intent(content_copy: Path) -> None:
    (content_copy / "responses" / "salary.yaml").rename(content_copy / "responses" / "pay.yaml")
    edit(content_copy / "responses" / "pay.yaml", "intent: salary", "intent: pay")
    messages = [p.message for p in problems_of(content_copy)]
    assert "intent 'salary' has no response" in messages
    assert "response for 'pay', but there is no such intent" in messages


def test_duplicate_intent_id_names_both_files(content_copy: Path) -> None:
    copy = content_copy / "intents" / "salary2.yaml"
    copy.write_text((content_copy / "intents" / "salary.yaml").read_text(encoding="utf-8"))
    messages = [p.format() for p in problems_of(content_copy)]
    assert any("duplicate intent 'salary'" in m and "intents/salary" in m for m in messages)


def test_missing_language_wrong_type_empty_and_duplicate_examples(content_copy: Path) -> None:
    path = content_copy / "intents" / "human_image.yaml"
    text = path.read_text(encoding="utf-8")
    first_fr = text.split("examples:\n  fr:\n    - ")[1].splitlines()[0]
    edit(path, "order: 10", "order: ten")
    edit(path, f"    - {first_fr}\n", f"    - {first_fr}\n    - {first_fr}\n    - ''\n")
    edit(path, "  en: ", "  english: ")
    messages = [p.message for p in problems_of(content_copy)]
    assert "'order' must be a whole number, not 'ten'" in messages
    assert any(m.startswith("duplicate item in 'examples.fr'") for m in messages)
    assert "empty item in 'examples.fr'" in messages
    assert "'title' has no English ('en')" in messages


def test_invalid_yaml_syntax_points_at_the_line(content_copy: Path) -> None:
    path = content_copy / "responses" / "training.yaml"
    edit(path, "intent: training", "intent: [training")
    problem = only_error(content_copy)
    assert problem.path == "responses/training.yaml" and problem.message.startswith("invalid YAML")
    assert problem.line >= 2


def test_html_telegram_refuses_is_an_error(content_copy: Path) -> None:
    path = content_copy / "responses" / "diplomacy.yaml"
    edit(path, "  fr: |\n    ", "  fr: |\n    <div>Salut & bye</div> ")
    problem = only_error(content_copy)
    assert "Telegram would refuse the French text" in problem.message
    assert problem.line == line_of(path, "  fr: |")


def test_a_rebuttal_too_long_for_a_telegram_message_is_an_error(content_copy: Path) -> None:
    path = content_copy / "responses" / "salary.yaml"
    edit(path, "  en: |\n    ", "  en: |\n    " + "blah " * 900)
    assert "over the 3496 a Telegram message leaves" in only_error(content_copy).message


def test_an_example_closer_to_another_intent_says_which(content_copy: Path) -> None:
    salary = load_content(content_copy).content
    assert salary is not None
    stolen = next(e.text for e in salary.by_id["salary"].examples if e.lang == "fr")
    path = content_copy / "intents" / "training.yaml"
    edit(path, "examples:\n  fr:\n", f"examples:\n  fr:\n    - {stolen} ?!\n")
    problem = only_error(content_copy)
    assert "closer to intent 'salary'" in problem.message
    assert "than to its own 'training'" in problem.message
    assert problem.line == line_of(path, f"{stolen} ?!")


def test_problems_are_formatted_for_editors() -> None:
    problem = Problem("intents/x.yaml", 3, 5, "unknown key 'exemples'", "did you mean 'examples'?",
                      source_line="exemples:")
    assert problem.format() == ("intents/x.yaml:3:5: unknown key 'exemples'\n"
                                "  >>> exemples:\n  hint: did you mean 'examples'?")
