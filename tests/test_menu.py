"""The command menu Telegram shows: derived from the registered handlers, it must stay the
menu users know (order included), in both languages and both kinds of chat."""

from __future__ import annotations

import json

import pytest

from tests.fake_bot_api import FakeBotApi
from tests.harness import Running

PRIVATE = {
    "fr": [("myths", "Tous les mythes"), ("top5", "Le top 5 de l'article"),
           ("sources", "Les sources"), ("lang", "Langue : auto, fr ou en"), ("help", "Aide")],
    "": [("myths", "All the myths"), ("top5", "The article's top 5"),
         ("sources", "The sources"), ("lang", "Language: auto, fr or en"), ("help", "Help")],
}
GROUP = {
    "fr": [("ask", "Poser une question au bot"), ("myths", "Tous les mythes"),
           ("settings", "Réglages du groupe"), ("mode", "Admins : auto, mention ou off"),
           ("lang", "Admins : langue du groupe"), ("cooldown", "Admins : délai en minutes"),
           ("weekly", "Admins : mythe de la semaine")],
    "": [("ask", "Ask the bot a question"), ("myths", "All the myths"),
         ("settings", "Group settings"), ("mode", "Admins: auto, mention or off"),
         ("lang", "Admins: group language"), ("cooldown", "Admins: cooldown in minutes"),
         ("weekly", "Admins: myth of the week")],
}


@pytest.mark.parametrize(("scope", "menus"), [("default", PRIVATE),
                                              ("all_group_chats", GROUP)],
                         ids=["private", "groups"])
async def test_the_menu_lists_the_commands_in_order_in_each_language(
        bot: Running, api: FakeBotApi, scope: str, menus: dict[str, list[tuple[str, str]]]
) -> None:
    key = json.dumps({"type": scope}, sort_keys=True)
    for language, expected in menus.items():
        shown = [(c["command"], c["description"]) for c in api.commands[(key, language)]]
        assert shown == expected, language
