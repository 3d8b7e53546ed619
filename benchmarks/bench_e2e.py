"""End to end: mythbot against the tests' local Bot API server, beside the same bot on
PTB's own Updater (as before the durable inbox) and a bare python-telegram-bot echo bot,
on the same server, in the same run.

The fake server (tests/fake_bot_api.py) runs in this process; each bot runs in a
process of its own (benchmarks/bots.py), so that on 2 cores the server and the bot
do not share one. For each bot, after a warm-up:

- private, paced: one message at a time (a new user each: mythbot's per-user flood
  guard never applies), the next once the previous is handled; latency from the
  update's delivery (the getUpdates answer that carried it) to the reply's
  sendMessage reaching the server, and to the update being fully handled;
- private, burst: N messages at once; updates per second from the first push to
  the last update handled, and the bot process's CPU time per update;
- group chatter, paced and burst, in a supergroup where mythbot is in `auto` mode
  (it answers only clear clichés, so it mostly stays silent) and the echo bot
  ignores group texts: latency from delivery to "handled", and updates per second.

Messages are tests/data/eval.jsonl: realistic questions (and, in private, chatter,
which mythbot answers with its help). Run alone: python -m benchmarks.bench_e2e
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import bench_delivery
from benchmarks.common import (
    ROOT,
    Section,
    Summary,
    cpu_seconds,
    process_cpu_seconds,
    ratio,
    summarise,
    table,
    us,
)
from bot.storage import Store
from bot.telegram.sending import keyboard as cached_keyboard  # proposal.py, now in bot/
from tests.fake_bot_api import FakeBotApi

GROUP_ID = -1001234567890
FIRST_USER = 10_000_000
BOTS = ("echo", "echo-limited", "echo-rich", "mythbot-updater", "mythbot")


@dataclass(frozen=True, slots=True)
class Sizes:
    warmup: int
    paced: int
    burst: int
    rounds: int
    """Each bot is started this many times, bots interleaved; the rounds are pooled."""


FULL = Sizes(warmup=30, paced=100, burst=400, rounds=3)
QUICK = Sizes(warmup=5, paced=10, burst=30, rounds=1)


@dataclass
class Scenario:
    sent: int = 0
    handled: int = 0
    replies: int = 0
    failed_calls: int = 0
    reply_samples: list[float] = field(default_factory=list)
    handled_samples: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    """Updates per second, one figure per round."""
    cpu: float = 0.0
    server_cpu: float = 0.0

    @property
    def reply_latency(self) -> Summary:
        return summarise(self.reply_samples)

    @property
    def handled_latency(self) -> Summary:
        return summarise(self.handled_samples)

    @property
    def per_second(self) -> float:
        return summarise(self.rates).median

    @property
    def cpu_per_update(self) -> float:
        return self.cpu / self.sent if self.sent else float("nan")

    @property
    def server_cpu_per_update(self) -> float:
        return self.server_cpu / self.sent if self.sent else float("nan")

    def add(self, other: Scenario) -> None:
        """Pool another round of the same scenario into this one."""
        self.sent += other.sent
        self.handled += other.handled
        self.replies += other.replies
        self.failed_calls += other.failed_calls
        self.reply_samples += other.reply_samples
        self.handled_samples += other.handled_samples
        self.rates += other.rates
        self.cpu += other.cpu
        self.server_cpu += other.server_cpu


@dataclass
class BotRun:
    kind: str
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    exit_codes: list[int] = field(default_factory=list)
    stderr_tail: str = ""


def _texts() -> tuple[list[str], list[str]]:
    lines = (ROOT / "tests" / "data" / "eval.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [r["text"] for r in rows], [r["text"] for r in rows if r["expect"] is None]


class TimedBotApi(FakeBotApi):
    """The fake server, noting when each sendMessage arrives: a Call's `at` is taken once
    the server has handled it (parsing the reply's HTML takes the fake a while), which
    would put the server's own work in the bot's latency."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: list[tuple[int, int | None, float]] = []
        """(chat id, message id replied to or None, time.monotonic()) per sendMessage."""

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        reply = params.get("reply_parameters")
        reply_to = reply.get("message_id") if isinstance(reply, dict) else None
        with contextlib.suppress(TypeError, ValueError):
            self.arrivals.append((int(params.get("chat_id") or 0),
                                  None if reply_to is None else int(reply_to),
                                  time.monotonic()))
        return await super()._send_message(params)


class Driver:
    """Pushes updates to the fake server and follows them through to the bot's reply."""

    def __init__(self, api: TimedBotApi, process: asyncio.subprocess.Process) -> None:
        self.api = api
        self.process = process
        self.done: dict[int, float] = {}
        self._changed = asyncio.Event()
        self._next_user = FIRST_USER
        self.group = api.add_chat(FakeBotApi.group(GROUP_ID, "Benchmark group"))

    async def read_done(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            parts = raw.decode().split()
            if len(parts) == 3 and parts[0] == "done":
                self.done[int(parts[1])] = float(parts[2])
                self._changed.set()

    async def wait_handled(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.done) < count:
            if self.process.returncode is not None:
                raise RuntimeError(f"the bot exited with {self.process.returncode}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(self.done)} of {count} updates handled\n"
                                   f"{self.api.dump(10)}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 1.0))

    def _user(self) -> dict[str, Any]:
        self._next_user += 1
        return FakeBotApi.user(self._next_user, f"User {self._next_user}", "fr")

    def push(self, text: str, *, group: bool) -> dict[str, Any]:
        user = self._user()
        chat = self.group if group else FakeBotApi.private_chat(user)
        return self.api.send_text(chat, user, text)

    async def scenario(self, texts: list[str], *, group: bool, paced: bool) -> Scenario:
        result = Scenario(sent=len(texts))
        first_call = len(self.api.calls)
        first_arrival = len(self.api.arrivals)
        base = len(self.done)
        cpu_before = process_cpu_seconds(self.process.pid)
        server_before = cpu_seconds()
        started = time.monotonic()
        messages = []
        for number, text in enumerate(texts):
            messages.append(self.push(text, group=group))
            if paced:
                await self.wait_handled(base + number + 1)
        await self.wait_handled(base + len(texts))
        finished = max(self.done.values())
        result.cpu = process_cpu_seconds(self.process.pid) - cpu_before
        result.server_cpu = cpu_seconds() - server_before
        result.rates.append(len(texts) / (finished - started))
        await asyncio.sleep(0.05)  # let the last sendMessage calls be recorded
        calls = self.api.calls[first_call:]
        delivered: dict[tuple[int, int], tuple[int, float]] = {}
        for call in calls:
            if call.method == "getUpdates" and call.ok:
                for update in call.result or []:
                    message = update.get("message")
                    if message is not None:
                        key = (message["chat"]["id"], message["message_id"])
                        delivered.setdefault(key, (update["update_id"], call.at))
        result.failed_calls = sum(c.method == "sendMessage" and not c.ok for c in calls)
        first_message: dict[int, int] = {}
        for message in messages:  # private chats: one user, one message
            first_message.setdefault(message["chat"]["id"], message["message_id"])
        replied: dict[tuple[int, int], float] = {}
        for chat_id, reply_to, at in self.api.arrivals[first_arrival:]:
            if reply_to is None:  # private answers do not quote
                reply_to = first_message.get(chat_id)
            if reply_to is not None:
                replied.setdefault((chat_id, reply_to), at)
        reply_latency: list[float] = []
        handled_latency: list[float] = []
        for message in messages:
            key = (message["chat"]["id"], message["message_id"])
            if key not in delivered:
                continue
            update_id, at = delivered[key]
            if update_id in self.done:
                result.handled += 1
                handled_latency.append(self.done[update_id] - at)
            if key in replied:
                result.replies += 1
                reply_latency.append(replied[key] - at)
        result.reply_samples = reply_latency
        result.handled_samples = handled_latency
        return result


async def run_bot(kind: str, sizes: Sizes, folder: Path, log: Callable[[str], None],
                  profile: Path | None = None) -> BotRun:
    private_texts, chatter = _texts()
    run = BotRun(kind)
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"{kind}.sqlite3"
    with Store(db) as store:  # an admin turned `auto` on in the group, before start-up
        store.update_chat_settings(GROUP_ID, mode="auto")
    api = TimedBotApi(can_read_all_group_messages=True)
    async with api:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        profiler = ([] if profile is None
                    else ["-m", "cProfile", "-o", str(profile / f"{kind}.prof")])
        process = await asyncio.create_subprocess_exec(
            sys.executable, *profiler, "-m", "benchmarks.bots", kind, "--base-url", api.base_url,
            "--token", api.token, "--db", str(db), cwd=str(ROOT), env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        driver = Driver(api, process)
        reader = asyncio.create_task(driver.read_done())
        assert process.stderr is not None
        stderr_task = asyncio.create_task(process.stderr.read())
        try:
            await api.wait_for(lambda: api.polls_waiting > 0, timeout=60,
                               message=f"{kind} never polled")

            def cycle(texts: list[str], n: int, offset: int) -> list[str]:
                return [texts[(offset + i) % len(texts)] for i in range(n)]

            await driver.scenario(cycle(private_texts, sizes.warmup, 0), group=False, paced=False)
            await driver.scenario(cycle(chatter, sizes.warmup, 0), group=True, paced=False)
            plan = (("private, paced", private_texts, False, True, sizes.paced),
                    ("private, burst", private_texts, False, False, sizes.burst),
                    ("group chatter, paced", chatter, True, True, sizes.paced),
                    ("group chatter, burst", chatter, True, False, sizes.burst))
            for offset, (name, texts, group, paced, n) in enumerate(plan):
                run.scenarios[name] = await driver.scenario(cycle(texts, n, offset * 37),
                                                            group=group, paced=paced)
                log(f"{kind}: {name}: {run.scenarios[name].per_second:,.0f} updates/s")
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            try:
                run.exit_codes.append(await asyncio.wait_for(process.wait(), 30))
            except TimeoutError:
                process.kill()
                run.exit_codes.append(await process.wait())
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            err = (await stderr_task).decode(errors="replace")
            run.stderr_tail = "\n".join(line for line in err.splitlines()
                                        if "Traceback" in line or "ERROR" in line)[-2000:]
    return run


@dataclass
class OwnWork:
    """mythbot's own work per message, in-process, no network: seconds (mean) per step."""

    steps: dict[str, Summary] = field(default_factory=dict)
    buttons_per_reply: float = 0.0


def own_work(folder: Path, rounds: int) -> OwnWork:
    """Time what mythbot's handlers do besides the framework: decide, build the reply and
    its keyboard, and the SQLite calls of the private path (a counter for an answer, a
    miss for a question it could not answer) and of the group path (settings, a new
    user's language)."""
    from bot.live import LiveContent
    from bot.replies import reply_for
    from bot.telegram.sending import keyboard

    texts, chatter = _texts()
    live = LiveContent(ROOT)
    matcher = live.matcher
    times: dict[str, list[float]] = {"decide (private)": [], "reply": [], "keyboard": [],
                                     "keyboard, cached (proposal.py)": [],
                                     "SQLite: count an answer (queued)": [],
                                     "SQLite: keep a miss (queued)": [],
                                     "SQLite: group settings (cached)": [],
                                     "SQLite: a new user's language": [],
                                     "decide (group chatter)": []}
    clock = time.perf_counter
    buttons: list[int] = []
    with Store(folder / "own-work.sqlite3") as store:
        user = FIRST_USER
        for _ in range(rounds):
            for text in texts:
                start = clock()
                decision = matcher.decide(text, "private")
                times["decide (private)"].append(clock() - start)
                start = clock()
                reply = reply_for(decision, matcher.content, decision.lang, text,
                                  bot_username="mythbot_test_bot", feedback=True)
                times["reply"].append(clock() - start)
                buttons.append(sum(len(row) for row in reply.buttons))
                start = clock()
                keyboard(reply, "mythbot_test_bot")
                times["keyboard"].append(clock() - start)
                start = clock()
                cached_keyboard(reply, "mythbot_test_bot")
                times["keyboard, cached (proposal.py)"].append(clock() - start)
                start = clock()
                if reply.intent:
                    store.count_answer(reply.intent, decision.lang, "private")
                    times["SQLite: count an answer (queued)"].append(clock() - start)
                elif decision.kind == "none":
                    store.add_miss(text, decision.lang)
                    times["SQLite: keep a miss (queued)"].append(clock() - start)
            for text in chatter:
                user += 1
                start = clock()
                store.chat_settings(GROUP_ID)
                times["SQLite: group settings (cached)"].append(clock() - start)
                start = clock()
                store.user_lang(user)
                times["SQLite: a new user's language"].append(clock() - start)
                start = clock()
                matcher.decide(text, "group")
                times["decide (group chatter)"].append(clock() - start)
    return OwnWork({step: summarise(values) for step, values in times.items()},
                   sum(buttons) / max(len(buttons), 1))


def _lat(summary: Summary) -> str:
    return f"{us(summary.median)} / {us(summary.p95)} / {us(summary.max)}"


def report(runs: dict[str, BotRun], own: OwnWork, rounds: int) -> Section:
    names = list(next(iter(runs.values())).scenarios)
    rows = []
    ratios = []
    inbox: list[list[object]] = []
    headline: dict[str, str] = {}
    for name in names:
        for kind, run in runs.items():
            s = run.scenarios[name]
            latency = s.reply_latency if name.startswith("private") else s.handled_latency
            rows.append([name, kind, f"{s.per_second:,.0f}", _lat(latency),
                         _lat(s.handled_latency), us(s.cpu_per_update),
                         us(s.server_cpu_per_update), f"{s.replies}/{s.sent}", s.failed_calls])
        mine, echo = runs["mythbot"].scenarios[name], runs["echo"].scenarios[name]
        limited = runs["echo-limited"].scenarios[name]
        rich = runs["echo-rich"].scenarios[name]
        key = "reply_latency" if name.startswith("private") else "handled_latency"
        m_lat, e_lat = getattr(mine, key), getattr(echo, key)
        ratios.append([name, ratio(echo.per_second, mine.per_second),
                       ratio(m_lat.median, e_lat.median), ratio(m_lat.p95, e_lat.p95),
                       ratio(mine.cpu_per_update, echo.cpu_per_update),
                       ratio(limited.cpu_per_update, echo.cpu_per_update),
                       ratio(rich.cpu_per_update, echo.cpu_per_update),
                       ratio(mine.cpu_per_update, rich.cpu_per_update)])
        if "mythbot-updater" in runs:
            old = runs["mythbot-updater"].scenarios[name]
            o_lat = getattr(old, key)
            inbox.append([name, f"{old.per_second:,.0f}", f"{mine.per_second:,.0f}",
                          ratio(old.per_second, mine.per_second),
                          f"{us(o_lat.median)} / {us(m_lat.median)}",
                          f"{us(old.cpu_per_update)} / {us(mine.cpu_per_update)}"])
            headline[f"e2e {name}: inbox (after) vs PTB Updater (before)"] = (
                f"{mine.per_second:,.0f} vs {old.per_second:,.0f} updates/s; median latency "
                f"{us(m_lat.median)} vs {us(o_lat.median)}")
        headline[f"e2e {name}: mythbot vs echo"] = (
            f"{mine.per_second:,.0f} vs {echo.per_second:,.0f} updates/s; median latency "
            f"{us(m_lat.median)} vs {us(e_lat.median)} "
            f"(×{m_lat.median / e_lat.median:.2f}); CPU/update "
            f"{us(mine.cpu_per_update)} vs {us(echo.cpu_per_update)}")
    own_rows = [[step, f"{s.n:,}", us(s.median), us(s.mean), us(s.p99)]
                for step, s in own.steps.items()]
    private_own = sum(own.steps[k].mean for k in ("decide (private)", "reply", "keyboard"))
    burst = {kind: run.scenarios["private, burst"].cpu_per_update for kind, run in runs.items()}
    extra = burst["mythbot"] - burst["echo"]
    framework = burst["echo-rich"] - burst["echo"]
    exits = ", ".join(f"{kind} {' '.join(map(str, run.exit_codes))}"
                      for kind, run in runs.items())
    errors = "\n".join(f"- {kind}: `{run.stderr_tail}`" for kind, run in runs.items()
                       if run.stderr_tail)
    parts = [
        "Each bot in its own process, polling the fake Bot API server (tests/fake_bot_api.py, "
        "in the driver's process) over HTTP on 127.0.0.1. *mythbot*: the real bot of "
        "`mythbot run` (`build_application` and `Service`: shipped content, SQLite, the "
        "durable inbox, up to 32 chats at once) with its `DeliveryLimiter` raised from 30 "
        "msg/s overall and 20/min per group to 100,000/s, so that flood limits do not cap "
        "the measurement (the limiter's bookkeeping stays). *mythbot-updater*: the same bot "
        "and handlers on PTB's own Updater (`run_polling`, 32 updates at once, each batch "
        "confirmed to Telegram as soon as fetched), as it ran before the durable inbox. "
        "*echo*: bare PTB, 32 updates at once, private texts echoed, group "
        "texts ignored. *echo-limited*: echo + mythbot's raised limiter. *echo-rich*: echo "
        "answering every private text with one fixed, typical mythbot answer (HTML rebuttal "
        "and its inline keyboard, built once): the framework's cost of mythbot's kind of "
        "reply, without mythbot's work per message. Latency: from the "
        "getUpdates answer that delivered the update to the reply's sendMessage reaching the "
        "server (private) or to the update being fully handled (group, where mythbot stays "
        f"silent on chatter). Each bot is started {rounds} time(s), the bots interleaved, and "
        "the rounds pooled (latencies and CPU pooled, updates/s the median of the rounds). "
        "Updates/s: first push to last update handled. CPU/update: the "
        "bot process's user+system time over the scenario, per update (10 ms clock ticks: "
        "coarse on short scenarios); server CPU: the driver + fake server process, whose "
        "Python HTML parser pays for mythbot's long HTML replies.",
        "",
        table(["scenario", "bot", "updates/s", "latency median / p95 / max",
               "handled median / p95 / max", "bot CPU per update", "server CPU per update",
               "replies", "failed calls"],
              rows),
        "",
        "What mythbot adds over the framework (ratios mythbot / echo, measured in the same "
        "run; throughput as echo/mythbot so that > 1 means mythbot is slower):",
        "",
        table(["scenario", "throughput echo/mythbot", "latency median", "latency p95",
               "CPU per update", "CPU: echo-limited / echo", "CPU: echo-rich / echo",
               "CPU: mythbot / echo-rich"], ratios),
        "",
        "What the durable inbox costs (issue 9): *before*, the bot on PTB's Updater; "
        "*after*, the bot as it runs, each update recorded in SQLite (one transaction per "
        "fetched batch, on the writer thread) before Telegram is told it arrived, and handled "
        "in its chat's lane. Same run, same handlers; throughput as before/after, so that "
        "> 1 means the inbox is slower:",
        "",
        table(["scenario", "updates/s before", "updates/s after", "before/after",
               "latency median before / after", "bot CPU per update before / after"],
              inbox),
        "",
        f"Exit codes after SIGTERM: {exits}.",
        "",
        "mythbot's own work per message, timed in-process without the network (shipped "
        "content, tests/data/eval.jsonl; SQLite in WAL mode as the bot opens it):",
        "",
        table(["step", "calls", "median", "mean", "p99"], own_rows),
        "",
        f"In the private burst above mythbot spends {us(extra)} more bot CPU per update than "
        f"the echo bot. Sending mythbot's kind of reply accounts for {us(framework)} of it "
        "(echo-rich − echo: PTB and httpx serialise the HTML and the keyboard and parse the "
        f"larger `Message` that comes back); the remaining {us(extra - framework)} compares "
        f"with mythbot's own steps timed in-process: decide + reply + keyboard "
        f"{us(private_own)} on average, plus queueing one SQLite write (done on the writer "
        "thread) per answer "
        f"({us(own.steps['SQLite: count an answer (queued)'].mean)}) or miss "
        f"({us(own.steps['SQLite: keep a miss (queued)'].mean)}). The rest is not broken down "
        "here: "
        "mythbot's replies vary (an 11-button menu for what it does not recognise, which the "
        "framework builds, sends and parses back), and `--profile` shows no single hot spot "
        "in bot/.",
    ]
    if errors:
        parts += ["", "Errors logged by the bots:", "", errors]
    return Section("End to end", "\n".join(parts), headline)


async def _run_all(sizes: Sizes, log: Callable[[str], None],
                   profile: Path | None) -> dict[str, BotRun]:
    runs: dict[str, BotRun] = {}
    with tempfile.TemporaryDirectory(prefix="mythbot-bench-") as folder:
        for round_ in range(sizes.rounds):  # interleaved, so that drift hits every bot alike
            for kind in BOTS:
                run = await run_bot(kind, sizes, Path(folder) / str(round_), log, profile)
                if kind not in runs:
                    runs[kind] = run
                    continue
                pooled = runs[kind]
                for name, scenario in run.scenarios.items():
                    pooled.scenarios[name].add(scenario)
                pooled.exit_codes += run.exit_codes
                pooled.stderr_tail = (pooled.stderr_tail + "\n" + run.stderr_tail).strip()
    return runs


def run(quick: bool = False, log: Callable[[str], None] = print,
        profile: Path | None = None) -> tuple[Section, dict[str, BotRun], OwnWork]:
    runs = asyncio.run(_run_all(QUICK if quick else FULL, log, profile))
    with tempfile.TemporaryDirectory(prefix="mythbot-bench-") as folder:
        own = own_work(Path(folder), 1 if quick else 3)
    section = report(runs, own, (QUICK if quick else FULL).rounds)
    delivery = bench_delivery.run(quick, log)
    return Section(section.title, f"{section.markdown}\n\n### {delivery.title}\n\n"
                                  f"{delivery.markdown}", {**section.headline,
                                                           **delivery.headline}), runs, own


HEADLINE_PREFIXES = ("- **e2e ", "- **delivery")


def write_into(results: Path, section: Section) -> None:
    """Put this run's end-to-end section, and its summary lines, in RESULTS.md in place of
    the previous ones; the other benchmarks' parts stay as `make bench` wrote them."""
    lines = results.read_text(encoding="utf-8").split("\n")
    kept = [i for i, line in enumerate(lines) if line.startswith(HEADLINE_PREFIXES)]
    at = kept[0] if kept else next(i for i, line in enumerate(lines)
                                   if line.startswith("## Summary")) + 2
    lines = [line for line in lines if not line.startswith(HEADLINE_PREFIXES)]
    lines[at:at] = [f"- **{key}**: {value}" for key, value in section.headline.items()]
    start = lines.index(f"## {section.title}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines[start:end] = [f"## {section.title}", "",
                        f"*Measured alone (`python -m benchmarks.bench_e2e --write`) on {stamp}; "
                        "the other sections come from the last `make bench`.*", "",
                        section.markdown, ""]
    results.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few messages per scenario")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="run each bot under cProfile, writing DIR/<bot>.prof "
                             "(figures are then slower: for finding where the time goes)")
    parser.add_argument("--write", nargs="?", type=Path, const=ROOT / "benchmarks" /
                        "RESULTS.md", metavar="RESULTS", help="replace the end-to-end part "
                        "of benchmarks/RESULTS.md (or of RESULTS) with this run's")
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    section, _, _ = run(args.quick, profile=args.profile)
    print(section.markdown)
    if args.write:
        write_into(args.write, section)


if __name__ == "__main__":
    main()
