"""Handler tests without a socket: the real Application, inbox and poller, with Telegram
answered in memory.

python-telegram-bot sends every Bot API call through httpx (`HTTPXRequest`), and httpx
lets a client carry its requests over any transport: `httpx.MockTransport` hands each one
to a function instead of the network. `InMemoryBotApi` is that function, in front of the
world model of `tests.fake_bot_api` (its chats, admins, privacy mode, Telegram's checks of
HTML, lengths and buttons), so a handler test reads like an end-to-end test and fails on
what Telegram would refuse, but opens no port and waits on no connection::

    async with InMemoryBotApi() as api, running_bot(api, db) as bot:
        api.send_text(api.private_chat(alice), alice, "/start")
        (reply,) = await bot.replies(alice["id"])

What only real HTTP can show (connections cut or refused, a killed process, a webhook
server) stays in the end-to-end tests, over `FakeBotApi` itself.
"""

from __future__ import annotations

import json

import httpx
from tornado.httputil import (
    HTTPHeaders,
    HTTPServerRequest,
    RequestStartLine,
    parse_body_arguments,
)

from tests.fake_bot_api import FakeBotApi

BASE_URL = "http://bot-api.invalid/bot"
""".invalid never resolves (RFC 2606): a request that missed the transport fails at once."""


class InMemoryBotApi(FakeBotApi):
    """The fake Bot API without its server: `transport` answers the bot's requests."""

    @property
    def base_url(self) -> str:
        return BASE_URL

    async def start(self) -> None:
        self._closing = False

    async def stop(self) -> None:
        self._closing = True
        self._notify(wake_polls=True)  # a pending long poll returns empty

    async def come_back(self) -> None:
        self.down = False  # nothing to listen on: the transport answers again
        self._notify()

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("in-memory Bot API is down", request=request)
        answer = await self._respond(_as_server_request(request))
        if answer is None:  # the fake's way of saying the connection was closed unanswered
            raise httpx.RemoteProtocolError("Server disconnected without sending a response",
                                            request=request)
        status, payload = answer
        return httpx.Response(status, content=json.dumps(payload, ensure_ascii=False).encode(),
                              headers={"Content-Type": "application/json"})


def _as_server_request(request: httpx.Request) -> HTTPServerRequest:
    """The request as the fake's server would have parsed it (tornado's own parser, so
    urlencoded and multipart bodies read exactly as over HTTP)."""
    headers = HTTPHeaders()
    for name, value in request.headers.multi_items():
        headers.add(name, value)
    start = RequestStartLine(request.method, request.url.raw_path.decode(), "HTTP/1.1")
    parsed = HTTPServerRequest(start_line=start, headers=headers, body=request.content)
    parse_body_arguments(headers.get("Content-Type", ""), request.content,
                         parsed.body_arguments, parsed.files, headers)
    for key, values in parsed.body_arguments.items():
        parsed.arguments.setdefault(key, []).extend(values)
    return parsed
