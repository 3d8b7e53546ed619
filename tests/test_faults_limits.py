"""The limits hold whichever way the bot is made to speak: `/start <myth>` in a group obeys
the cooldown and the per-minute cap, `/ask` in private counts for the flood limit, a demoted
admin is refused at once even where Telegram does not tell the bot, and every button press
is answered, inline cards' too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_bot_api import FakeBotApi
from tests.harness import Running, running_bot

ADMIN = FakeBotApi.user(2101, "Admin", language_code="fr")
MEMBER = FakeBotApi.user(2102, "Member", language_code="fr")
ALICE = FakeBotApi.user(2103, "Alice", language_code="fr")
GROUP = FakeBotApi.group(-100_777, "Les SMM de Nantes")


@pytest.fixture
async def bot(api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Running]:
    api.set_admins(GROUP["id"], [ADMIN["id"]])  # the bot is not an admin there
    async with running_bot(api, tmp_path / "bot.sqlite3") as running:
        yield running


async def settled(bot: Running, api: FakeBotApi) -> None:
    await api.wait_idle()
    await bot.inbox.idle()


async def test_start_with_a_myth_in_a_group_obeys_the_cooldown(bot: Running,
                                                                api: FakeBotApi) -> None:
    for _ in range(3):
        api.send_text(GROUP, MEMBER, "/start salary")
    await settled(bot, api)
    texts = bot.texts(GROUP["id"])
    assert len(texts) == 1 and texts[0].startswith("Cliché : Combien gagne un SMM ?")


async def test_start_with_myths_in_a_group_obeys_the_per_minute_cap(bot: Running,
                                                                     api: FakeBotApi) -> None:
    myths = ["salary", "training", "diplomacy", "smm_vs_cm", "customer_service",
             "anyone_can_do_it", "always_on_facebook"]  # seven different myths
    for myth in myths:
        api.send_text(GROUP, MEMBER, f"/start {myth}")
    await settled(bot, api)
    texts = bot.texts(GROUP["id"])
    assert len(texts) == 4 and all(t.startswith("Cliché") for t in texts)


async def test_ask_in_private_counts_for_the_flood_limit(bot: Running,
                                                         api: FakeBotApi) -> None:
    for i in range(12):
        api.send_text(FakeBotApi.private_chat(ALICE), ALICE, f"/ask combien gagne un smm {i}")
    await settled(bot, api)
    texts = bot.texts(ALICE["id"])
    assert len(texts) == 9  # 8 answers, then one notice, then silence
    assert sum(t.startswith("Doucement") for t in texts) == 1


async def test_a_demoted_admin_is_refused_at_once_where_the_bot_is_not_admin(
        bot: Running, api: FakeBotApi) -> None:
    api.send_text(GROUP, ADMIN, "/cooldown 5")
    await bot.replies(GROUP["id"])  # the admin list is now cached, for two minutes
    for user, promoted in ((ADMIN, False), (MEMBER, True)):
        api.change_admin(GROUP, user, promoted=promoted)  # unknown to a bot that is no admin
    for user, change in ((ADMIN, "/cooldown 33"), (MEMBER, "/lang en")):
        api.send_text(GROUP, user, change)
    replies = [m["text"] for m in await bot.replies(GROUP["id"], 3)]
    assert replies[1:] == ["Seuls les admins du groupe peuvent changer ce réglage.", "Saved."]
    settings = bot.state.store.chat_settings(GROUP["id"])
    assert (settings.cooldown_minutes, settings.lang) == (5, "en")
    asked = [c.params["user_id"] for c in api.calls_to("getChatMember")]
    assert [int(u) for u in asked] == [ADMIN["id"], ADMIN["id"], MEMBER["id"]]


async def test_a_vote_on_an_inline_card_is_answered_and_counted(bot: Running,
                                                                api: FakeBotApi) -> None:
    query = api.inline_query(ALICE, "salaire")
    await api.wait_for(lambda: query in api.inline_answers)
    chosen = api.chosen_inline_result(ALICE, "salary", "salaire", inline_query_id=query)
    card = {"inline_message_id": chosen["inline_message_id"]}
    pressed = [api.press_button(ALICE, card, vote, check=False)
               for vote in ("v:salary:1", "v:salary:0", "v:nothing:1")]
    await api.wait_for(lambda: all(p in api.callback_answers for p in pressed))
    answers = [api.callback_answers[p].get("text") for p in pressed]
    assert answers == ["Merci pour ton avis !", "Merci pour ton avis !",
                       "Ce bouton n'est plus valable."]
    await bot.settled()
    (row,) = [r for r in bot.state.store.stats() if r.chat_kind == "inline"]
    assert (row.intent, row.helpful, row.not_helpful) == ("salary", 0, 1)


@pytest.mark.parametrize("data", ["m:salary", "list", "src", "t5:2", "v:salary:1", "old:1"])
async def test_every_button_on_an_inline_card_is_answered(bot: Running, api: FakeBotApi,
                                                          data: str) -> None:
    query = api.inline_query(ALICE, "")
    await api.wait_for(lambda: query in api.inline_answers)
    chosen = api.chosen_inline_result(ALICE, "salary", "", inline_query_id=query)
    pressed = api.press_button(ALICE, {"inline_message_id": chosen["inline_message_id"]},
                               data, check=False)
    await api.wait_for(lambda: pressed in api.callback_answers)
