"""Checks of the fake Bot API server itself, driven by a real ``telegram.Bot``."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)

from tests.fake_bot_api import EntityParseError, FakeBotApi, parse_html

TOKEN = "123456:TEST-TOKEN"
ALICE = FakeBotApi.user(1001, "Alice")
BOB = FakeBotApi.user(1002, "Bob", language_code="en")
GROUP = FakeBotApi.group(-100_111, "Les CM")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(TOKEN) as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url) as client:
        yield client


def last_description(api: FakeBotApi) -> str | None:
    return api.calls[-1].description


# ----------------------------------------------------------------------------- basics


async def test_get_me(api: FakeBotApi, bot: Bot) -> None:
    assert bot.id == api.bot_id == 123456
    assert bot.username == "mythbot_test_bot"
    assert bot.bot.can_join_groups is True
    assert bot.bot.can_read_all_group_messages is False
    assert bot.bot.supports_inline_queries is True
    assert [c.method for c in api.calls] == ["getMe"]


async def test_wrong_token_and_unknown_method(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("654321:WRONG", base_url=api.base_url):
            pass
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendPigeon", api_kwargs={"chat_id": 1})


# ----------------------------------------------------------------------------- sendMessage


async def test_send_message(api: FakeBotApi, bot: Bot) -> None:
    api.add_chat(FakeBotApi.private_chat(ALICE))
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Oui", callback_data="yes")],
            [InlineKeyboardButton("Site", url="https://example.org")],
        ]
    )
    message = await bot.send_message(
        1001,
        "  <b>Mythe</b> n°1 &lt;3 &amp; &foo <a href='https://example.org/x'>lien</a> /start  ",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )
    assert message.text == "Mythe n°1 <3 & &foo lien /start"
    assert message.from_user is not None and message.from_user.id == api.bot_id
    assert message.reply_markup == keyboard
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 5),
        ("text_link", 20, 4),
        ("bot_command", 25, 6),
    ]
    [sent] = api.sent(1001)
    assert sent["message_id"] == message.message_id
    assert api.message(1001, message.message_id) == sent


async def test_reply_parameters(api: FakeBotApi, bot: Bot) -> None:
    question = api.send_text(FakeBotApi.private_chat(ALICE), ALICE, "Vrai ou faux ?")
    answer = await bot.send_message(
        1001, "Faux !", reply_parameters=ReplyParameters(question["message_id"])
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "Vrai ou faux ?"
    with pytest.raises(BadRequest):
        await bot.send_message(1001, "?", reply_parameters=ReplyParameters(999))
    assert last_description(api) == "Bad Request: message to be replied not found"
    lenient = await bot.send_message(
        1001, "!", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert lenient.reply_to_message is None


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<p>salut</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>gras", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("é<b>x</b><i>y", 'Can\'t find end tag corresponding to start tag "i"'),
    ],
)
async def test_send_message_rejects_bad_html(
    api: FakeBotApi, bot: Bot, html: str, error: str
) -> None:
    api.add_chat(FakeBotApi.private_chat(ALICE))
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(1001, html, parse_mode=ParseMode.HTML)
    assert last_description(api) == f"Bad Request: can't parse entities: {error}"
    assert api.sent() == []


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("   \n ", None, "Bad Request: message text is empty"),
        ("<b> </b>", ParseMode.HTML, "Bad Request: message text is empty"),
        ("x" * 4097, None, "Bad Request: message is too long"),
        ("<b>" + "é" * 4097 + "</b>", ParseMode.HTML, "Bad Request: message is too long"),
    ],
)
async def test_send_message_rejects_empty_and_long(
    api: FakeBotApi, bot: Bot, text: str, parse_mode: str | None, error: str
) -> None:
    api.add_chat(FakeBotApi.private_chat(ALICE))
    with pytest.raises(BadRequest):
        await bot.send_message(1001, text, parse_mode=parse_mode)
    assert last_description(api) == error


async def test_length_counts_text_after_parsing(api: FakeBotApi, bot: Bot) -> None:
    api.add_chat(FakeBotApi.private_chat(ALICE))
    message = await bot.send_message(
        1001, "<i>" + "&amp;" * 4096 + "</i>", parse_mode=ParseMode.HTML
    )
    assert message.text == "&" * 4096


async def test_send_message_other_rejections(api: FakeBotApi, bot: Bot) -> None:
    api.add_chat(FakeBotApi.private_chat(ALICE))
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="é" * 33)]])
    with pytest.raises(BadRequest):
        await bot.send_message(1001, "x", reply_markup=too_long)
    assert last_description(api) == "Bad Request: BUTTON_DATA_INVALID"
    with pytest.raises(BadRequest):
        await bot.send_message(4242, "x")
    assert last_description(api) == "Bad Request: chat not found"
    assert api.sent() == []


# ----------------------------------------------------------------------------- scripting


async def test_scripted_failures(api: FakeBotApi, bot: Bot) -> None:
    api.add_chat(FakeBotApi.private_chat(ALICE))
    api.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1001, "x")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    assert last_description(api) == "Too Many Requests: retry after 3"

    api.fail_next("sendMessage", status=502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(1001, "x")
    api.fail_next("sendMessage", status=403)
    with pytest.raises(Forbidden):
        await bot.send_message(1001, "x")

    await bot.send_message(1001, "enfin")
    assert api.texts() == ["enfin"]
    assert [c.ok for c in api.calls_to("sendMessage")] == [False, False, False, False, True]


async def test_going_down_refuses_connections_until_coming_back(api: FakeBotApi,
                                                                bot: Bot) -> None:
    api.add_chat(FakeBotApi.private_chat(ALICE))
    await bot.send_message(1001, "avant")
    await api.go_down()
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(1001, "pendant")
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    await api.come_back()
    await bot.send_message(1001, "après")
    assert api.texts(1001) == ["avant", "après"]


async def test_going_down_cuts_the_requests_in_flight(api: FakeBotApi, bot: Bot) -> None:
    api.add_chat(FakeBotApi.private_chat(ALICE))
    api.set_delay("sendMessage", 5)
    send = asyncio.create_task(bot.send_message(1001, "posté, réponse perdue"))
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for(lambda: api.polls_waiting == 1 and len(api.sent()) == 1, timeout=2)
    await api.go_down()
    for task in (send, poll):
        with pytest.raises(NetworkError) as caught:
            await asyncio.wait_for(task, 2)  # at once, not after the delay or the poll
        assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError | httpx.ReadError)
    assert api.texts(1001) == ["posté, réponse perdue"]


async def test_malformed_bodies_are_bad_requests(api: FakeBotApi) -> None:
    async with httpx.AsyncClient(base_url=f"{api.base_url}{TOKEN}/") as client:
        response = await client.post("sendMessage", content=b"{not json",
                                     headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert response.json()["description"] == "Bad Request: can't parse JSON encoded request"
        response = await client.post("sendMessage", content=b"chat_id=1001&text=%2042%20",
                                     headers={"Content-Type":
                                              "application/x-www-form-urlencoded"})
        assert response.json()["description"] == "Bad Request: chat not found"
    assert api.calls_to("sendMessage")[-1].params == {"chat_id": 1001, "text": " 42 "}


async def test_a_client_giving_up_a_long_poll_is_not_answered(api: FakeBotApi,
                                                              bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for(lambda: api.polls_waiting == 1, timeout=2)
    poll.cancel()  # PTB stopping: httpx closes the connection
    await api.wait_for(lambda: api.polls_waiting == 0, timeout=2)
    api.send_text(FakeBotApi.private_chat(ALICE), ALICE, "gardé pour le suivant")
    await asyncio.sleep(0.1)
    assert api.calls_to("getUpdates") == [] and api.pending_updates == 1


@pytest.mark.parametrize(("after_effect", "texts"), [(True, ["x"]), (False, [])],
                         ids=["answer-lost", "request-dropped"])
async def test_a_cut_connection_gives_no_answer(api: FakeBotApi, bot: Bot, after_effect: bool,
                                                texts: list[str]) -> None:
    api.add_chat(FakeBotApi.private_chat(ALICE))
    api.cut_connection("sendMessage", after_effect=after_effect)
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(1001, "x")
    assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError | httpx.ReadError)
    assert api.texts(1001) == texts and api.dropped_connections == 1


async def test_admin_changes_reach_an_admin_bot_as_chat_member_updates(api: FakeBotApi,
                                                                       bot: Bot) -> None:
    api.add_chat(GROUP)
    api.set_admins(GROUP["id"], [ALICE["id"]])
    api.change_admin(GROUP, BOB, promoted=True)  # the bot is no admin: Telegram says nothing
    api.set_admins(GROUP["id"], [ALICE["id"], BOB["id"]], bot_is_admin=True)
    await bot.get_updates(allowed_updates=["chat_member"])
    api.change_admin(GROUP, BOB, promoted=False)
    (update,) = await bot.get_updates(allowed_updates=["chat_member"])
    assert update.chat_member is not None
    assert update.chat_member.new_chat_member.status == ChatMemberStatus.MEMBER
    assert [a.user.id for a in await bot.get_chat_administrators(GROUP["id"])] == [
        ALICE["id"], api.bot_id]


async def test_kick_bot(api: FakeBotApi, bot: Bot) -> None:
    api.add_chat(GROUP)
    await bot.send_message(GROUP["id"], "avant")
    api.kick_bot(GROUP["id"])
    with pytest.raises(Forbidden):
        await bot.send_message(GROUP["id"], "après")
    assert last_description(api) == "Forbidden: bot was kicked from the supergroup chat"
    [update] = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == ChatMemberStatus.BANNED


async def test_delay_holds_the_answer(api: FakeBotApi, bot: Bot) -> None:
    api.add_chat(FakeBotApi.private_chat(ALICE))
    api.set_delay("sendMessage", 0.2)
    task = asyncio.create_task(bot.send_message(1001, "lent"))
    await api.wait_for_messages(1, chat_id=1001, timeout=2)
    assert not task.done()  # the message exists, the answer is still on its way
    await task


# ----------------------------------------------------------------------------- getUpdates


async def test_get_updates_offset(api: FakeBotApi, bot: Bot) -> None:
    chat = FakeBotApi.private_chat(ALICE)
    first = api.send_text(chat, ALICE, "/start")
    api.send_text(chat, ALICE, "salut @mythbot_test_bot")
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [1, 2]
    assert updates[0].message is not None and updates[0].message.text == "/start"
    assert updates[0].message.message_id == first["message_id"]
    assert [e.type for e in updates[0].message.entities] == ["bot_command"]
    assert [e.type for e in updates[1].message.entities] == ["mention"]  # type: ignore[union-attr]
    assert len(await bot.get_updates(limit=1)) == 1
    assert api.pending_updates == 2  # nothing confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=2)] == [2]
    assert await bot.get_updates(offset=3) == ()
    assert api.pending_updates == 0


async def test_long_poll_returns_a_pushed_update(api: FakeBotApi, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for(lambda: api.polls_waiting == 1, timeout=2)
    query_id = api.inline_query(BOB, "mythe")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.inline_query.id for u in updates if u.inline_query] == [query_id]


async def test_second_poller_conflicts(api: FakeBotApi, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for(lambda: api.polls_waiting == 1, timeout=2)
    async with Bot(TOKEN, base_url=api.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict):
        await asyncio.wait_for(poll, 2)


async def test_allowed_updates_filter(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(FakeBotApi.private_chat(ALICE), ALICE, "texte")
    api.inline_query(ALICE, "q")
    updates = await bot.get_updates(allowed_updates=[Update.INLINE_QUERY])
    assert [u.inline_query is not None for u in updates] == [True]


# ----------------------------------------------------------------------------- chats


async def test_admins(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(GROUP, ALICE, "/start")
    api.set_admins(GROUP["id"], [1001, 1002], anonymous=[1002])
    admins = await bot.get_chat_administrators(GROUP["id"])
    assert [(a.user.id, a.status) for a in admins] == [
        (1001, ChatMemberStatus.OWNER),
        (1002, ChatMemberStatus.ADMINISTRATOR),
    ]
    assert admins[0].user.first_name == "Alice"
    bob = await bot.get_chat_member(GROUP["id"], 1002)
    assert bob.status == ChatMemberStatus.ADMINISTRATOR and bob.is_anonymous  # type: ignore[attr-defined]
    assert (await bot.get_chat_member(GROUP["id"], 1003)).status == ChatMemberStatus.LEFT
    assert (await bot.get_chat_member(GROUP["id"], api.bot_id)).status == ChatMemberStatus.MEMBER

    api.set_admins(GROUP["id"], [1001], bot_is_admin=True)
    me = await bot.get_chat_member(GROUP["id"], api.bot_id)
    assert me.status == ChatMemberStatus.ADMINISTRATOR
    chat = await bot.get_chat(GROUP["id"])
    assert chat.title == "Les CM"
    with pytest.raises(BadRequest):
        await bot.get_chat_administrators(1001)
    assert last_description(api) == "Bad Request: chat not found"


async def test_privacy_mode(api: FakeBotApi, bot: Bot) -> None:
    api.send_text(GROUP, ALICE, "bonjour à tous")
    api.send_text(GROUP, ALICE, "/start@other_bot")
    api.send_text(GROUP, ALICE, "/aide@mythbot_test_bot")
    api.send_text(GROUP, ALICE, "hé @mythbot_test_bot")
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == [
        "/aide@mythbot_test_bot",
        "hé @mythbot_test_bot",
    ]
    assert [m["text"] for m in api.undelivered] == ["bonjour à tous", "/start@other_bot"]


# ----------------------------------------------------------------------------- edits, callbacks


async def test_edit_and_callback(api: FakeBotApi, bot: Bot) -> None:
    chat = FakeBotApi.private_chat(ALICE)
    api.add_chat(chat)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Vrai", callback_data="q1:true")]])
    message = await bot.send_message(
        1001, "<b>Q1</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )
    stored = api.sent(1001)[0]

    query_id = api.press_button(ALICE, stored, "q1:true")
    [update] = await bot.get_updates()
    assert update.callback_query is not None and update.callback_query.data == "q1:true"
    assert await bot.answer_callback_query(query_id, text="Noté")
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(query_id)
    assert last_description(api) == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await message.edit_text("<b>Q1</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard)
    edited = await message.edit_text("Q1 : vrai !")  # no reply_markup: the keyboard goes
    assert isinstance(edited, type(message)) and edited.reply_markup is None
    assert api.texts(1001) == ["Q1", "Q1 : vrai !"]
    with pytest.raises(ValueError, match="no button"):
        api.press_button(ALICE, stored, "q1:true")

    assert await message.delete()
    with pytest.raises(BadRequest):
        await bot.edit_message_text("x", chat_id=1001, message_id=message.message_id)
    assert last_description(api) == "Bad Request: message to edit not found"


async def test_inline_answers(api: FakeBotApi, bot: Bot) -> None:
    def article(result_id: str, text: str) -> InlineQueryResultArticle:
        content = InputTextMessageContent(text, parse_mode=ParseMode.HTML)
        return InlineQueryResultArticle(result_id, "titre", content)

    query_id = api.inline_query(BOB, "mythe")
    with pytest.raises(BadRequest):
        await bot.answer_inline_query(query_id, [article("a", "x"), article("a", "y")])
    assert last_description(api) == "Bad Request: RESULT_ID_DUPLICATE"
    with pytest.raises(BadRequest):
        await bot.answer_inline_query(query_id, [article(str(i), "x") for i in range(51)])
    assert last_description(api) == "Bad Request: RESULTS_TOO_MUCH"
    with pytest.raises(BadRequest):
        await bot.answer_inline_query(query_id, [article("a", "<u>x")])
    assert last_description(api) == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"u\""
    )
    assert await bot.answer_inline_query(query_id, [article("a", "<u>x</u>")], cache_time=0)
    assert api.inline_answers[query_id]["cache_time"] == 0
    with pytest.raises(BadRequest):
        await bot.answer_inline_query(query_id, [article("a", "x")])


async def test_update_builders_parse_in_ptb(api: FakeBotApi, bot: Bot) -> None:
    private = FakeBotApi.private_chat(ALICE)
    channel = FakeBotApi.channel(-100_222, "Veille", username="veille_cm")
    first = api.send_text(private, ALICE, "premier jet")
    api.edit_text(first, "version finale")
    api.sticker(private, ALICE, emoji="🔥")
    api.new_members(GROUP, ALICE, [BOB, api.bot_user])
    api.left_member(GROUP, BOB)
    api.channel_post(channel, "#veille du jour")
    api.chosen_inline_result(BOB, "r1", "mythe")
    updates = await bot.get_updates()
    _, edited, sticker, joined, left, post, chosen = updates
    assert edited.edited_message is not None and edited.edited_message.text == "version finale"
    assert edited.edited_message.message_id == first["message_id"]
    assert sticker.message is not None and sticker.message.sticker is not None
    assert joined.message is not None
    assert [u.id for u in joined.message.new_chat_members] == [1002, api.bot_id]
    assert left.message is not None and left.message.left_chat_member is not None
    assert post.channel_post is not None and post.channel_post.sender_chat is not None
    assert [e.type for e in post.channel_post.entities] == ["hashtag"]
    assert chosen.chosen_inline_result is not None
    assert chosen.chosen_inline_result.result_id == "r1"
    assert (await bot.get_chat_member(GROUP["id"], 1002)).status == ChatMemberStatus.LEFT
    assert (await bot.get_chat("@veille_cm")).id == -100_222


async def test_inline_message_edit(api: FakeBotApi, bot: Bot) -> None:
    query_id = api.inline_query(BOB, "mythe")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Voir", callback_data="see")]])
    result = InlineQueryResultArticle(
        "m1",
        "Mythe",
        InputTextMessageContent("<i>Mythe</i>", parse_mode="HTML"),
        reply_markup=keyboard,
    )
    assert await bot.answer_inline_query(query_id, [result])
    chosen = api.chosen_inline_result(BOB, "m1", "mythe", inline_query_id=query_id)
    inline_id = chosen["inline_message_id"]
    assert api.inline_message(inline_id)["text"] == "Mythe"  # type: ignore[index]
    api.press_button(BOB, {"inline_message_id": inline_id}, "see")
    assert await bot.edit_message_text("Réalité", inline_message_id=inline_id) is True
    assert api.sent()[-1]["inline_message_id"] == inline_id
    assert api.sent()[-1]["text"] == "Réalité"
    with pytest.raises(BadRequest):
        await bot.edit_message_text("Réalité", inline_message_id=inline_id)


async def test_wait_for_times_out_with_a_dump(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(AssertionError, match=r"expected 1 sent message\(s\)[\s\S]*getMe"):
        await api.wait_for_messages(1, timeout=0.05)


# ----------------------------------------------------------------------------- parser


def test_parse_html_entities() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre>'
        "<blockquote expandable>cité</blockquote>😀<tg-spoiler>s</tg-spoiler>&#x1F600;"
    )
    assert text == "x = 1cité😀s😀"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "expandable_blockquote", "offset": 5, "length": 4},
        {"type": "spoiler", "offset": 11, "length": 1},
    ]
    with pytest.raises(EntityParseError, match="surrogate"):
        parse_html("&#xD800;")


