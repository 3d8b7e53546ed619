"""Start-up: from process start to the first getUpdates the server sees.

`python -m bot.cli run` (what `mythbot run` does: imports, content load and check,
SQLite, getMe, deleteWebhook, setMyCommands, then polling), pointed at the tests'
fake Bot API server with TELEGRAM_BOT_TOKEN, TELEGRAM_BASE_URL and MYTHBOT_DB in a
temporary folder; beside it the bare PTB echo bot of benchmarks/bots.py. Each is
started a few times (median); then stopped with SIGTERM, which must end it cleanly
(exit status 0, no traceback). Run alone: python -m benchmarks.bench_startup
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import ROOT, Section, Summary, ratio, summarise, table, us
from tests.fake_bot_api import FakeBotApi


@dataclass
class Startup:
    name: str
    first_request: list[float] = field(default_factory=list)
    first_poll: list[float] = field(default_factory=list)
    stop: list[float] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def poll(self) -> Summary:
        return summarise(self.first_poll)


IMPORTS = {
    "mythbot imports": "import bot.cli, bot.telegram.runner",
    "echo imports": "import benchmarks.bots",
}
"""Processes that only import what each bot imports, and exit: timed to their exit."""


def _command(name: str, api: FakeBotApi, db: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": api.token,
           "TELEGRAM_BASE_URL": api.base_url, "MYTHBOT_DB": str(db)}
    if name in IMPORTS:
        return [sys.executable, "-c", IMPORTS[name]], env
    if name == "mythbot":
        return [sys.executable, "-m", "bot.cli", "run"], env
    return [sys.executable, "-m", "benchmarks.bots", "echo", "--base-url", api.base_url,
            "--token", api.token], env


async def _imports(name: str, result: Startup, folder: Path) -> None:
    async with FakeBotApi() as api:
        command, env = _command(name, api, folder / "unused.sqlite3")
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *command, cwd=str(ROOT), env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        code = await process.wait()
        result.first_poll.append(time.monotonic() - started)
        result.exit_codes.append(code)


async def _once(name: str, result: Startup, folder: Path, attempt: int) -> None:
    async with FakeBotApi() as api:
        command, env = _command(name, api, folder / f"{name}-{attempt}.sqlite3")
        polled: list[float] = []

        def polling() -> bool:
            if not polled and (api.polls_waiting > 0 or api.calls_to("getUpdates")):
                polled.append(time.monotonic())
            return bool(polled)

        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *command, cwd=str(ROOT), env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        assert process.stderr is not None
        stderr = asyncio.create_task(process.stderr.read())
        try:
            await api.wait_for(polling, timeout=60, message=f"{name} never polled")
            result.first_poll.append(polled[0] - started)
            if api.calls:
                result.first_request.append(api.calls[0].at - started)
        finally:
            stopping = time.monotonic()
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            try:
                code = await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                code = await process.wait()
                result.problems.append("did not stop within 30 s of SIGTERM")
            result.stop.append(time.monotonic() - stopping)
            result.exit_codes.append(code)
            err = (await stderr).decode(errors="replace")
            if "Traceback" in err:
                result.problems.append("traceback on stderr: " + err.strip().splitlines()[-1])


async def _measure(runs: int, log: Callable[[str], None]) -> list[Startup]:
    results = [Startup("mythbot"), Startup("echo")] + [Startup(name) for name in IMPORTS]
    with tempfile.TemporaryDirectory(prefix="mythbot-startup-") as folder:
        for attempt in range(runs):  # alternate, so that drift hits both alike
            for result in results:
                if result.name in IMPORTS:
                    await _imports(result.name, result, Path(folder))
                else:
                    await _once(result.name, result, Path(folder), attempt)
        for result in results:
            log(f"start-up {result.name}: median {us(result.poll.median)}")
    return results


def report(results: list[Startup]) -> Section:
    rows = []
    for r in results:
        if r.name in IMPORTS:
            rows.append([f"{r.name} (`python -c \"{IMPORTS[r.name]}\"`, to exit)",
                         len(r.first_poll), us(r.poll.median), us(r.poll.max), "", "",
                         ", ".join(str(c) for c in r.exit_codes), ""])
            continue
        first = summarise(r.first_request)
        clean = all(code == 0 for code in r.exit_codes) and not r.problems
        rows.append([r.name, len(r.first_poll), us(r.poll.median), us(r.poll.max),
                     us(first.median), us(summarise(r.stop).median),
                     ", ".join(str(c) for c in r.exit_codes),
                     "yes" if clean else "NO: " + "; ".join(r.problems)])
    mythbot, echo = results[0], results[1]
    headline = {"start-up to first getUpdates (median)": (
        f"mythbot {us(mythbot.poll.median)}, bare PTB echo {us(echo.poll.median)} "
        f"(×{mythbot.poll.median / echo.poll.median:.2f})")}
    parts = [
        "From `asyncio.create_subprocess_exec` to the fake server seeing the first getUpdates "
        "(its first request — getMe — in the next column). *mythbot*: `python -m bot.cli run` "
        "with TELEGRAM_BOT_TOKEN, TELEGRAM_BASE_URL and MYTHBOT_DB set (a new SQLite file each "
        "time). *echo*: the bare PTB bot of benchmarks/bots.py. Stopped with SIGTERM.",
        "",
        table(["bot", "runs", "to first getUpdates (median)", "max", "to first request (median)",
               "SIGTERM to exit (median)", "exit codes", "clean stop"], rows),
        "",
        f"mythbot / echo: {ratio(mythbot.poll.median, echo.poll.median)} "
        f"(what mythbot's imports, content load + check, SQLite and command registration "
        f"add: {us(mythbot.poll.median - echo.poll.median)}).",
    ]
    return Section("Start-up", "\n".join(parts), headline)


def run(quick: bool = False, log: Callable[[str], None] = print) -> tuple[Section,
                                                                          list[Startup]]:
    results = asyncio.run(_measure(1 if quick else 5, log))
    return report(results), results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one start of each")
    args = parser.parse_args()
    section, _ = run(args.quick)
    print(section.markdown)


if __name__ == "__main__":
    main()
