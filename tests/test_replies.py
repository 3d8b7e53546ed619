"""Replies: valid Telegram HTML within limits, in the right language, user text escaped."""

from __future__ import annotations

import pytest

from bot.content import Content, Source
from bot.html import MAX_MESSAGE, html_problem, visible_length
from bot.matching import Matcher
from bot.replies import (
    callback_reply,
    clarify_reply,
    help_reply,
    myth_reply,
    reply_for,
    source_line,
    sources_reply,
    top5_reply,
)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_myth_card_is_valid_telegram_html_within_limits(content: Content, lang: str) -> None:
    for myth in content.myths:
        reply = myth_reply(myth, lang, bot_username="mythbot", feedback=True)
        assert html_problem(reply.html) is None, myth.id
        assert visible_length(reply.html) <= MAX_MESSAGE
        assert myth.source.title in reply.html and myth.title[lang] in reply.html
        for row in reply.buttons:
            for button in row:
                assert button.url or button.share or (
                    button.data and len(button.data.encode()) <= 64)


def test_a_card_shows_the_source_with_author_and_date(content: Content) -> None:
    html = myth_reply(content.by_id["diplomacy"], "en").html
    assert "Loïck Briaut" in html and "2018-05-24" in html and "point 1" in html


def test_the_share_button_deep_links_to_the_myth(content: Content) -> None:
    from bot.telegram.sending import keyboard

    reply = myth_reply(content.by_id["salary"], "fr", bot_username="mythbot")
    share = [b for row in reply.buttons for b in row if b.share]
    assert len(share) == 1 and share[0].share is not None and share[0].share[0] == "salary"
    markup = keyboard(reply, "mythbot")
    assert markup is not None
    urls = [b.url for row in markup.inline_keyboard for b in row if b.url]
    assert len(urls) == 1 and "t.me%2Fmythbot%3Fstart%3Dsalary" in (urls[0] or "")


def test_user_text_in_a_clarify_question_is_escaped(matcher: Matcher, content: Content) -> None:
    question = '<b onclick="x">smm</b> & co'
    decision = matcher.decide(question, "private")
    reply = clarify_reply(decision, content, "fr", question)
    assert "<b onclick" not in reply.html and "&lt;b onclick" in reply.html
    assert html_problem(reply.html) is None


def test_help_lists_every_myth_as_a_button(content: Content) -> None:
    reply = help_reply(content, "en")
    assert [row[0].data for row in reply.buttons] == [f"m:{m.id}" for m in content.myths]
    assert html_problem(reply.html) is None


def test_the_answer_is_in_the_language_asked_for(matcher: Matcher, content: Content) -> None:
    decision = matcher.decide("how much does a social media manager earn", "private")
    english = reply_for(decision, content, decision.lang)
    french = reply_for(decision, content, "fr")
    assert english.intent == french.intent == "salary"
    assert content.by_id["salary"].rebuttal["en"].strip()[:40] in english.html
    assert content.by_id["salary"].rebuttal["fr"].strip()[:40] in french.html


def test_top5_walks_the_article_in_order_and_ends_on_the_joke(content: Content) -> None:
    seen, step = [], 1
    while True:
        reply = top5_reply(content, "fr", step)
        seen.append(reply.intent)
        assert html_problem(reply.html) is None
        if not reply.buttons:
            break
        data = reply.buttons[0][0].data or ""
        assert data == f"t5:{step + 1}"
        step += 1
    assert seen[-1] == "fifth_point" and len(seen) == 5
    assert "cinquième point" in top5_reply(content, "fr", 5).html


def test_sources_name_both_articles_without_inventing_links(content: Content) -> None:
    html = sources_reply(content, "fr").html
    assert "Top 5" in html and "selon Google" in html and "http" not in html


def test_unknown_button_data_is_not_answered(content: Content) -> None:
    assert callback_reply("m:nope", content, "fr") is None
    assert callback_reply("t5:x", content, "fr") is None
    assert callback_reply("list", content, "fr") is not None


def test_an_english_card_cites_its_source_in_english(content: Content) -> None:
    html = myth_reply(content.by_id["customer_service"], "en").html
    assert "blog post, 2015 (section on customer service)" in html
    assert "passage sur" not in html


def test_a_french_card_cites_its_source_in_french(content: Content) -> None:
    html = myth_reply(content.by_id["customer_service"], "fr").html
    assert "billet de blog, 2015 (passage sur le service client)" in html
    assert "Blog post" not in html and "blog post" not in html


@pytest.mark.parametrize(("lang", "foreign"), [
    ("fr", ("blog post", "Silgoweb blog", "section on", "section comparing")),
    ("en", ("billet de blog", "Blog Silgoweb", "passage sur")),
], ids=["french", "english"])
def test_no_source_line_or_source_list_mixes_languages(content: Content, lang: str,
                                                        foreign: tuple[str, ...]) -> None:
    shown = [myth_reply(m, lang).html.rsplit("\n", 1)[-1] for m in content.myths]
    shown.append(sources_reply(content, lang).html)
    for html in shown:
        assert not [word for word in foreign if word.lower() in html.lower()], html


def test_a_source_text_written_once_serves_every_language() -> None:
    source = Source("Titre", "Blog", "2018-05-24", part={"fr": "point 1", "en": "item 1"})
    assert source_line(source, "fr") == (
        "<i>Source : « Titre », Blog, 2018-05-24 (point 1)</i>")
    assert source_line(source, "en") == "<i>Source: “Titre”, Blog, 2018-05-24 (item 1)</i>"


def test_check_and_the_fake_server_share_one_html_parser() -> None:
    from bot import html
    from tests import fake_bot_api

    assert fake_bot_api.parse_html is html.parse_html
    assert html.html_problem("Tom & Jerry") is None  # a bare & is text, as in Telegram
    assert html.html_problem("<p>x</p>") == 'Unsupported start tag "p" at byte offset 0'
