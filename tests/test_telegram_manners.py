"""Manners in a private chat on Telegram: an unknown command is named with the closest one,
a thank-you gets a word back, not the list of myths."""

from __future__ import annotations

from tests.fake_bot_api import FakeBotApi
from tests.harness import Running, buttons

ALICE = FakeBotApi.user(1001, "Alice", language_code="fr")
BOB = FakeBotApi.user(1002, "Bob", language_code="en")


async def test_an_unknown_command_is_named_with_the_closest_one(bot: Running,
                                                                api: FakeBotApi) -> None:
    api.send_text(FakeBotApi.private_chat(BOB), BOB, "/mith")
    (reply,) = await bot.replies(1002)
    assert reply["text"].splitlines()[0] == "I don't know the command /mith. Did you mean /myths?"
    assert not buttons(reply)


async def test_a_thank_you_gets_a_word_back_not_the_myths(bot: Running, api: FakeBotApi) -> None:
    api.send_text(FakeBotApi.private_chat(ALICE), ALICE, "merci !")
    (reply,) = await bot.replies(1001)
    assert reply["text"].startswith("Avec plaisir !") and not buttons(reply)
