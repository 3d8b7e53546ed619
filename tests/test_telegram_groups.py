"""Groups: never spam, answer when addressed, admins (only) change settings. The real
Application against an in-memory Bot API (tests/inprocess.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.live import LiveContent
from tests.fake_bot_api import FakeBotApi
from tests.harness import Running, running_bot
from tests.inprocess import InMemoryBotApi

pytestmark = pytest.mark.in_memory

ADMIN = FakeBotApi.user(2001, "Admin", language_code="fr")
MEMBER = FakeBotApi.user(2002, "Member", language_code="fr")
GROUP = FakeBotApi.group(-100_500, "Les CM de Lyon")
BOT = "@mythbot_test_bot"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    # Privacy mode off: plain chatter reaches the bot, which must still stay quiet.
    async with InMemoryBotApi(can_read_all_group_messages=True) as server:
        server.set_admins(GROUP["id"], [ADMIN["id"]])
        yield server


@pytest.fixture
async def bot(api: FakeBotApi, tmp_path: Path,
              shipped_live: LiveContent) -> AsyncIterator[Running]:
    async with running_bot(api, tmp_path / "bot.sqlite3", live=shipped_live) as running:
        yield running


async def set_mode(api: FakeBotApi, bot: Running, mode: str) -> None:
    before = len(bot.texts(GROUP["id"]))
    api.send_text(GROUP, ADMIN, f"/mode {mode}")
    await bot.replies(GROUP["id"], before + 1)


async def test_group_chatter_is_not_answered_in_mention_mode(bot: Running,
                                                             api: FakeBotApi) -> None:
    api.send_text(GROUP, MEMBER, "le smm passe ses journées sur facebook")
    api.send_text(GROUP, MEMBER, "je suis sur facebook ce soir")
    await api.wait_idle()
    assert bot.texts(GROUP["id"]) == []


async def test_a_mention_is_answered_in_reply_to_the_message(bot: Running,
                                                             api: FakeBotApi) -> None:
    asked = api.send_text(GROUP, MEMBER, f"{BOT} combien gagne un community manager ?")
    (reply,) = await bot.replies(GROUP["id"])
    assert reply["text"].startswith("Cliché : Combien gagne un SMM ?")
    assert reply["reply_to_message"]["message_id"] == asked["message_id"]


async def test_a_reply_to_the_bot_is_answered(bot: Running, api: FakeBotApi) -> None:
    api.send_text(GROUP, MEMBER, "/ask le smm passe ses journées sur facebook")
    (first,) = await bot.replies(GROUP["id"])
    api.send_text(GROUP, MEMBER, "et il faut quel diplôme pour devenir smm ?", reply_to=first)
    replies = await bot.replies(GROUP["id"], 2)
    # the training myth itself, in reply to the question (not any text with a keyword)
    assert replies[1]["text"].startswith(
        "Cliché : Quel diplôme ou quelle formation pour devenir SMM ?")
    assert replies[1]["reply_to_message"]["text"].startswith("et il faut quel diplôme")


async def test_ask_works_with_privacy_mode_on(tmp_path: Path, shipped_live: LiveContent) -> None:
    async with InMemoryBotApi() as api, running_bot(api, tmp_path / "p.sqlite3",
                                                    live=shipped_live) as bot:
        api.send_text(GROUP, MEMBER, "le smm passe ses journées sur facebook")
        api.send_text(GROUP, MEMBER, f"/ask@mythbot_test_bot {BOT} how much does an SMM earn?")
        (reply,) = await bot.replies(GROUP["id"])
        assert reply["text"].startswith("Cliché: How much does an SMM earn?")
        assert len(api.undelivered) == 1  # Telegram kept the chatter from the bot


async def test_ask_without_a_question_shows_the_usage(bot: Running, api: FakeBotApi) -> None:
    api.send_text(GROUP, MEMBER, "/ask")
    (reply,) = await bot.replies(GROUP["id"])
    assert reply["text"].startswith("Usage : /ask ta question")


async def test_a_member_cannot_change_the_mode_an_admin_can(bot: Running,
                                                            api: FakeBotApi) -> None:
    api.send_text(GROUP, MEMBER, "/mode auto")
    (refusal,) = await bot.replies(GROUP["id"])
    assert refusal["text"] == "Seuls les admins du groupe peuvent changer ce réglage."
    assert bot.state.store.chat_settings(GROUP["id"]).mode == "mention"
    api.send_text(GROUP, ADMIN, "/mode auto")
    await bot.replies(GROUP["id"], 2)
    assert bot.state.store.chat_settings(GROUP["id"]).mode == "auto"
    assert api.calls_to("getChatAdministrators")  # asked Telegram, not a local list


async def test_an_anonymous_admin_can_change_settings(bot: Running, api: FakeBotApi) -> None:
    api.send_text(GROUP, {"id": 1087968824, "is_bot": True, "first_name": "Group"},
                  "/cooldown 30", sender_chat=GROUP)
    (reply,) = await bot.replies(GROUP["id"])
    assert reply["text"] == "C'est noté."
    assert bot.state.store.chat_settings(GROUP["id"]).cooldown_minutes == 30


async def test_an_anonymous_admin_mentioning_the_bot_is_answered(bot: Running,
                                                                  api: FakeBotApi) -> None:
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                 "username": "GroupAnonymousBot"}
    api.send_text(GROUP, anonymous, f"{BOT} combien gagne un smm ?", sender_chat=GROUP)
    (reply,) = await bot.replies(GROUP["id"])
    assert reply["text"].startswith("Cliché : Combien gagne un SMM ?")


async def test_auto_mode_answers_a_cliche_and_ignores_a_near_miss(bot: Running,
                                                                  api: FakeBotApi) -> None:
    await set_mode(api, bot, "auto")
    cliche = api.send_text(GROUP, MEMBER, "franchement n'importe qui peut s'improviser smm")
    api.send_text(GROUP, MEMBER, "je suis sur facebook ce soir, tu viens ?")
    api.send_text(GROUP, MEMBER, "le top 5 des films de l'année est sorti")
    await api.wait_idle()
    replies = api.sent(GROUP["id"])
    assert len(replies) == 2
    assert replies[1]["text"].startswith("Cliché : N'importe qui peut s'improviser SMM")
    assert replies[1]["reply_to_message"]["message_id"] == cliche["message_id"]


async def test_a_question_to_the_bot_needs_no_topic_word_chatter_does(
        bot: Running, api: FakeBotApi) -> None:
    await set_mode(api, bot, "auto")
    # The cliché without the job's name: a guess in the middle of chatter, a question to the bot.
    text = "ma tante croit que je suis payée pour scroller facebook toute la journée"
    assert bot.state.live.matcher.gate.find(tuple(text.split())) is None
    api.send_text(GROUP, MEMBER, text)
    await api.wait_idle()
    assert len(bot.texts(GROUP["id"])) == 1  # only the "saved" line of /mode
    asked = api.send_text(GROUP, MEMBER, f"{BOT} {text}")
    replies = await bot.replies(GROUP["id"], 2)
    assert replies[1]["text"].startswith("Cliché : Le SMM passe ses journées sur Facebook")
    assert replies[1]["reply_to_message"]["message_id"] == asked["message_id"]


async def test_the_cooldown_keeps_a_myth_from_being_answered_twice(bot: Running,
                                                                    api: FakeBotApi) -> None:
    await set_mode(api, bot, "auto")
    for text in ("le smm passe ses journées sur facebook",
                 "les social media managers passent leur journée sur fb"):
        api.send_text(GROUP, MEMBER, text)
    await api.wait_idle()
    assert len(bot.texts(GROUP["id"])) == 2  # "saved" + one answer


async def test_auto_mode_without_reading_rights_says_what_to_do(
        tmp_path: Path, shipped_live: LiveContent) -> None:
    async with InMemoryBotApi() as api, running_bot(api, tmp_path / "r.sqlite3",
                                                    live=shipped_live) as bot:
        api.set_admins(GROUP["id"], [ADMIN["id"]])
        api.send_text(GROUP, ADMIN, "/mode auto")
        (reply,) = await bot.replies(GROUP["id"])
        assert "@BotFather" in reply["text"] and "/setprivacy" in reply["text"]
        assert "administrateur" in reply["text"]


async def test_settings_survive_a_restart(api: FakeBotApi, tmp_path: Path,
                                          shipped_live: LiveContent) -> None:
    db = tmp_path / "restart.sqlite3"
    async with running_bot(api, db, live=shipped_live) as bot:
        await set_mode(api, bot, "auto")
        api.send_text(GROUP, ADMIN, "/lang en")
        await bot.replies(GROUP["id"], 2)
    async with running_bot(api, db, live=shipped_live) as bot:
        before = len(bot.texts(GROUP["id"]))
        api.send_text(GROUP, MEMBER, "/settings")
        replies = await bot.replies(GROUP["id"], before + 1)
        assert "mode: auto" in replies[-1]["text"] and "language: en" in replies[-1]["text"]


async def test_joining_a_group_introduces_the_bot_once(bot: Running, api: FakeBotApi) -> None:
    rights = dict.fromkeys(
        ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
         "can_manage_video_chats", "can_restrict_members", "can_promote_members",
         "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
         "can_delete_stories"), False)

    def member(status: str) -> dict[str, object]:
        extra = rights if status == "administrator" else {}
        return {"status": status, "user": api.bot_user, **extra}

    def membership(old: str, new: str) -> None:
        api.push_update({"my_chat_member": {
            "chat": GROUP, "from": ADMIN, "date": int(time.time()),
            "old_chat_member": member(old), "new_chat_member": member(new)}})

    api.add_chat(GROUP)
    membership("left", "member")
    membership("member", "administrator")  # a promotion is not a new arrival
    await api.wait_idle()
    texts = bot.texts(GROUP["id"])
    assert len(texts) == 1 and texts[0].startswith("Bonjour ! Je démonte les clichés")


async def test_other_bots_edits_and_service_messages_are_ignored(bot: Running,
                                                                 api: FakeBotApi) -> None:
    await set_mode(api, bot, "auto")
    other = FakeBotApi.user(2009, "Otherbot", is_bot=True)
    api.send_text(GROUP, other, "le smm passe ses journées sur facebook")
    message = api.send_text(GROUP, MEMBER, "bonjour à tous")
    api.edit_text(message, "le smm passe ses journées sur facebook")
    api.new_members(GROUP, ADMIN, [FakeBotApi.user(2010, "Newcomer")])
    api.sticker(GROUP, MEMBER)
    await api.wait_idle()
    assert len(bot.texts(GROUP["id"])) == 1  # only "saved"


# --- admins, numbers and the per-minute cap -------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "٣", "1e3", "-5", "１０"],
                         ids=["superscript", "arabic-indic", "exponent", "negative", "fullwidth"])
async def test_a_cooldown_that_is_not_a_plain_number_gets_the_usage(
        bot: Running, api: FakeBotApi, caplog: pytest.LogCaptureFixture, raw: str) -> None:
    api.send_text(GROUP, ADMIN, f"/cooldown {raw}")
    (reply,) = await bot.replies(GROUP["id"])
    assert reply["text"].startswith("Usage")
    assert bot.state.store.chat_settings(GROUP["id"]).cooldown_minutes == 10
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_demoted_admin_is_refused_at_once_and_a_promoted_member_allowed(
        bot: Running, api: FakeBotApi) -> None:
    api.set_admins(GROUP["id"], [ADMIN["id"]], bot_is_admin=True)  # so Telegram tells it
    await set_mode(api, bot, "auto")  # the admin list is now cached
    api.change_admin(GROUP, ADMIN, promoted=False)
    api.change_admin(GROUP, MEMBER, promoted=True)
    api.send_text(GROUP, ADMIN, "/mode off")
    api.send_text(GROUP, MEMBER, "/mode mention")
    replies = await bot.replies(GROUP["id"], 3)
    assert replies[1]["text"] == "Seuls les admins du groupe peuvent changer ce réglage."
    assert replies[2]["text"] == "C'est noté."
    assert bot.state.store.chat_settings(GROUP["id"]).mode == "mention"


async def test_when_telegram_cannot_list_the_admins_the_user_is_asked_to_try_again(
        bot: Running, api: FakeBotApi) -> None:
    api.fail_next("getChatAdministrators", status=400, retry_after=None,
                  description="Bad Request: CHAT_ADMIN_REQUIRED")
    api.send_text(GROUP, ADMIN, "/mode auto")
    (reply,) = await bot.replies(GROUP["id"])
    assert reply["text"].startswith("Telegram ne m'a pas dit qui administre ce groupe")
    api.send_text(GROUP, ADMIN, "/mode auto")
    replies = await bot.replies(GROUP["id"], 2)
    assert replies[1]["text"] == "C'est noté."


async def test_asking_past_the_per_minute_cap_gets_one_short_notice(bot: Running,
                                                                   api: FakeBotApi) -> None:
    for n in range(7):
        api.send_text(GROUP, MEMBER, f"/ask combien gagne un smm ? ({n})")
    await api.wait_idle()
    await bot.inbox.idle()
    texts = bot.texts(GROUP["id"])
    assert sum(t.startswith("Cliché : Combien gagne") for t in texts) == 4
    assert texts[4] == "Je réponds déjà beaucoup ici : repose ta question dans une minute."
    assert len(texts) == 5
