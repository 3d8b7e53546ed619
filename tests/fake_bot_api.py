"""A small local Telegram Bot API server for end-to-end tests.

The real :class:`telegram.ext.Application` talks to it over HTTP exactly as it talks to
``api.telegram.org``::

    async with FakeBotApi() as api:
        app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
        ...
        api.send_text(api.private_chat(alice), alice, "/start")
        [reply] = await api.wait_for_messages(1, chat_id=alice["id"])

Everything runs in the test's event loop: a tornado ``HTTPServer`` (tornado comes with PTB's
``webhooks`` extra) binds ``127.0.0.1`` on a free port and never touches the network; this
module only holds the world model and Telegram's rules.

Fidelity notes (what is modelled after the real Bot API / TDLib):

* URLs are ``{base_url}{token}/{method}``; method names are case-insensitive; a wrong token
  answers 401 ``Unauthorized``, an unknown method 404 ``Not Found``.
* Bodies may be ``application/x-www-form-urlencoded`` (what PTB sends: every non-string value
  JSON-encoded), ``multipart/form-data`` or ``application/json``.
* HTML ``parse_mode`` is parsed with a port of TDLib's ``parse_html`` and fails with the same
  descriptions (``Bad Request: can't parse entities: Unsupported start tag "p" at byte offset
  0``...). Like Telegram, an ``&`` that does not start a known entity (``&lt;`` ``&gt;``
  ``&amp;`` ``&quot;`` or a numeric one) is kept literally rather than rejected.
* Text is trimmed, then must be 1..4096 characters (code points), as TDLib checks.
* Privacy mode: unless ``can_read_all_group_messages`` or the bot is an admin of the group,
  :meth:`FakeBotApi.send_text` in a group only delivers commands (for this bot), mentions
  of the bot and replies to the bot's messages; the message is still stored in the chat.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import itertools
import json
import logging
import random
import re
import signal
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.httputil import HTTPServerRequest
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from bot.html import EntityParseError, parse_html, utf16_len

__all__ = ["ApiError", "Call", "EntityParseError", "FakeBotApi", "parse_html"]

JSONDict = dict[str, Any]

_LOGGER = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_CALLBACK_ANSWER_LENGTH = 200

DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)  # everything but chat_member, message_reaction and message_reaction_count

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Parameters that are plain strings in the Bot API: never JSON-decode them (PTB sends strings
# as they are, so a text "42" must stay "42").
_STRING_PARAMS = frozenset(
    {
        "action",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "custom_title",
        "description",
        "emoji",
        "first_name",
        "inline_message_id",
        "inline_query_id",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "query",
        "secret_token",
        "short_description",
        "switch_pm_parameter",
        "switch_pm_text",
        "text",
        "title",
        "url",
    }
)

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)

_DEFAULT_FAIL_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was kicked from the group chat",
    404: "Not Found",
    409: _CONFLICT_POLL,
    500: "Internal Server Error",
    502: "Bad Gateway",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class Call:
    """One request the server answered (or is answering, for delayed ones)."""

    method: str
    params: JSONDict
    ok: bool
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    at: float = field(default_factory=time.monotonic)

    def short(self) -> str:
        params = json.dumps(self.params, ensure_ascii=False, default=str)
        if len(params) > 300:
            params = params[:300] + "..."
        status = "ok" if self.ok else f"{self.error_code} {self.description}"
        return f"{self.method}({params}) -> {status}"


_MENTION_RE = re.compile(r"(?<!\w)@([A-Za-z0-9_]{2,32})(?![\w@])")
_COMMAND_RE = re.compile(r"(?<![\w/<>])/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{3,32}))?(?![\w/<>@])")
_HASHTAG_RE = re.compile(r"(?<!\w)#(\w{1,256})(?![\w#])")
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]'»]")


def detect_entities(text: str) -> list[JSONDict]:
    """The entities Telegram finds by itself: bot_command, mention, hashtag, url."""
    found: list[tuple[int, int, str]] = []
    for regex, kind in (
        (_COMMAND_RE, "bot_command"),
        (_MENTION_RE, "mention"),
        (_HASHTAG_RE, "hashtag"),
        (_URL_RE, "url"),
    ):
        for match in regex.finditer(text):
            if kind == "hashtag" and not any(ch.isalpha() for ch in match.group(1)):
                continue
            found.append((match.start(), match.end(), kind))
    found.sort()
    result: list[JSONDict] = []
    last_end = -1
    for start, end, kind in found:
        if start < last_end:
            continue  # overlapping (e.g. a mention inside a url)
        last_end = end
        offset = utf16_len(text[:start])
        result.append({"type": kind, "offset": offset, "length": utf16_len(text[start:end])})
    return result


def _merge_auto_entities(text: str, entities: list[JSONDict]) -> list[JSONDict]:
    blocking = [
        (e["offset"], e["offset"] + e["length"])
        for e in entities
        if e["type"] in ("code", "pre", "text_link", "text_mention")
    ]
    merged = list(entities)
    for auto in detect_entities(text):
        start, end = auto["offset"], auto["offset"] + auto["length"]
        if any(start < b_end and b_start < end for b_start, b_end in blocking):
            continue
        merged.append(auto)
    merged.sort(key=lambda e: (e["offset"], -e["length"]))
    return merged


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    stripped_left = text.lstrip()
    left = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip()
    total = utf16_len(result)
    fixed: list[JSONDict] = []
    for entity in entities:
        start = max(0, entity["offset"] - left)
        end = min(total, entity["offset"] + entity["length"] - left)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return result, fixed


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------

Handler = Callable[[JSONDict], Awaitable[Any]]

# whether the client of the request being answered hung up (set in each request's task)
_CLIENT_GONE: contextvars.ContextVar[Callable[[], bool]] = contextvars.ContextVar(
    "_CLIENT_GONE", default=lambda: False
)


class _ClientGone(Exception):
    """The client closed the connection while its request was pending."""


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    description: str | None
    times: int


@dataclass
class _Cut:
    after_effect: bool
    times: int


class FakeBotApi:
    """A scripted, observable Telegram Bot API for one bot."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        username: str = "mythbot_test_bot",
        first_name: str = "Mythbot",
        can_read_all_group_messages: bool = False,
        can_join_groups: bool = True,
        supports_inline_queries: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.username = username
        self.can_read_all_group_messages = can_read_all_group_messages
        self.can_join_groups = can_join_groups
        self.supports_inline_queries = supports_inline_queries
        self.host = host
        self.port = port
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSONDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }

        # observation
        self.calls: list[Call] = []
        self.callback_answers: dict[str, JSONDict] = {}
        self.inline_answers: dict[str, JSONDict] = {}
        self.deleted: list[tuple[int, int]] = []
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.undelivered: list[JSONDict] = []  # messages privacy mode kept from the bot
        self._sent: list[JSONDict] = []

        # world state
        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._messages: dict[int, dict[int, JSONDict]] = {}
        self._next_message_id: dict[int, int] = {}
        self._inline_messages: dict[str, JSONDict] = {}
        self._members: dict[int, set[int]] = {}
        self._left: dict[int, set[int]] = {}
        self._admins: dict[int, list[JSONDict]] = {}
        self._bot_admin: set[int] = set()
        self._kicked: set[int] = set()
        self._pending_callbacks: set[str] = set()
        self._pending_inline: set[str] = set()
        self._inline_results: dict[str, list[JSONDict]] = {}
        self._webhook_url = ""

        # updates
        self._updates: list[JSONDict] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0
        self.polls_waiting = 0  # getUpdates requests currently long-polling
        self._ids = itertools.count(1)

        # scripting
        self._failures: dict[str, list[_Failure]] = {}
        self._delays: dict[str, float] = {}
        self._cuts: dict[str, list[_Cut]] = {}
        self._mixes: dict[str, tuple[float, float, random.Random]] = {}
        self.down = False
        self.dropped_connections = 0

        # plumbing
        self._server: HTTPServer | None = None
        self._requests: set[asyncio.Task[None]] = set()
        self._app = Application([(r"/.*", _ApiRequest, {"api": self})],
                                log_function=lambda handler: None)
        self._changed = asyncio.Event()
        self._wake = asyncio.Event()
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._closing = False

        self._handlers: dict[str, tuple[str, Handler]] = {}
        for name, handler in (
            ("getMe", self._get_me),
            ("logOut", self._true),
            ("close", self._true),
            ("getUpdates", self._get_updates),
            ("setWebhook", self._set_webhook),
            ("deleteWebhook", self._delete_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("sendMessage", self._send_message),
            ("editMessageText", self._edit_message_text),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("deleteMessage", self._delete_message),
            ("answerCallbackQuery", self._answer_callback_query),
            ("answerInlineQuery", self._answer_inline_query),
            ("getChat", self._get_chat),
            ("getChatMember", self._get_chat_member),
            ("getChatAdministrators", self._get_chat_administrators),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("setMyDescription", self._set_my_description),
            ("setMyShortDescription", self._set_my_short_description),
            ("setChatMenuButton", self._set_chat_menu_button),
            ("getChatMenuButton", self._get_chat_menu_button),
            ("sendChatAction", self._send_chat_action),
            ("leaveChat", self._leave_chat),
        ):
            self._handlers[name.lower()] = (name, handler)

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        if self._server is None and not self.down:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://{self.host}:{self.port}/bot"

    async def start(self) -> None:
        self._closing = False
        await self._listen()

    async def _listen(self) -> None:
        sockets = bind_sockets(self.port, address=self.host)
        self.port = sockets[0].getsockname()[1]
        self._server = HTTPServer(self._app)
        self._server.add_sockets(sockets)

    async def _hang_up(self) -> None:
        """Stops listening (the port refuses connections), ends the requests being answered
        and closes every connection without an answer."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()
        tasks = list(self._requests)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if server is not None:
            await server.close_all_connections()

    async def go_down(self) -> None:
        """The API becomes unreachable: the port refuses connections and the open ones are
        cut (requests in flight get no answer). State and queued updates are kept."""
        self.down = True
        await self._hang_up()
        self._notify(wake_polls=True)

    async def come_back(self) -> None:
        """The API answers again, on the same port."""
        self.down = False
        await self._listen()
        self._notify()

    async def stop(self) -> None:
        self._closing = True
        self._notify(wake_polls=True)
        await self._hang_up()

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ ready-made objects

    @staticmethod
    def user(
        user_id: int,
        first_name: str,
        language_code: str | None = "fr",
        is_bot: bool = False,
        *,
        username: str | None = None,
        last_name: str | None = None,
    ) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    @staticmethod
    def private_chat(user: JSONDict) -> JSONDict:
        chat: JSONDict = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        return chat

    @staticmethod
    def group(chat_id: int, title: str, type: str = "supergroup") -> JSONDict:
        if type not in ("group", "supergroup"):
            raise ValueError(f"a group is a 'group' or a 'supergroup', not {type!r}")
        return {"id": chat_id, "type": type, "title": title}

    @staticmethod
    def channel(chat_id: int, title: str, username: str | None = None) -> JSONDict:
        chat: JSONDict = {"id": chat_id, "type": "channel", "title": title}
        if username:
            chat["username"] = username
        return chat

    def add_chat(self, chat: JSONDict) -> JSONDict:
        """Makes a chat known (sendMessage to an unknown chat fails with "chat not found")."""
        known = self._chats.setdefault(chat["id"], dict(chat))
        known.update(chat)
        self._messages.setdefault(chat["id"], {})
        if chat["type"] == "private":
            self._members.setdefault(chat["id"], set()).add(chat["id"])
        return known

    def _remember(self, chat: JSONDict, *users: JSONDict) -> None:
        self.add_chat(chat)
        for user in users:
            self._users[user["id"]] = dict(user)
            self._members.setdefault(chat["id"], set()).add(user["id"])
            self._left.get(chat["id"], set()).discard(user["id"])

    # ------------------------------------------------------------------ feeding updates

    def push_update(self, update: JSONDict) -> int:
        """Queues a raw update (``update_id`` is assigned) and returns its id."""
        update = dict(update)
        update["update_id"] = self._next_update_id
        self._next_update_id += 1
        self._updates.append(update)
        self._notify(wake_polls=True)
        return int(update["update_id"])

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _store(self, message: JSONDict) -> None:
        self._messages.setdefault(message["chat"]["id"], {})[message["message_id"]] = message

    def _base_message(self, chat: JSONDict, user: JSONDict | None) -> JSONDict:
        self._remember(chat, *([user] if user else []))
        message: JSONDict = {
            "message_id": self._new_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": dict(chat),
        }
        if user is not None:
            message["from"] = dict(user)
        return message

    def _reply_copy(self, reply_to: JSONDict) -> JSONDict:
        stored = self.message(reply_to["chat"]["id"], reply_to["message_id"]) or reply_to
        return {k: v for k, v in stored.items() if k != "reply_to_message"}

    def _bot_may_read(self, chat: JSONDict, message: JSONDict) -> bool:
        if chat["type"] not in ("group", "supergroup"):
            return True
        if self.can_read_all_group_messages or chat["id"] in self._bot_admin:
            return True
        reply = message.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.bot_id:
            return True
        text = message.get("text")
        if text is None:
            return False
        for entity in message.get("entities", []):
            part = _utf16_slice(text, entity["offset"], entity["length"])
            if entity["type"] == "bot_command" and entity["offset"] == 0:
                _, _, target = part.partition("@")
                if not target or target.lower() == self.username.lower():
                    return True
            if entity["type"] == "mention" and part[1:].lower() == self.username.lower():
                return True
            if entity["type"] == "text_mention" and entity["user"]["id"] == self.bot_id:
                return True
        return False

    def _deliver(self, kind: str, message: JSONDict) -> None:
        if kind == "message" and not self._bot_may_read(message["chat"], message):
            self.undelivered.append(message)
            self._notify()
            return
        self.push_update({kind: message})

    def send_text(
        self,
        chat: JSONDict,
        user: JSONDict,
        text: str,
        *,
        reply_to: JSONDict | None = None,
        entities: list[JSONDict] | None = None,
        **extra: Any,
    ) -> JSONDict:
        """A user writes ``text`` in ``chat``; returns the message (as stored).

        bot_command, mention, hashtag and url entities are added like Telegram does unless
        ``entities`` is given. ``extra`` fields are merged into the message (e.g.
        ``message_thread_id``). In groups, privacy mode may keep it from the bot (see the
        module docstring); it is then listed in :attr:`undelivered`.
        """
        message = self._base_message(chat, user)
        message["text"] = text
        found = detect_entities(text) if entities is None else entities
        if found:
            message["entities"] = found
        if reply_to is not None:
            message["reply_to_message"] = self._reply_copy(reply_to)
        message.update(extra)
        self._store(message)
        self._deliver("message", message)
        return message

    def sticker(
        self,
        chat: JSONDict,
        user: JSONDict,
        *,
        emoji: str = "😀",
        reply_to: JSONDict | None = None,
    ) -> JSONDict:
        message = self._base_message(chat, user)
        serial = next(self._ids)
        message["sticker"] = {
            "file_id": f"CAACAgIAAxkBAAI{serial:06d}",
            "file_unique_id": f"AgAD{serial:06d}",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": emoji,
        }
        if reply_to is not None:
            message["reply_to_message"] = self._reply_copy(reply_to)
        self._store(message)
        self._deliver("message", message)
        return message

    def edit_text(
        self, message: JSONDict, text: str, *, entities: list[JSONDict] | None = None
    ) -> JSONDict:
        """The author edits one of their messages: an ``edited_message`` update."""
        current = self.message(message["chat"]["id"], message["message_id"]) or message
        edited = {k: v for k, v in current.items() if k != "entities"}
        edited["text"] = text
        edited["edit_date"] = int(time.time())
        found = detect_entities(text) if entities is None else entities
        if found:
            edited["entities"] = found
        self._store(edited)
        kind = "edited_channel_post" if edited["chat"]["type"] == "channel" else "edited_message"
        if kind == "edited_message" and not self._bot_may_read(edited["chat"], edited):
            self.undelivered.append(edited)
        else:
            self.push_update({kind: edited})
        return edited

    def new_members(self, chat: JSONDict, user: JSONDict, members: Sequence[JSONDict]) -> JSONDict:
        """``user`` adds ``members`` (who may include :attr:`bot_user`) to the group."""
        message = self._base_message(chat, user)
        message["new_chat_members"] = [dict(m) for m in members]
        for member in members:
            if member["id"] == self.bot_id:
                self._kicked.discard(chat["id"])
            else:
                self._remember(chat, member)
        self._store(message)
        self.push_update({"message": message})
        return message

    def left_member(
        self, chat: JSONDict, user: JSONDict, member: JSONDict | None = None
    ) -> JSONDict:
        """``member`` (default: ``user`` themself) leaves or is removed by ``user``."""
        member = member or user
        message = self._base_message(chat, user)
        message["left_chat_member"] = dict(member)
        self._members.get(chat["id"], set()).discard(member["id"])
        self._left.setdefault(chat["id"], set()).add(member["id"])
        self._store(message)
        self.push_update({"message": message})
        return message

    def channel_post(self, chat: JSONDict, text: str) -> JSONDict:
        message = self._base_message(chat, None)
        message["sender_chat"] = dict(chat)
        message["text"] = text
        found = detect_entities(text)
        if found:
            message["entities"] = found
        self._store(message)
        self.push_update({"channel_post": message})
        return message

    def press_button(
        self, user: JSONDict, message: JSONDict, data: str, *, check: bool = True
    ) -> str:
        """``user`` presses the inline button carrying ``data``; returns the query id.

        ``message`` is a bot message (as returned by :meth:`sent`) or an inline message
        (a dict with ``inline_message_id``). With ``check``, the button must exist in the
        message's current keyboard.
        """
        query_id = str(4_000_000_000 + next(self._ids))
        query: JSONDict = {"id": query_id, "from": dict(user), "data": data}
        if "inline_message_id" in message:
            current = self._inline_messages.get(message["inline_message_id"], message)
            query["inline_message_id"] = message["inline_message_id"]
            query["chat_instance"] = "inline"
        else:
            current = self.message(message["chat"]["id"], message["message_id"]) or message
            query["message"] = current
            query["chat_instance"] = str(abs(message["chat"]["id"]) * 7919 % 10**12)
            self._remember(message["chat"], user)
        if check:
            available = _callback_data(current.get("reply_markup"))
            if data not in available:
                raise ValueError(
                    f"no button with callback_data {data!r} in the message; it has {available}"
                )
        self._users[user["id"]] = dict(user)
        self._pending_callbacks.add(query_id)
        self.push_update({"callback_query": query})
        return query_id

    def inline_query(
        self, user: JSONDict, query: str, *, offset: str = "", chat_type: str | None = "sender"
    ) -> str:
        query_id = str(5_000_000_000 + next(self._ids))
        inline: JSONDict = {"id": query_id, "from": dict(user), "query": query, "offset": offset}
        if chat_type:
            inline["chat_type"] = chat_type
        self._users[user["id"]] = dict(user)
        self._pending_inline.add(query_id)
        self.push_update({"inline_query": inline})
        return query_id

    def chosen_inline_result(
        self,
        user: JSONDict,
        result_id: str,
        query: str,
        *,
        inline_query_id: str | None = None,
    ) -> JSONDict:
        """``user`` picks a result. When ``inline_query_id`` is given, the result is looked
        up in the bot's answer, and, if it has an inline keyboard, an ``inline_message_id``
        is created (as Telegram does) so the bot can edit that message later."""
        chosen: JSONDict = {"result_id": result_id, "from": dict(user), "query": query}
        if inline_query_id is not None:
            results = self._inline_results.get(inline_query_id)
            if results is None:
                raise ValueError(f"the bot did not answer inline query {inline_query_id}")
            result = next((r for r in results if r.get("id") == result_id), None)
            if result is None:
                ids = [r.get("id") for r in results]
                raise ValueError(f"no result {result_id!r} in the answer; it has {ids}")
            if result.get("reply_markup"):
                inline_id = f"AgAAA{next(self._ids):08d}"
                content = result.get("input_message_content") or {}
                self._inline_messages[inline_id] = {
                    "inline_message_id": inline_id,
                    "text": content.get("_text", content.get("message_text", "")),
                    "entities": content.get("_entities", []),
                    "reply_markup": result["reply_markup"],
                }
                chosen["inline_message_id"] = inline_id
        self.push_update({"chosen_inline_result": chosen})
        return chosen

    # ------------------------------------------------------------------ scripting

    def set_admins(
        self,
        chat_id: int,
        user_ids: Iterable[int],
        *,
        bot_is_admin: bool = False,
        anonymous: Iterable[int] = (),
    ) -> None:
        """The first of ``user_ids`` is the chat's creator, the others administrators.

        With ``bot_is_admin`` the bot is an administrator too (it may then delete others'
        messages and privacy mode no longer applies in that chat).
        """
        anonymous = set(anonymous)
        admins: list[JSONDict] = []
        for index, user_id in enumerate(user_ids):
            user = self._users.get(user_id) or {
                "id": user_id,
                "is_bot": False,
                "first_name": f"User {user_id}",
            }
            if index == 0:
                admins.append(
                    {"status": "creator", "user": user, "is_anonymous": user_id in anonymous}
                )
            else:
                admins.append(_administrator(user, is_anonymous=user_id in anonymous))
        if bot_is_admin:
            admins.append(_administrator(self.bot_user, is_anonymous=False))
            self._bot_admin.add(chat_id)
        else:
            self._bot_admin.discard(chat_id)
        self._admins[chat_id] = admins

    def change_admin(self, chat: JSONDict, user: JSONDict, *, promoted: bool,
                     by: JSONDict | None = None) -> None:
        """``user`` is promoted to (or demoted from) administrator of ``chat``. Telegram
        tells the bot with a ``chat_member`` update only if the bot is an administrator
        there and asked for them in ``allowed_updates``."""
        self._remember(chat, user)
        admins = [a for a in self._admins.get(chat["id"], []) if a["user"]["id"] != user["id"]]
        if promoted:
            admins.append(_administrator(user, is_anonymous=False))
        self._admins[chat["id"]] = admins
        if chat["id"] not in self._bot_admin or "chat_member" not in self._allowed_updates:
            return
        member = {"status": "member", "user": dict(user)}
        admin = _administrator(user, is_anonymous=False)
        self.push_update({"chat_member": {
            "chat": dict(chat),
            "from": dict(by or user),
            "date": int(time.time()),
            "old_chat_member": member if promoted else admin,
            "new_chat_member": admin if promoted else member,
        }})

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (``"*"``: any method but getUpdates) fail
        before doing anything. 429 answers carry ``parameters.retry_after`` (PTB raises
        RetryAfter); 502 -> NetworkError, 400 -> BadRequest, 403 -> Forbidden."""
        self._failures.setdefault(method.lower(), []).append(
            _Failure(status, retry_after, description, times)
        )

    def cut_connection(self, method: str, *, after_effect: bool, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` get no answer: the connection is closed.
        With ``after_effect`` the call took effect first (the answer was lost: a message
        was posted); without, the request was dropped unread. The client cannot tell
        which (httpx: "Server disconnected without sending a response")."""
        self._cuts.setdefault(method.lower(), []).append(_Cut(after_effect, times))

    def fault_mix(self, method: str, *, lose_answer: float = 0.0, drop_request: float = 0.0,
                  seed: int = 0) -> None:
        """From now on each call of ``method`` has these chances of a cut connection, the
        answer lost after the call took effect or the request dropped unread (see
        :meth:`cut_connection`); reproducible with ``seed``. Zeros turn it off."""
        if lose_answer or drop_request:
            self._mixes[method.lower()] = (lose_answer, drop_request, random.Random(seed))
        else:
            self._mixes.pop(method.lower(), None)

    def _scripted_cut(self, name: str) -> _Cut | None:
        queue = self._cuts.get(name.lower())
        if not queue:
            mix = self._mixes.get(name.lower())
            if mix is None:
                return None
            lose, drop, draw = mix
            roll = draw.random()
            if roll < lose:
                return _Cut(after_effect=True, times=1)
            if roll < lose + drop:
                return _Cut(after_effect=False, times=1)
            return None
        cut = queue[0]
        cut.times -= 1
        if cut.times <= 0:
            queue.pop(0)
        return cut

    def set_delay(self, method: str, seconds: float) -> None:
        """Answers to ``method`` are held back ``seconds`` (after the call took effect, so a
        client timing out still sent the message, as with the real API). 0 removes it."""
        if seconds > 0:
            self._delays[method.lower()] = seconds
        else:
            self._delays.pop(method.lower(), None)

    def kick_bot(self, chat_id: int, *, notify: bool = True, by: JSONDict | None = None) -> None:
        """The bot is removed from the group (or blocked by the user of a private chat).

        Afterwards every call about that chat answers 403 like Telegram ("Forbidden: bot was
        kicked from the supergroup chat", "... group chat", "Forbidden: bot was blocked by
        the user"). With ``notify`` a ``my_chat_member`` update is queued.
        """
        self._kicked.add(chat_id)
        self._bot_admin.discard(chat_id)
        chat = self._chats.get(chat_id)
        if notify and chat is not None:
            if by is None:
                private = chat["type"] == "private"
                by = self._users.get(chat_id) if private else None
                by = by or {"id": 1, "is_bot": False, "first_name": "Admin"}
            new_status = "kicked" if chat["type"] != "group" else "left"
            new_member: JSONDict = {"status": new_status, "user": self.bot_user}
            if new_status == "kicked":
                new_member["until_date"] = 0
            self.push_update(
                {
                    "my_chat_member": {
                        "chat": chat,
                        "from": by,
                        "date": int(time.time()),
                        "old_chat_member": {"status": "member", "user": self.bot_user},
                        "new_chat_member": new_member,
                    }
                }
            )

    # ------------------------------------------------------------------ observing

    def sent(self, chat_id: int | None = None) -> list[JSONDict]:
        """Bot messages as they came out: sendMessage results and editMessageText new states
        (inline-message edits carry ``inline_message_id`` and no chat), in order."""
        if chat_id is None:
            return list(self._sent)
        return [m for m in self._sent if m.get("chat", {}).get("id") == chat_id]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [m.get("text", "") for m in self.sent(chat_id)]

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """The current state of a stored message (None when unknown or deleted)."""
        return self._messages.get(chat_id, {}).get(message_id)

    def inline_message(self, inline_message_id: str) -> JSONDict | None:
        return self._inline_messages.get(inline_message_id)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    @property
    def pending_updates(self) -> int:
        """Updates pushed but not yet confirmed by a getUpdates offset."""
        return len(self._updates)

    def dump(self, last: int = 40) -> str:
        lines = [f"pending updates: {[u['update_id'] for u in self._updates]}"]
        lines.append(f"last {min(last, len(self.calls))} of {len(self.calls)} calls:")
        lines.extend("  " + c.short() for c in self.calls[-last:])
        lines.append("sent messages:")
        lines.extend(
            f"  chat {m.get('chat', {}).get('id', m.get('inline_message_id'))}: {m.get('text')!r}"
            for m in self._sent[-last:]
        )
        if self.undelivered:
            lines.append(f"undelivered (privacy mode): {[m.get('text') for m in self.undelivered]}")
        return "\n".join(lines)

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 10,
        message: str = "condition not met",
    ) -> None:
        """Waits until ``predicate()`` holds; it is re-checked after every call and update."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            if predicate():
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"{message} after {timeout}s\n{self.dump()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def wait_for_messages(
        self, n: int, chat_id: int | None = None, timeout: float = 10
    ) -> list[JSONDict]:
        """Waits until :meth:`sent` (for ``chat_id``) holds at least ``n`` entries and
        returns all of them."""
        await self.wait_for(
            lambda: len(self.sent(chat_id)) >= n,
            timeout,
            f"expected {n} sent message(s) in chat {chat_id}, got {len(self.sent(chat_id))}",
        )
        return self.sent(chat_id)

    async def wait_for_call(self, method: str, n: int = 1, timeout: float = 10) -> list[Call]:
        await self.wait_for(
            lambda: len(self.calls_to(method)) >= n, timeout, f"expected {n} {method} call(s)"
        )
        return self.calls_to(method)

    async def wait_idle(self, quiet: float = 0.15, timeout: float = 10) -> None:
        """Waits until every pushed update was confirmed through getUpdates' offset, no
        request is being answered and none (getUpdates aside) came for ``quiet`` seconds.

        Use it before asserting that nothing was sent. It needs the bot to be polling.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        def idle_for() -> float:
            if self._updates or self._in_flight:
                return -1.0
            return time.monotonic() - self._last_activity

        while True:
            quiet_so_far = idle_for()
            if quiet_so_far >= quiet:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"server not idle after {timeout}s\n{self.dump()}")
            step = quiet - quiet_so_far if quiet_so_far >= 0 else remaining
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(step, remaining))

    def _notify(self, *, wake_polls: bool = False) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        if wake_polls:
            wake, self._wake = self._wake, asyncio.Event()
            wake.set()

    # ------------------------------------------------------------------ HTTP

    async def _respond(self, request: HTTPServerRequest) -> tuple[int, JSONDict] | None:
        """(HTTP status, JSON answer), or None for no answer (the connection is closed)."""
        match = re.fullmatch(r"/bot([^/]*)/([^/]+)", request.path)
        if match is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if match.group(1) != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        entry = self._handlers.get(match.group(2).lower())
        if entry is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        name, handler = entry
        try:
            params = _parse_params(request)
        except ValueError as exc:
            params = {}
            error: ApiError | None = _bad(str(exc))
        else:
            error = None

        polling = name == "getUpdates"
        cut = None if error is not None else self._scripted_cut(name)
        if cut is not None and not cut.after_effect:
            self.dropped_connections += 1
            self._notify()
            return None
        if not polling:
            self._in_flight += 1
            self._last_activity = time.monotonic()
        try:
            result: Any = None
            if error is None:
                error = self._scripted_failure(name)
            if error is None:
                try:
                    result = await handler(params)
                except ApiError as exc:
                    error = exc
                except _ClientGone:
                    return None
                except Exception as exc:  # a bug of the fake: answer it rather than hang up
                    _LOGGER.exception("fake Bot API: %s failed", name)
                    error = ApiError(500, f"Internal Server Error: fake Bot API bug: {exc!r}")
            if error is None:
                call = Call(name, params, True, result)
                payload: JSONDict = {"ok": True, "result": result}
                status = 200
            else:
                call = Call(name, params, False, None, error.code, error.description)
                payload = {"ok": False, "error_code": error.code, "description": error.description}
                if error.parameters:
                    payload["parameters"] = error.parameters
                status = error.code
            self.calls.append(call)
            if not polling or (error is None and result):
                self._last_activity = time.monotonic()
            if cut is not None:
                self.dropped_connections += 1
                self._notify()
                return None
            self._notify()
            delay = self._delays.get(name.lower(), 0)
            if delay:
                await asyncio.sleep(delay)
            return status, payload
        finally:
            if not polling:
                self._in_flight -= 1
                self._last_activity = time.monotonic()
                self._notify()

    def _scripted_failure(self, name: str) -> ApiError | None:
        queue = self._failures.get(name.lower())
        if not queue and name != "getUpdates":
            queue = self._failures.get("*")
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        if failure.status == 429:
            retry = failure.retry_after
            description = failure.description or (
                f"Too Many Requests: retry after {retry}"
                if retry is not None
                else "Too Many Requests"
            )
            parameters = {"retry_after": retry} if retry is not None else None
            return ApiError(429, description, parameters)
        description = failure.description or _DEFAULT_FAIL_DESCRIPTIONS.get(
            failure.status, _phrase(failure.status)
        )
        return ApiError(failure.status, description)

    # ------------------------------------------------------------------ helpers for methods

    def _chat(self, params: JSONDict, key: str = "chat_id") -> JSONDict:
        raw = params.get(key)
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        chat: JSONDict | None = None
        if isinstance(raw, str) and raw.startswith("@"):
            wanted = raw[1:].lower()
            chat = next(
                (c for c in self._chats.values() if c.get("username", "").lower() == wanted),
                None,
            )
        else:
            try:
                chat = self._chats.get(int(raw))
            except (TypeError, ValueError):
                chat = None
        if chat is None:
            raise _bad("chat not found")
        if chat["id"] in self._kicked:
            raise ApiError(403, _kicked_description(chat["type"]))
        return chat

    def _formatted(
        self, text: Any, parse_mode: Any, entities: Any, *, what: str = "message text"
    ) -> tuple[str, list[JSONDict]]:
        if text is None:
            raise _bad(f"{what} is empty")
        text = str(text)
        mode = str(parse_mode or "").lower()
        if mode == "html":
            try:
                plain, found = parse_html(text)
            except EntityParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        elif mode in ("", "markdown", "markdownv2"):
            # Markdown is not modelled: the text is taken as it is.
            plain = text
            found = [dict(e) for e in entities] if isinstance(entities, list) else []
        else:
            raise _bad("unsupported parse_mode")
        plain, found = _trim(plain, found)
        if not plain:
            raise _bad(f"{what} is empty")
        if len(plain) > MAX_MESSAGE_LENGTH:
            raise _bad("message is too long")
        return plain, _merge_auto_entities(plain, found)

    def _reply_markup(self, params: JSONDict) -> JSONDict | None:
        """Validates reply_markup; returns it when it is an inline keyboard (the only kind a
        Message carries back)."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup)
            return markup
        if not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
            raise _bad("can't parse reply keyboard markup JSON object")
        return None

    def _bot_message(
        self,
        chat: JSONDict,
        text: str,
        entities: list[JSONDict],
        markup: JSONDict | None,
        params: JSONDict,
    ) -> JSONDict:
        message: JSONDict = {
            "message_id": 0,
            "from": dict(self.bot_user),
            "chat": dict(chat),
            "date": int(time.time()),
        }
        if chat["type"] == "channel":
            del message["from"]
            message["sender_chat"] = dict(chat)
        thread_id = params.get("message_thread_id")
        if thread_id:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        reply = self._find_reply(chat, params)
        if reply is not None:
            message["reply_to_message"] = reply
        message["text"] = text
        if entities:
            message["entities"] = entities
        if isinstance(params.get("link_preview_options"), dict):
            message["link_preview_options"] = params["link_preview_options"]
        if markup is not None:
            message["reply_markup"] = markup
        message["message_id"] = self._new_message_id(chat["id"])
        return message

    def _find_reply(self, chat: JSONDict, params: JSONDict) -> JSONDict | None:
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            message_id = reply_parameters.get("message_id")
            chat_id = reply_parameters.get("chat_id", chat["id"])
            allow = bool(reply_parameters.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            message_id = params["reply_to_message_id"]
            chat_id = chat["id"]
            allow = bool(params.get("allow_sending_without_reply"))
        else:
            return None
        try:
            stored = self.message(_as_int(chat_id), _as_int(message_id))
        except (TypeError, ValueError):
            stored = None
        if stored is None:
            if allow:
                return None
            raise _bad("message to be replied not found")
        return {k: v for k, v in stored.items() if k != "reply_to_message"}

    def _target_message(self, params: JSONDict, *, action: str) -> tuple[JSONDict | None, str]:
        """(stored chat message or None, inline_message_id or "")."""
        inline_id = params.get("inline_message_id")
        if inline_id:
            if str(inline_id) not in self._inline_messages:
                raise _bad("MESSAGE_ID_INVALID")
            return None, str(inline_id)
        chat = self._chat(params)
        try:
            message_id = _as_int(params.get("message_id"))
        except (TypeError, ValueError):
            raise _bad("message identifier is not specified") from None
        stored = self.message(chat["id"], message_id)
        if stored is None:
            raise _bad(f"message to {action} not found")
        return stored, ""

    def _record_sent(self, message: JSONDict) -> None:
        self._sent.append(message)

    # ------------------------------------------------------------------ methods

    async def _true(self, params: JSONDict) -> bool:
        return True

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": self.can_join_groups,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self._webhook_url:
            raise ApiError(409, _CONFLICT_WEBHOOK)
        try:
            offset = int(params.get("offset") or 0)
            limit = int(params.get("limit") or 100)
            timeout = float(params.get("timeout") or 0)
        except (TypeError, ValueError):
            raise _bad("wrong parameter in request") from None
        limit = min(max(limit, 1), 100)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES

        self._poll_generation += 1
        generation = self._poll_generation
        self._notify(wake_polls=True)  # terminates an older pending getUpdates

        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._notify()

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            wake = self._wake
            self._updates = [u for u in self._updates if _update_kind(u) in self._allowed_updates]
            if self._updates:
                return [dict(u) for u in self._updates[:limit]]
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                return []
            self.polls_waiting += 1
            self._notify()
            try:
                # short slices, to notice a client that gave up (PTB cancels its long poll
                # when stopping) instead of answering it later
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), min(remaining, 0.05))
            finally:
                self.polls_waiting -= 1
            if _CLIENT_GONE.get()():
                raise _ClientGone
            if generation != self._poll_generation:
                raise ApiError(409, _CONFLICT_POLL)

    async def _set_webhook(self, params: JSONDict) -> bool:
        self._webhook_url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: JSONDict) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
            self._notify()
        return True

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        text, entities = self._formatted(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = self._reply_markup(params)
        message = self._bot_message(chat, text, entities, markup, params)
        self._store(message)
        self._record_sent(message)
        return message

    async def _edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        stored, inline_id = self._target_message(params, action="edit")
        text, entities = self._formatted(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = self._reply_markup(params)
        if inline_id:
            current = self._inline_messages[inline_id]
            if (
                current.get("text"),
                current.get("entities") or [],
                current.get("reply_markup"),
            ) == (
                text,
                entities,
                markup,
            ):
                raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
            edited = {
                "inline_message_id": inline_id,
                "text": text,
                "entities": entities,
                "reply_markup": markup,
                "edit_date": int(time.time()),
            }
            self._inline_messages[inline_id] = edited
            self._record_sent(edited)
            return True
        assert stored is not None
        if stored.get("from", {}).get("id") != self.bot_id and stored["chat"]["type"] != "channel":
            raise _bad("message can't be edited")
        if "text" not in stored:
            raise _bad("there is no text in the message to edit")
        if (stored["text"], stored.get("entities", []), stored.get("reply_markup")) == (
            text,
            entities,
            markup,
        ):
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        edited = {k: v for k, v in stored.items() if k not in ("entities", "reply_markup")}
        edited["text"] = text
        if entities:
            edited["entities"] = entities
        if markup is not None:
            edited["reply_markup"] = markup
        edited["edit_date"] = int(time.time())
        self._store(edited)
        self._record_sent(edited)
        return edited

    async def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        stored, inline_id = self._target_message(params, action="edit")
        markup = self._reply_markup(params)
        if inline_id:
            current = self._inline_messages[inline_id]
            if current.get("reply_markup") == markup:
                raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
            self._inline_messages[inline_id] = {**current, "reply_markup": markup}
            return True
        assert stored is not None
        if stored.get("from", {}).get("id") != self.bot_id and stored["chat"]["type"] != "channel":
            raise _bad("message can't be edited")
        if stored.get("reply_markup") == markup:
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        edited = {k: v for k, v in stored.items() if k != "reply_markup"}
        if markup is not None:
            edited["reply_markup"] = markup
        edited["edit_date"] = int(time.time())
        self._store(edited)
        return edited

    async def _delete_message(self, params: JSONDict) -> bool:
        stored, _ = self._target_message(params, action="delete")
        assert stored is not None
        chat = stored["chat"]
        own = stored.get("from", {}).get("id") == self.bot_id
        if not own and chat["type"] != "private" and chat["id"] not in self._bot_admin:
            raise _bad("message can't be deleted")
        del self._messages[chat["id"]][stored["message_id"]]
        self.deleted.append((chat["id"], stored["message_id"]))
        return True

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._pending_callbacks:
            raise _bad(_QUERY_INVALID.removeprefix("Bad Request: "))
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        self._pending_callbacks.discard(query_id)
        self.callback_answers[query_id] = dict(params)
        return True

    async def _answer_inline_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("inline_query_id") or "")
        if query_id not in self._pending_inline:
            raise _bad(_QUERY_INVALID.removeprefix("Bad Request: "))
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad("results must be an Array")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        checked: list[JSONDict] = []
        for result in results:
            if not isinstance(result, dict):
                raise _bad("InlineQueryResult must be an Object")
            result_id = str(result.get("id", ""))
            if not 1 <= len(result_id.encode("utf-8")) <= 64:
                raise _bad("RESULT_ID_INVALID")
            if result_id in seen:
                raise _bad("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            if "type" not in result:
                raise _bad("Type must be non-empty")
            result = dict(result)
            if "reply_markup" in result:
                self._reply_markup({"reply_markup": result["reply_markup"]})
            content = result.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                text, entities = self._formatted(
                    content.get("message_text"), content.get("parse_mode"), content.get("entities")
                )
                result["input_message_content"] = {**content, "_text": text, "_entities": entities}
            elif result.get("type") == "article":
                raise _bad("input_message_content must be non-empty")
            checked.append(result)
        self._pending_inline.discard(query_id)
        self._inline_results[query_id] = checked
        self.inline_answers[query_id] = {**params, "results": results}
        return True

    async def _get_chat(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _member(self, chat: JSONDict, user_id: int) -> JSONDict:
        for admin in self._admins.get(chat["id"], []):
            if admin["user"]["id"] == user_id:
                return admin
        if user_id == self.bot_id:
            return {"status": "member", "user": self.bot_user}
        user = self._users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User {user_id}",
        }
        if chat["type"] == "private":
            if user_id != chat["id"]:
                raise _bad("PARTICIPANT_ID_INVALID")
            return {"status": "member", "user": user}
        if user_id in self._members.get(chat["id"], set()):
            return {"status": "member", "user": user}
        return {"status": "left", "user": user}

    async def _get_chat_member(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        try:
            user_id = _as_int(params.get("user_id"))
        except (TypeError, ValueError):
            raise _bad("invalid user_id specified") from None
        return self._member(chat, user_id)

    async def _get_chat_administrators(self, params: JSONDict) -> list[JSONDict]:
        chat = self._chat(params)
        if chat["type"] == "private":
            raise _bad("there are no administrators in the private chat")
        return list(self._admins.get(chat["id"], []))

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad("can't parse BotCommandScope JSON object")
        language = str(params.get("language_code") or "")
        return json.dumps(scope, sort_keys=True), language

    async def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            name = str(command.get("command", "")).strip().removeprefix("/")
            description = str(command.get("description", "")).strip()
            if not name:
                raise _bad("command must be non-empty")
            if len(name) > 32:
                raise _bad("command length must not exceed 32")
            if not re.fullmatch(r"[a-z0-9_]+", name):
                raise _bad("BOT_COMMAND_INVALID")
            if not description:
                raise _bad("command description must be non-empty")
            if len(description) > 256:
                raise _bad("command description length must not exceed 256")
            cleaned.append({"command": name, "description": description})
        key = self._commands_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return list(self.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def my_commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands stored by setMyCommands for exactly that scope and language."""
        params: JSONDict = {"language_code": language_code}
        if scope is not None:
            params["scope"] = scope
        return list(self.commands.get(self._commands_key(params), []))

    async def _set_my_description(self, params: JSONDict) -> bool:
        text = str(params.get("description") or "")
        if len(text) > 512:
            raise _bad("bot description is too long")
        self.bot_texts[("description", str(params.get("language_code") or ""))] = text
        return True

    async def _set_my_short_description(self, params: JSONDict) -> bool:
        text = str(params.get("short_description") or "")
        if len(text) > 120:
            raise _bad("bot short description is too long")
        self.bot_texts[("short_description", str(params.get("language_code") or ""))] = text
        return True

    async def _set_chat_menu_button(self, params: JSONDict) -> bool:
        chat_id: int | None = None
        if params.get("chat_id") is not None:
            chat_id = self._chat(params)["id"]
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or "type" not in button:
            raise _bad("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, params: JSONDict) -> JSONDict:
        chat_id: int | None = None
        if params.get("chat_id") is not None:
            chat_id = self._chat(params)["id"]
        button = self.menu_buttons.get(chat_id) or self.menu_buttons.get(None)
        if button is None or button.get("type") == "default":
            return {"type": "commands"}
        return button

    async def _send_chat_action(self, params: JSONDict) -> bool:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    async def _leave_chat(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        self._kicked.add(chat["id"])
        return True


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _kicked_description(chat_type: str) -> str:
    if chat_type == "private":
        return "Forbidden: bot was blocked by the user"
    return f"Forbidden: bot was kicked from the {chat_type} chat"


def _update_kind(update: JSONDict) -> str:
    return next((k for k in update if k != "update_id"), "")


def _utf16_slice(text: str, offset: int, length: int) -> str:
    raw = text.encode("utf-16-le")
    return raw[offset * 2 : (offset + length) * 2].decode("utf-16-le", "replace")


def _administrator(user: JSONDict, *, is_anonymous: bool) -> JSONDict:
    return {
        "status": "administrator",
        "user": user,
        "can_be_edited": False,
        "is_anonymous": is_anonymous,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": True,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": True,
        "can_invite_users": True,
        "can_post_stories": True,
        "can_edit_stories": True,
        "can_delete_stories": True,
        "can_pin_messages": True,
        "can_manage_topics": False,
    }


def _callback_data(markup: Any) -> list[str]:
    if not isinstance(markup, dict):
        return []
    return [
        button["callback_data"]
        for row in markup.get("inline_keyboard", [])
        for button in row
        if isinstance(button, dict) and "callback_data" in button
    ]


_URL_HOST_RE = re.compile(r"(?:https?://)?[^\s/:?#]+\.[^\s/:?#]+(?::\d+)?(?:[/?#]\S*)?", re.I)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _check_inline_keyboard(markup: JSONDict) -> None:
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise _bad("InlineKeyboardButton must be an Object")
            if not isinstance(button.get("text"), str) or not button["text"]:
                raise _bad("can't parse inline keyboard button: Text must be non-empty")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise _bad("BUTTON_DATA_INVALID")
            elif "url" in button:
                url = str(button["url"])
                if not (url.lower().startswith("tg://") or _URL_HOST_RE.fullmatch(url)):
                    raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
            elif not any(action in button for action in _BUTTON_ACTIONS):
                raise _bad(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )


def _as_int(value: Any) -> int:
    """int(value), raising TypeError/ValueError for anything not integral."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"not an integer: {value!r}")
    return int(value)


def _decode_value(key: str, raw: str) -> Any:
    if key in _STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _parse_params(request: HTTPServerRequest) -> JSONDict:
    """The call's parameters: the query string, then the body as tornado parsed it
    (urlencoded or multipart/form-data: uploaded files become {"filename", "size"}) or a
    JSON object."""
    params: JSONDict = {}
    for key, values in request.query_arguments.items():
        params[key] = _decode_value(key, values[-1].decode("utf-8", "replace"))
    kind = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if kind == "application/json" and request.body:
        try:
            decoded = json.loads(request.body)
        except ValueError:
            raise ValueError("can't parse JSON encoded request") from None
        if not isinstance(decoded, dict):
            raise ValueError("JSON object expected")
        params.update(decoded)
        return params
    for key, values in request.body_arguments.items():
        params[key] = _decode_value(key, values[-1].decode("utf-8", "replace"))
    for key, files in request.files.items():
        params[key] = {"filename": files[-1].filename, "size": len(files[-1].body)}
    return params


class _ApiRequest(RequestHandler):
    """Every request, whatever its path: the fake answers it (or hangs up)."""

    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(self, api: FakeBotApi) -> None:
        self.api = api
        self.gone = False

    def set_default_headers(self) -> None:
        self.set_header("Server", "fake-bot-api")
        self.set_header("Content-Type", "application/json")

    def on_connection_close(self) -> None:
        self.gone = True

    async def get(self) -> None:
        await self.post()

    async def post(self) -> None:
        # A task of its own, which go_down() and stop() cancel to cut the request.
        task = asyncio.ensure_future(self._answer())
        self.api._requests.add(task)
        try:
            await task
        except asyncio.CancelledError:
            pass  # the API went down while answering
        finally:
            self.api._requests.discard(task)
        if not self._finished:
            with contextlib.suppress(Exception):
                self.detach().close()  # no answer at all: the client sees the connection end

    async def _answer(self) -> None:
        if self.api._server is None:
            return  # down or stopping: the connections still open are being closed
        _CLIENT_GONE.set(lambda: self.gone)  # in this task's own context
        answer = await self.api._respond(self.request)
        if answer is not None:
            # written at once, in the same step as the call's effect (as Telegram would)
            status, payload = answer
            self.set_status(status)
            self.finish(json.dumps(payload, ensure_ascii=False).encode("utf-8"))


# --------------------------------------------------------------------------------------------
# standalone use: python -m tests.fake_bot_api --port 8081
# --------------------------------------------------------------------------------------------


async def _serve_forever(api: FakeBotApi) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with api:
        print(f"fake Bot API listening: base_url={api.base_url} token={api.token}", flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local fake Telegram Bot API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="mythbot_test_bot")
    args = parser.parse_args(argv)
    api = FakeBotApi(args.token, username=args.username, host=args.host, port=args.port)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(api))


if __name__ == "__main__":
    main()
