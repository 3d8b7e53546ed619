"""The delivery rules, request by request: what is sent again, what never is, who waits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.telegram.delivery import (
    Availability,
    DeliveryLimiter,
    Undelivered,
    fate,
    is_private,
    posts_a_message,
)

PRIVATE, GROUP = 1001, -100_123
Call = Callable[[], Coroutine[Any, Any, Any]]


def network_error(cause: BaseException | None, kind: type[NetworkError] = NetworkError,
                  message: str = "failed") -> NetworkError:
    """A PTB error as HTTPXRequest raises it: from the httpx error, when there is one."""
    try:
        if cause is None:
            raise kind(message)
        raise kind(message) from cause
    except NetworkError as exc:
        return exc


REQUEST = httpx.Request("POST", "http://127.0.0.1/bot/sendMessage")


@pytest.mark.parametrize(("error", "expected"), [
    (network_error(httpx.ConnectError("refused", request=REQUEST)), "undelivered"),
    (network_error(httpx.ConnectTimeout("slow connect", request=REQUEST), TimedOut),
     "undelivered"),
    (network_error(httpx.PoolTimeout("pool", request=REQUEST), TimedOut), "undelivered"),
    (network_error(httpx.WriteError("reset while sending", request=REQUEST)), "undelivered"),
    (network_error(None, message="Bad Gateway"), "undelivered"),
    (network_error(httpx.ReadTimeout("slow answer", request=REQUEST), TimedOut), "slow answer"),
    (network_error(httpx.RemoteProtocolError("Server disconnected without sending a response",
                                             request=REQUEST)), "lost answer"),
    (network_error(httpx.ReadError("reset while reading", request=REQUEST)), "lost answer"),
], ids=["refused", "connect-timeout", "pool-timeout", "reset-while-sending", "5xx",
        "read-timeout", "disconnected", "reset-while-reading"])
def test_a_network_error_says_whether_telegram_can_have_acted(error: NetworkError,
                                                              expected: str) -> None:
    assert fate(error) == expected


@pytest.mark.parametrize(("endpoint", "posts"), [
    ("sendMessage", True), ("sendPhoto", True), ("copyMessage", True),
    ("forwardMessage", True), ("sendChatAction", False), ("editMessageText", False),
    ("answerCallbackQuery", False), ("getChatAdministrators", False),
])
def test_only_requests_that_post_a_message_are_unsafe_to_repeat(endpoint: str,
                                                                posts: bool) -> None:
    assert posts_a_message(endpoint) is posts


@pytest.mark.parametrize(("chat_id", "private"), [
    (1001, True), ("1001", True), (-1001234, False), ("-1001234", False), ("@channel", False),
    (None, False),
])
def test_private_chats_are_the_positive_ids(chat_id: object, private: bool) -> None:
    assert is_private(chat_id) is private


class Script:
    """A request that fails with the given errors, one per attempt, then succeeds."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.attempts = 0

    async def __call__(self) -> dict[str, Any]:
        self.attempts += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": True}


async def send(limiter: DeliveryLimiter, script: Call, chat_id: object = PRIVATE,
               endpoint: str = "sendMessage") -> Any:
    return await limiter.process_request(script, (), {}, endpoint, {"chat_id": chat_id}, None)


def lost_answer() -> NetworkError:
    return network_error(httpx.RemoteProtocolError("Server disconnected", request=REQUEST))


@pytest.fixture
def limiter() -> DeliveryLimiter:
    return DeliveryLimiter(availability=Availability())


async def test_a_refused_connection_is_undelivered_and_marks_the_api_down(
        limiter: DeliveryLimiter) -> None:
    script = Script(network_error(httpx.ConnectError("refused", request=REQUEST)))
    with pytest.raises(Undelivered):
        await send(limiter, script)
    assert script.attempts == 1 and not limiter.availability.up
    assert await send(limiter, Script()) == {"ok": True}
    assert limiter.availability.up


async def test_a_slow_answer_is_never_sent_again(limiter: DeliveryLimiter) -> None:
    script = Script(network_error(httpx.ReadTimeout("slow", request=REQUEST), TimedOut))
    with pytest.raises(TimedOut):
        await send(limiter, script)
    assert script.attempts == 1


async def test_a_lost_answer_is_sent_once_more_in_private(limiter: DeliveryLimiter) -> None:
    script = Script(lost_answer(), lost_answer())
    with pytest.raises(NetworkError) as raised:
        await send(limiter, script)
    assert not isinstance(raised.value, Undelivered)
    assert script.attempts == 2
    once = Script(lost_answer())
    assert await send(limiter, once) == {"ok": True}
    assert once.attempts == 2


async def test_a_lost_answer_is_not_sent_again_in_a_group(limiter: DeliveryLimiter) -> None:
    script = Script(lost_answer())
    with pytest.raises(NetworkError):
        await send(limiter, script, chat_id=GROUP)
    assert script.attempts == 1


async def test_the_private_rule_can_be_turned_off() -> None:
    limiter = DeliveryLimiter(private_resend=False)
    script = Script(lost_answer())
    with pytest.raises(NetworkError):
        await send(limiter, script)
    assert script.attempts == 1


async def test_an_edit_whose_answer_was_lost_is_safe_to_do_again(
        limiter: DeliveryLimiter) -> None:
    with pytest.raises(Undelivered):
        await send(limiter, Script(lost_answer()), chat_id=GROUP, endpoint="editMessageText")


async def test_a_bad_request_is_raised_as_it_is(limiter: DeliveryLimiter) -> None:
    script = Script(BadRequest("message to be replied not found"))
    with pytest.raises(BadRequest):
        await send(limiter, script)
    assert script.attempts == 1 and limiter.availability.up


async def test_a_429_pauses_that_chat_and_not_the_others(limiter: DeliveryLimiter) -> None:
    told_to_wait = Script(RetryAfter(1))
    waiting = asyncio.create_task(send(limiter, told_to_wait, chat_id=GROUP))
    while told_to_wait.attempts == 0:
        await asyncio.sleep(0)
    other_chat = Script()
    assert await send(limiter, other_chat, chat_id=GROUP - 1) == {"ok": True}
    assert not waiting.done()  # the other chat went first
    same_chat = asyncio.create_task(send(limiter, Script(), chat_id=GROUP))
    assert await waiting == {"ok": True}
    assert await same_chat == {"ok": True}
    assert told_to_wait.attempts == 2


async def test_a_429_is_retried_a_bounded_number_of_times() -> None:
    limiter = DeliveryLimiter(max_retries=1)
    with pytest.raises(RetryAfter):
        await send(limiter, Script(RetryAfter(0), RetryAfter(0)))


async def test_while_the_api_is_down_one_waiter_probes_and_the_others_wait() -> None:
    availability = Availability(first_pause=0.01, longest_pause=30)
    availability.failed(RuntimeError("refused"))
    waiters = [asyncio.create_task(availability.pause(attempt=1)) for _ in range(3)]
    done, waiting = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    assert len(done) == 1 and len(waiting) == 2  # the probe goes; the others wait for it
    availability.succeeded()
    await asyncio.gather(*waiting)
    assert availability.up and availability.failures == 1
