"""Delivery under faults: what mythbot loses, or says twice, when its process dies, the Bot
API goes away or loses answers, another process holds the database, or a backlog piles up.

Each scenario drives the real bot against the tests' fake Bot API server
(tests/fake_bot_api.py, in this process) with Telegram's flood limits (30 messages a
second, 20 a minute per group): `mythbot run` in a process of its own, except the mix of
lost answers, which runs the bot in this process to compare the two private-chat rules.
Private questions come from distinct users (one chat each), so that a chat with no reply
is a lost answer and a chat with two is a duplicate.

Run alone: python -m benchmarks.bench_delivery [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import Section, summarise, table, us
from bot.storage import Store
from bot.telegram.delivery import DeliveryLimiter
from tests.fake_bot_api import FakeBotApi
from tests.harness import running_bot, start_process

QUESTION = "combien gagne un social media manager ?"
GROUP_BASE = -1_009_000_000


@dataclass(frozen=True, slots=True)
class Sizes:
    kill_burst: int
    kill_after: int
    outage_burst: int
    outages: tuple[float, ...]
    stop_burst: int
    mix_messages: int
    queued: int
    lock_messages: int


FULL = Sizes(kill_burst=500, kill_after=150, outage_burst=300, outages=(10.0, 30.0),
             stop_burst=300, mix_messages=200, queued=600, lock_messages=30)
QUICK = Sizes(kill_burst=60, kill_after=20, outage_burst=40, outages=(2.0,), stop_burst=60,
              mix_messages=30, queued=100, lock_messages=5)


def users(n: int, first: int) -> list[dict[str, Any]]:
    return [FakeBotApi.user(first + i, f"U{i}", language_code="fr") for i in range(n)]


def ask(api: FakeBotApi, people: list[dict[str, Any]]) -> None:
    for user in people:
        api.send_text(FakeBotApi.private_chat(user), user, QUESTION)


def lost_twice(api: FakeBotApi, chat_ids: list[int]) -> tuple[int, int]:
    wanted = set(chat_ids)
    counts = Counter(m["chat"]["id"] for m in api.sent() if m["chat"]["id"] in wanted)
    return (sum(1 for c in chat_ids if counts[c] == 0),
            sum(n - 1 for n in counts.values() if n > 1))


async def answered(api: FakeBotApi, chat_ids: list[int], timeout: float) -> None:
    await api.wait_for(lambda: lost_twice(api, chat_ids)[0] == 0, timeout,
                       "not every chat was answered")


@dataclass
class Row:
    scenario: str
    sent: int
    lost: int
    twice: int
    note: str


async def kill_mid_burst(sizes: Sizes, folder: Path) -> Row:
    async with FakeBotApi() as api:
        db = folder / "kill.sqlite3"
        people = users(sizes.kill_burst, 20_000_000)
        first = await start_process(api, db)
        ask(api, people)
        await api.wait_for_messages(sizes.kill_after, timeout=120)
        first.signal(signal.SIGKILL)
        await first.wait(30)
        before = len(api.sent())
        second = await start_process(api, db)
        started = time.monotonic()
        await answered(api, [u["id"] for u in people], timeout=300)
        catch_up = time.monotonic() - started
        second.signal(signal.SIGTERM)
        await second.wait(30)
        lost, twice = lost_twice(api, [u["id"] for u in people])
    return Row(f"kill -9 after {before} of {len(people)} replies, restart", len(people), lost,
               twice, f"the other {len(people) - before} answered {catch_up:.1f} s after the "
                      "restart")


async def outage_mid_burst(sizes: Sizes, folder: Path, seconds: float) -> Row:
    async with FakeBotApi() as api:
        people = users(sizes.outage_burst, 21_000_000 + int(seconds) * 10_000)
        bot = await start_process(api, folder / f"outage{seconds:.0f}.sqlite3")
        ask(api, people)
        await api.wait_for_messages(sizes.outage_burst // 3, timeout=120)
        await api.go_down()
        await asyncio.sleep(seconds)  # the outage itself: part of the scenario, not a wait
        await api.come_back()
        back = time.monotonic()
        await answered(api, [u["id"] for u in people], timeout=300)
        catch_up = time.monotonic() - back
        bot.signal(signal.SIGTERM)
        await bot.wait(30)
        lost, twice = lost_twice(api, [u["id"] for u in people])
    return Row(f"Bot API unreachable {seconds:.0f} s in a {len(people)}-message burst",
               len(people), lost, twice, f"all answered {catch_up:.1f} s after it came back")


async def stop_mid_burst(sizes: Sizes, folder: Path) -> tuple[Row, float, int]:
    async with FakeBotApi() as api:
        db = folder / "stop.sqlite3"
        people = users(sizes.stop_burst, 22_000_000)
        first = await start_process(api, db)
        ask(api, people)
        await api.wait_for_messages(sizes.stop_burst // 4, timeout=120)
        first.signal(signal.SIGTERM)
        started = time.monotonic()
        code = await first.wait(60)
        took = time.monotonic() - started
        before = len(api.sent())
        second = await start_process(api, db)
        await answered(api, [u["id"] for u in people], timeout=300)
        second.signal(signal.SIGTERM)
        await second.wait(30)
        lost, twice = lost_twice(api, [u["id"] for u in people])
    return (Row(f"SIGTERM after {before} of {len(people)} replies, restart", len(people), lost,
                twice, f"exit {code} after {took:.2f} s"), took, code)


async def lost_answers(sizes: Sizes, folder: Path, *, resend: bool,
                       lose: float, drop: float) -> tuple[Row, Row]:
    """Private and group questions while each sendMessage may lose its answer (after the
    message was posted) or its request (before): the two fates look the same to the bot."""
    # The bot runs in this process here: its warnings about each fault are expected.
    quiet = logging.getLogger("bot")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        return await _lost_answers(sizes, folder, resend=resend, lose=lose, drop=drop)
    finally:
        quiet.setLevel(level)


async def _lost_answers(sizes: Sizes, folder: Path, *, resend: bool,
                        lose: float, drop: float) -> tuple[Row, Row]:
    async with FakeBotApi(can_read_all_group_messages=True) as api:
        api.fault_mix("sendMessage", lose_answer=lose, drop_request=drop, seed=9)
        limiter = DeliveryLimiter(private_resend=resend)
        db = folder / f"mix-{resend}-{lose}-{drop}.sqlite3"
        async with running_bot(api, db, limiter=limiter) as bot:
            people = users(sizes.mix_messages, 23_000_000)
            ask(api, people)
            groups = []
            for i, user in enumerate(users(sizes.mix_messages, 24_000_000)):
                group = FakeBotApi.group(GROUP_BASE - i, f"G{i}")
                groups.append(group["id"])
                api.send_text(group, user, f"@mythbot_test_bot {QUESTION}")
            await api.wait_idle(quiet=0.5, timeout=300)
            await bot.inbox.idle()
        private = lost_twice(api, [u["id"] for u in people])
        group = lost_twice(api, groups)
    rule = "sent once more (mythbot)" if resend else "never sent again"
    return (Row(f"private, lost answer {rule}", len(people), *private, ""),
            Row("group, never sent again", len(groups), *group, ""))


async def outage_with_each_rule(sizes: Sizes, folder: Path, *, resend: bool) -> Row:
    """The Bot API goes down in the middle of a burst of private questions, in this process
    so that the private rule can be chosen: requests in flight are cut."""
    quiet = logging.getLogger("bot")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        async with FakeBotApi() as api:
            limiter = DeliveryLimiter(private_resend=resend)
            db = folder / f"outage-rule-{resend}.sqlite3"
            async with running_bot(api, db, limiter=limiter) as bot:
                people = users(sizes.mix_messages, 27_000_000)
                ask(api, people)
                # During Telegram's first burst of 30, when many sends are in flight.
                await api.wait_for_messages(5, timeout=120)
                await api.go_down()
                await bot.inbox.wait_for(lambda: bot.availability.failures >= 10, timeout=60)
                await api.come_back()
                await api.wait_idle(quiet=0.5, timeout=300)
                await bot.inbox.idle()
            lost, twice = lost_twice(api, [u["id"] for u in people])
    finally:
        quiet.setLevel(level)
    rule = "sent once more (mythbot)" if resend else "never sent again"
    return Row(f"API down mid-burst, private, lost answer {rule}", len(people), lost, twice,
               "")


async def deadlines_behind_a_backlog(sizes: Sizes, folder: Path) -> tuple[float, float, int]:
    async with FakeBotApi() as api:
        bot = await start_process(api, folder / "backlog.sqlite3")
        alice = FakeBotApi.user(25_000_000, "Alice", language_code="fr")
        api.send_text(FakeBotApi.private_chat(alice), alice, "/myths")
        (menu,) = await api.wait_for_messages(1, chat_id=alice["id"], timeout=60)
        ask(api, users(sizes.queued, 25_000_001))
        pushed = time.monotonic()
        press = api.press_button(alice, menu, "m:salary")
        query = api.inline_query(alice, "facebook")
        await api.wait_for(lambda: press in api.callback_answers
                           and query in api.inline_answers, timeout=120)
        at = {c.method: c.at for c in api.calls
              if c.method in ("answerCallbackQuery", "answerInlineQuery") and c.ok}
        replies = sum(c.method == "sendMessage" and c.at <= at["answerCallbackQuery"]
                      for c in api.calls) - 1
        bot.signal(signal.SIGTERM)
        await bot.wait(30)
    return at["answerCallbackQuery"] - pushed, at["answerInlineQuery"] - pushed, replies


async def replies_with_the_lock_held(sizes: Sizes, folder: Path,
                                     held: bool) -> tuple[list[float], int]:
    db = folder / f"lock-{held}.sqlite3"
    Store(db).close()
    other = sqlite3.connect(db, isolation_level=None)
    if held:
        other.execute("BEGIN IMMEDIATE")
    latencies: list[float] = []
    try:
        async with FakeBotApi() as api:
            bot = await start_process(api, db)
            for user in users(sizes.lock_messages, 26_000_000 + held * 10_000):
                message = api.send_text(FakeBotApi.private_chat(user), user, QUESTION)
                pushed = time.monotonic()
                await api.wait_for_messages(1, chat_id=user["id"], timeout=60)
                latencies.append(time.monotonic() - pushed)
                assert message
            bot.signal(signal.SIGTERM)
            await bot.wait(30)
            log = await bot.log()
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()
    return latencies, log.count("cannot write to")


async def _run(sizes: Sizes, log: Callable[[str], None]) -> Section:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="mythbot-delivery-") as name:
        folder = Path(name)
        rows.append(await kill_mid_burst(sizes, folder))
        log(f"delivery: {rows[-1].scenario}: lost {rows[-1].lost}, twice {rows[-1].twice}")
        for seconds in sizes.outages:
            rows.append(await outage_mid_burst(sizes, folder, seconds))
            log(f"delivery: {rows[-1].scenario}: lost {rows[-1].lost}")
        stop, stop_took, stop_code = await stop_mid_burst(sizes, folder)
        rows.append(stop)
        log(f"delivery: {stop.scenario}: {stop.note}")
        mixes = []
        for lose, drop in ((0.05, 0.05), (0.05, 0.0), (0.0, 0.05)):
            for resend in (True, False):
                private, group = await lost_answers(sizes, folder, resend=resend, lose=lose,
                                                    drop=drop)
                mixes.append([f"{lose:.0%} / {drop:.0%}", private.scenario.split(", ")[1],
                              f"{private.lost} / {private.twice} of {private.sent}",
                              f"{group.lost} / {group.twice} of {group.sent}"])
        for resend in (True, False):
            row = await outage_with_each_rule(sizes, folder, resend=resend)
            mixes.append(["API down mid-burst", row.scenario.split("answer ")[1],
                          f"{row.lost} / {row.twice} of {row.sent}", ""])
        log("delivery: lost-answer mixes measured")
        callback, inline, before_answer = await deadlines_behind_a_backlog(sizes, folder)
        log(f"delivery: button answered {callback:.2f} s after its press behind "
            f"{sizes.queued} messages")
        free, _ = await replies_with_the_lock_held(sizes, folder, held=False)
        locked, logged = await replies_with_the_lock_held(sizes, folder, held=True)
    free_s, locked_s = summarise(free), summarise(locked)
    parts = [
        __doc__.split("\n\n")[1].replace("\n", " "),
        "",
        table(["scenario", "questions", "lost", "answered twice", ""],
              [[r.scenario, r.sent, r.lost, r.twice, r.note] for r in rows]),
        "",
        "Lost answers, the private-chat rule (bot/telegram/delivery.py, `PRIVATE_RESEND`). "
        "Each sendMessage may have its answer lost after the message was posted, or its "
        "request dropped before: both look the same to the bot (the connection closed with "
        "no answer). A group message is never sent again; in a private chat, mythbot sends "
        "it once more; both private rules are measured. Last rows: the Bot API goes down "
        "while a burst is being answered, cutting the requests in flight. Lost / answered "
        "twice:",
        "",
        table(["faults: answer lost / request lost", "private rule", "private chats",
               "groups"], mixes),
        "",
        "In a private chat, sending once more turns every dropped request into an answer, "
        "at the price of one duplicate for each lost answer (at most one per question); a "
        "question is lost only when the second send fails too. Not sending again loses "
        "every question whose request was dropped, and an outage drops requests: the ones "
        "in flight when the API goes away (last rows). Since a question left unanswered "
        "breaks the promise of a private chat (every text gets an answer) and the same "
        "rebuttal twice in a one-to-one chat is a small annoyance, mythbot sends once more "
        "there. In a group the same trade would post a duplicate in front of everyone: "
        "silence is the better failure. A send that timed out waiting for the answer is "
        "never sent again, in any chat: Telegram got it and is slow.",
        "",
        f"Deadlines behind a backlog: {sizes.queued} private questions queued, then a button "
        f"press and an inline query. The button was answered {callback:.2f} s after it was "
        f"pressed, the inline query {inline:.2f} s after it was typed, with {before_answer} "
        "replies of the backlog sent before them (Telegram refuses answers after about 10 s).",
        "",
        f"Another process holding the database's write lock: {len(locked)} questions asked one "
        f"at a time, reply latency median {us(locked_s.median)}, max {us(locked_s.max)} "
        f"(without the lock: median {us(free_s.median)}, max {us(free_s.max)}); the failing "
        f"write logged {logged} time(s), and written once the lock was released.",
    ]
    worst = max(rows, key=lambda r: r.lost)
    headline = {
        "delivery: lost / answered twice": "; ".join(
            f"{r.scenario}: {r.lost} / {r.twice}" for r in rows),
        "delivery: SIGTERM mid-burst": f"exit {stop_code} in {stop_took:.2f} s",
        "delivery: deadlines behind a backlog": (
            f"button {callback:.2f} s, inline query {inline:.2f} s behind {sizes.queued} "
            "queued messages"),
    }
    if worst.lost:
        headline["delivery: WORST"] = f"{worst.scenario} lost {worst.lost}"
    return Section("Delivery under faults", "\n".join(parts), headline)


def run(quick: bool = False, log: Callable[[str], None] = print) -> Section:
    return asyncio.run(_run(QUICK if quick else FULL, log))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a short outage")
    args = parser.parse_args()
    print(run(args.quick).markdown)


if __name__ == "__main__":
    main()
