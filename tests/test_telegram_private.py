"""Private chats: the real Application, inbox and poller, with an in-memory Bot API (no
socket: tests/inprocess.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.live import LiveContent
from bot.storage import Store
from tests.conftest import MakeContent
from tests.fake_bot_api import FakeBotApi
from tests.harness import Running, buttons, running_bot

pytestmark = pytest.mark.in_memory

ALICE = FakeBotApi.user(1001, "Alice", language_code="fr")
BOB = FakeBotApi.user(1002, "Bob", language_code="en")
OTHER_BOT = FakeBotApi.user(1003, "Spambot", is_bot=True)


def chat(user: dict[str, object]) -> dict[str, object]:
    return FakeBotApi.private_chat(user)


async def test_a_french_question_gets_the_french_rebuttal(bot: Running, api: FakeBotApi) -> None:
    api.send_text(chat(ALICE), ALICE, "le social media manager passe ses journées sur facebook")
    (reply,) = await bot.replies(1001)
    assert reply["text"].startswith("Cliché : Le SMM passe ses journées sur Facebook")
    assert "Source : « Top 5" in reply["text"]
    data = [d for _, d in buttons(reply)]
    assert {"v:always_on_facebook:1", "v:always_on_facebook:0", "list", "src"} <= set(data)
    assert any("start%3Dalways_on_facebook" in d for d in data)


async def test_an_english_question_gets_the_english_rebuttal(bot: Running,
                                                             api: FakeBotApi) -> None:
    api.send_text(chat(BOB), BOB, "how much does a social media manager earn?")
    (reply,) = await bot.replies(1002)
    assert reply["text"].startswith("Cliché: How much does an SMM earn?")
    assert "In 2015" in reply["text"]


async def test_start_welcomes_in_the_users_telegram_language(bot: Running,
                                                             api: FakeBotApi) -> None:
    api.send_text(chat(BOB), BOB, "/start")
    (reply,) = await bot.replies(1002)
    assert reply["text"].startswith("Hi! I bust the clichés")
    assert len(buttons(reply)) == len(bot.state.live.matcher.content.myths)


async def test_lang_overrides_the_language_of_answers(bot: Running, api: FakeBotApi) -> None:
    api.send_text(chat(ALICE), ALICE, "/lang en")
    await bot.replies(1001, 1)
    api.send_text(chat(ALICE), ALICE, "combien gagne un community manager ?")
    replies = await bot.replies(1001, 2)
    assert replies[0]["text"] == "Saved."
    assert replies[1]["text"].startswith("Cliché: How much does an SMM earn?")


async def test_lang_with_a_bad_argument_gets_the_usage(bot: Running, api: FakeBotApi) -> None:
    api.send_text(chat(ALICE), ALICE, "/lang klingon")
    (reply,) = await bot.replies(1001)
    assert reply["text"] == "Usage : /lang auto|fr|en"


async def test_myths_buttons_open_a_rebuttal(bot: Running, api: FakeBotApi) -> None:
    api.send_text(chat(BOB), BOB, "/myths")
    (menu,) = await bot.replies(1002)
    assert ("How much does an SMM earn?", "m:salary") in buttons(menu)
    query_id = api.press_button(BOB, menu, "m:salary")
    replies = await bot.replies(1002, 2)
    assert replies[1]["text"].startswith("Cliché: How much does an SMM earn?")
    await api.wait_for(lambda: query_id in api.callback_answers)


async def test_sources_name_the_two_articles(bot: Running, api: FakeBotApi) -> None:
    api.send_text(chat(ALICE), ALICE, "/sources")
    (reply,) = await bot.replies(1001)
    assert "Top 5 : les clichés" in reply["text"] and "selon Google" in reply["text"]


async def test_unrecognised_text_gets_the_help_and_is_kept_for_editors(
        bot: Running, api: FakeBotApi, tmp_path: Path) -> None:
    api.send_text(chat(ALICE), ALICE, "quelle heure est-il à Tokyo ?")
    (reply,) = await bot.replies(1001)
    assert reply["text"].startswith("Je n'ai pas reconnu de cliché")
    await bot.inbox.idle()  # the miss is kept after the reply is sent
    assert [m.text for m in bot.state.store.misses()] == ["quelle heure est-il à Tokyo ?"]


async def test_close_intents_are_offered_as_buttons(api: FakeBotApi, tmp_path: Path,
                                                    make_content: MakeContent) -> None:
    folder = make_content({
        "alpha": {"fr": ["le smm gere les pages", "alpha unique"], "en": ["alpha", "a only"]},
        "beta": {"fr": ["le smm gere les likes", "beta unique"], "en": ["beta", "b only"]},
    })
    async with running_bot(api, tmp_path / "b.sqlite3", content=folder) as bot:
        api.send_text(chat(ALICE), ALICE, "le smm gère")
        (question,) = await bot.replies(1001)
        assert question["text"].endswith("Tu parles de quel cliché ?")
        assert sorted(d for _, d in buttons(question)) == ["m:alpha", "m:beta"]
        api.press_button(ALICE, question, "m:beta")
        replies = await bot.replies(1001, 2)
        assert replies[1]["text"].startswith("Cliché : Titre beta")


async def test_top5_edits_one_message_up_to_the_unfinished_fifth_point(
        bot: Running, api: FakeBotApi) -> None:
    api.send_text(chat(ALICE), ALICE, "/top5")
    (message,) = await bot.replies(1001)
    for step in range(2, 6):
        api.press_button(ALICE, api.message(1001, message["message_id"]), f"t5:{step}")
        await api.wait_for(lambda s=step: f"({s}/5)" in api.message(1001, message["message_id"])
                           ["text"])
    final = api.message(1001, message["message_id"])
    assert "cinquième point" in final["text"] and not buttons(final)
    assert len([m for m in api.calls_to("sendMessage")]) == 1


async def test_votes_are_counted_once_per_user_and_can_change(bot: Running,
                                                              api: FakeBotApi) -> None:
    api.send_text(chat(ALICE), ALICE, "il faut quel diplome pour devenir smm")
    (reply,) = await bot.replies(1001)
    for vote in ("v:training:1", "v:training:1", "v:training:0"):
        api.press_button(ALICE, reply, vote)
    await api.wait_for(lambda: len(api.callback_answers) == 3)
    await bot.inbox.idle()  # votes are counted after the answer
    (row,) = [r for r in bot.state.store.stats() if r.intent == "training"]
    assert (row.answers, row.helpful, row.not_helpful) == (1, 0, 1)


async def test_deep_link_opens_the_named_myth(bot: Running, api: FakeBotApi) -> None:
    api.send_text(chat(BOB), BOB, "/start digital_helpdesk")
    (reply,) = await bot.replies(1002)
    assert "digital" in reply["text"].lower() and reply["text"].startswith("Cliché:")


async def test_odd_updates_are_ignored_or_answered_gracefully(bot: Running,
                                                              api: FakeBotApi) -> None:
    message = api.send_text(chat(ALICE), ALICE, "bonjour")
    await bot.replies(1001, 1)
    api.edit_text(message, "le smm passe ses journées sur facebook")
    api.send_text(chat(OTHER_BOT), OTHER_BOT, "le smm passe ses journées sur facebook")
    api.sticker(chat(ALICE), ALICE)
    api.send_text(chat(BOB), BOB, "x" * 4000)
    api.send_text(chat(BOB), BOB, '<b>smm</b> & <script>alert("x")</script> < facebook')
    await api.wait_idle()
    assert bot.texts(1003) == []  # the other bot
    texts = bot.texts(1001)
    assert len(texts) == 2 and texts[1].startswith("Je ne lis que le texte")  # edit ignored
    assert len(bot.texts(1002)) == 2  # huge and HTML-looking texts both answered
    assert all(call.ok for call in api.calls_to("sendMessage"))


async def test_a_user_flooding_the_bot_gets_one_notice(bot: Running, api: FakeBotApi) -> None:
    for i in range(20):
        api.send_text(chat(ALICE), ALICE, f"combien gagne un smm {i}")
    await api.wait_idle()
    texts = bot.texts(1001)
    assert len(texts) == 9
    assert sum(t.startswith("Doucement") for t in texts) == 1


async def test_misses_are_not_kept_when_turned_off(api: FakeBotApi, tmp_path: Path,
                                                   shipped_live: LiveContent) -> None:
    async with running_bot(api, tmp_path / "m.sqlite3", keep_misses=False,
                           live=shipped_live) as bot:
        api.send_text(chat(ALICE), ALICE, "quelle heure est-il à Tokyo ?")
        await bot.replies(1001)
        await bot.inbox.idle()
    assert Store(tmp_path / "m.sqlite3").misses() == []


async def test_a_user_who_keeps_flooding_is_answered_again_once_the_window_has_passed(
        api: FakeBotApi, tmp_path: Path, shipped_live: LiveContent) -> None:
    now = [1000.0]
    async with running_bot(api, tmp_path / "f.sqlite3", clock=lambda: now[0],
                           live=shipped_live) as bot:
        for i in range(9):  # 8 answers and the notice
            api.send_text(chat(ALICE), ALICE, f"combien gagne un smm {i}")
        await bot.replies(1001, 9)
        now[0] += 10
        for i in range(8):  # still flooding: dropped, without pushing the silence further
            api.send_text(chat(ALICE), ALICE, f"et maintenant {i}")
        await api.wait_idle()
        await bot.inbox.idle()
        assert len(bot.texts(1001)) == 9
        now[0] += 11  # 21 s after the first burst, 11 s after the dropped ones
        api.send_text(chat(ALICE), ALICE, "combien gagne un social media manager ?")
        replies = await bot.replies(1001, 10)
        assert replies[9]["text"].startswith("Cliché : Combien gagne un SMM ?")


@pytest.mark.parametrize("data", ["t5:²", "t5:٣", "t5:"],
                         ids=["superscript", "arabic-indic", "empty"])
async def test_a_forged_top5_button_is_answered_as_expired(
        bot: Running, api: FakeBotApi, caplog: pytest.LogCaptureFixture, data: str) -> None:
    api.send_text(chat(ALICE), ALICE, "/top5")
    (message,) = await bot.replies(1001)
    query_id = api.press_button(ALICE, message, data, check=False)
    await api.wait_for(lambda: query_id in api.callback_answers)
    assert api.callback_answers[query_id].get("text") == "Ce bouton n'est plus valable."
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
