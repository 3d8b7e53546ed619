"""Loading and validating the editors' YAML: every problem with file, line and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.checks import check_content
from bot.content import Content, Problem, load_content
from bot.spec import SCHEMA_FILES, schema_document
from tests.conftest import ROOT, write_small_content


def problems_of(folder: Path) -> list[Problem]:
    """Everything but the model's cross-validated view (tested on its own, it trains 5 times)."""
    return check_content(folder, folds=0)[1]


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


# Whatever myths the content holds: adding one that `check` accepts keeps these true.
def test_shipped_content_is_clean_and_complete(content: Content) -> None:
    assert problems_of(ROOT) == []
    assert content.myths
    for myth in content.myths:
        assert myth.intent_path == f"intents/{myth.id}.yaml"
        assert myth.response_path == f"responses/{myth.id}.yaml"
        for lang in ("fr", "en"):
            assert [e for e in myth.examples if e.lang == lang], (myth.id, lang)
            assert myth.rebuttal[lang].strip() and myth.title[lang], (myth.id, lang)
    assert len(content.all_negatives) >= 1000
    assert set(content.topic) == {"fr", "en"} and all(content.topic.values())


def test_top5_follows_the_article_and_ends_on_the_fifth_point(content: Content) -> None:
    assert [m.id for m in content.top5] == [
        "diplomacy", "personal_tweeting", "always_on_facebook", "anyone_can_do_it", "fifth_point"]
    assert "cinquième point" in content.by_id["fifth_point"].rebuttal["fr"]


def expected_schema(path: Path) -> str:
    if path.name.startswith("_none"):
        return SCHEMA_FILES["negatives"]
    if path.name.startswith("_topic"):
        return SCHEMA_FILES["topic"]
    if path.name.startswith("_smalltalk"):
        return SCHEMA_FILES["smalltalk"]
    if path.name.startswith("_frames"):
        return SCHEMA_FILES["frames"]
    return SCHEMA_FILES[path.parent.name]


def test_every_yaml_file_points_at_its_schema() -> None:
    paths = [*(ROOT / "intents").glob("*.yaml"), *(ROOT / "responses").glob("*.yaml")]
    assert len(paths) >= 24
    for path in paths:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../schema/{expected_schema(path)}", path


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
    # PyYAML notices the missing ']' at the ':' of the next key, "text:" on the next line
    assert (problem.line, problem.column) == (line_of(path, "intent: [training") + 1, 5)


def test_html_telegram_refuses_is_an_error_at_its_place_in_the_block(
        content_copy: Path) -> None:
    path = content_copy / "responses" / "diplomacy.yaml"
    edit(path, "  fr: |\n    ", "  fr: |\n    Salut & bye, <div>non</div> ")
    problem = only_error(content_copy)
    assert "Telegram would refuse the French text" in problem.message
    assert "Telegram has no <div> tag" in problem.message
    assert problem.line == line_of(path, "  fr: |") + 1
    assert problem.column == 5 + len("Salut & bye, ") and "<div>non</div>" in problem.source_line


def test_a_bare_ampersand_is_accepted_as_telegram_does(content_copy: Path) -> None:
    path = content_copy / "responses" / "diplomacy.yaml"
    edit(path, "  fr: |\n    ", "  fr: |\n    Tom & Jerry. ")
    assert [p for p in problems_of(content_copy) if p.severity == "error"] == []


def test_a_rebuttal_too_long_for_a_telegram_message_is_an_error(content_copy: Path) -> None:
    path = content_copy / "responses" / "salary.yaml"
    edit(path, "  en: |\n    ", "  en: |\n    " + "blah " * 900)
    assert "over the 3496 a Telegram message leaves" in only_error(content_copy).message


def test_an_example_filed_under_the_wrong_intent_is_reported_with_its_line(
        tmp_path: Path) -> None:
    folder = write_small_content(tmp_path / "small")  # cross-validation trains 5 times
    stolen = "combien gagne un social media manager par mois en moyenne ?"
    path = folder / "intents" / "anyone_can_do_it.yaml"
    edit(path, "examples:\n  fr:\n", f"examples:\n  fr:\n  - {stolen}\n")
    _, problems = check_content(folder)
    found = [p for p in problems if stolen in p.message]
    assert len(found) == 1
    assert "read as 'salary'" in found[0].message and found[0].severity == "warning"
    assert (found[0].path, found[0].line) == ("intents/anyone_can_do_it.yaml",
                                              line_of(path, stolen))


def test_a_negative_the_model_would_answer_is_reported(tmp_path: Path) -> None:
    folder = write_small_content(tmp_path / "small")
    path = folder / "intents" / "_none.yaml"
    cliche = "le community manager est payé combien en moyenne par mois ?"
    edit(path, "negatives:\n  fr:\n", f"negatives:\n  fr:\n  - {cliche}\n")
    _, problems = check_content(folder)
    found = [p for p in problems if cliche in p.message]
    assert len(found) == 1 and "would be answered as 'salary'" in found[0].message
    assert (found[0].path, found[0].line) == ("intents/_none.yaml", line_of(path, cliche))


def test_quoted_list_items_are_kept_as_written(content_copy: Path) -> None:
    path = content_copy / "intents" / "salary.yaml"
    edit(path, "examples:\n  fr:\n", 'examples:\n  fr:\n    - "yes"\n    - "9:30"\n    - "35000"\n')
    content = load_content(content_copy).content
    assert content is not None
    texts = {e.text for e in content.by_id["salary"].examples}
    assert {"yes", "9:30", "35000"} <= texts and "True" not in texts and "570" not in texts


@pytest.mark.parametrize(("item", "reads_as"), [("yes", "yes/no"), ("9:30", "a number"),
                                                ("35000", "a number")])
def test_an_item_yaml_would_not_read_as_text_asks_for_quotes(content_copy: Path, item: str,
                                                            reads_as: str) -> None:
    path = content_copy / "intents" / "salary.yaml"
    edit(path, "examples:\n  fr:\n", f"examples:\n  fr:\n    - {item}\n")
    problem = only_error(content_copy)
    assert f"as {reads_as}" in problem.message and f'quote it: - "{item}"' in problem.hint
    assert problem.line == 9


def test_an_item_indented_deeper_is_not_silently_merged(content_copy: Path) -> None:
    path = content_copy / "intents" / "salary.yaml"
    edit(path, "examples:\n  fr:\n", "examples:\n  fr:\n    - un\n      - deux\n")
    problem = only_error(content_copy)
    assert "continues the item above" in problem.message and problem.line == 10


@pytest.mark.parametrize("sign", ["'", "*", "&", "!", "%", "@", "`"])
def test_a_sentence_starting_with_a_yaml_sign_asks_for_quotes(content_copy: Path,
                                                             sign: str) -> None:
    path = content_copy / "intents" / "salary.yaml"
    edit(path, "examples:\n  fr:\n", f"examples:\n  fr:\n    - {sign}smm c'est nul\n")
    problem = only_error(content_copy)
    assert f"starts with {sign!r}" in problem.message
    assert problem.hint.startswith("quote it:") and problem.line == 9


def test_a_tab_gets_the_tab_hint(content_copy: Path) -> None:
    path = content_copy / "intents" / "salary.yaml"
    edit(path, "examples:\n  fr:\n    - ", "examples:\n  fr:\n\t- ")
    problem = only_error(content_copy)
    assert "tab" in problem.message and "never tabs" in problem.hint and problem.line == 9


def test_a_missing_colon_points_at_its_own_line(content_copy: Path) -> None:
    path = content_copy / "intents" / "salary.yaml"
    edit(path, "order: 7", "order 7")
    problem = only_error(content_copy)
    assert "no ':'" in problem.message and problem.line == line_of(path, "order 7")


@pytest.mark.parametrize("name", ["extra.YAML", "extra.yaml.txt"])
def test_a_content_file_with_the_wrong_extension_is_reported(content_copy: Path,
                                                            name: str) -> None:
    (content_copy / "intents" / name).write_text("id: extra\n")
    problem = only_error(content_copy)
    assert name in problem.message and "rename it to extra.yaml" in problem.hint


def test_problems_are_formatted_for_editors() -> None:
    problem = Problem("intents/x.yaml", 3, 5, "unknown key 'exemples'", "did you mean 'examples'?",
                      source_line="exemples:")
    assert problem.format() == ("intents/x.yaml:3:5: unknown key 'exemples'\n"
                                "  >>> exemples:\n  hint: did you mean 'examples'?")


def test_a_sentence_under_the_wrong_language_is_flagged(tmp_path: Path) -> None:
    folder = write_small_content(tmp_path / "small")  # the check trains on the content
    path = folder / "intents" / "salary.yaml"
    english = "how much money does the social media manager make in a year"
    edit(path, "examples:\n  fr:\n", f"examples:\n  fr:\n  - {english}\n")
    found = [p for p in problems_of(folder) if english in p.message]
    assert len(found) == 1 and "reads as English" in found[0].message
    assert found[0].hint == "move it under 'en:'" and found[0].line == line_of(path, english)


def test_a_frame_without_its_slot_is_reported_at_its_line(content_copy: Path) -> None:
    path = content_copy / "intents" / "_frames.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("- ")) + 1
    lines[at - 1] = '    - "ma tante au dîner, sans trou pour la phrase"'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load_content(content_copy)
    assert result.content is None
    [problem] = result.errors
    assert (problem.path, problem.line) == ("intents/_frames.yaml", at)
    assert "exactly one {}" in problem.message
