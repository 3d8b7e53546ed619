"""Start-up: from process start to the first getUpdates the server sees, and `ask` to exit.

`python -m bot.cli run` (what `mythbot run` does: imports, content load, the model from
its cache or trained, SQLite, getMe, deleteWebhook, setMyCommands, then polling), pointed
at the tests' fake Bot API server with TELEGRAM_BOT_TOKEN, TELEGRAM_BASE_URL, MYTHBOT_DB
and MYTHBOT_CACHE in a temporary folder:

- with a cached model: MYTHBOT_CACHE holds this content's model (a restart with unchanged
  content);
- with no cached model: an empty MYTHBOT_CACHE each time (first start, or edited content),
  so it trains before it polls;
- before the model: the same command on the tree of commit BEFORE_MODEL (the fuzzy engine
  and the content it shipped with, extracted with `git archive`), the start-up issue 8
  compares with;

beside them the bare PTB echo bot of benchmarks/bots.py. Each is started a few times
(median), interleaved; then stopped with SIGTERM, which must end it cleanly (exit status
0, no traceback). `python -m bot.cli ask TEXT`, timed to its exit, the same three ways.
Run alone: python -m benchmarks.bench_startup
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
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


BEFORE_MODEL = "4032453"
"""The last commit before the trained model: the fuzzy engine and its own content."""
ASK = "un smm doit rester diplomate quoi qu'il arrive non ?"
CACHED, UNCACHED, BEFORE = "mythbot, cached model", "mythbot, no cached model", \
    "mythbot before the model"
ASK_CACHED, ASK_UNCACHED, ASK_BEFORE = "ask, cached model", "ask, no cached model", \
    "ask, before the model"
POLLING = (CACHED, UNCACHED, BEFORE, "echo")
TO_EXIT = {
    "mythbot imports": ["-c", "import bot.cli, bot.telegram.runner"],
    "echo imports": ["-c", "import benchmarks.bots"],
    ASK_CACHED: ["-m", "bot.cli", "ask", ASK],
    ASK_UNCACHED: ["-m", "bot.cli", "ask", ASK],
    ASK_BEFORE: ["-m", "bot.cli", "ask", ASK],
}
"""Processes timed to their exit: what each bot imports, and one `ask`."""


@dataclass(frozen=True, slots=True)
class Trees:
    """Where each contender runs from, and its model cache."""

    folder: Path
    warm: Path
    before: Path | None
    """The tree of BEFORE_MODEL, or None when git could not extract it."""

    def root(self, name: str) -> Path:
        return self.before if self.before and name in (BEFORE, ASK_BEFORE) else ROOT

    def cache(self, name: str, attempt: int) -> Path:
        if name in (UNCACHED, ASK_UNCACHED):  # a new, empty folder every time
            return self.folder / f"cold-{name.split(',')[0]}-{attempt}"
        return self.warm


def _before_tree(folder: Path, log: Callable[[str], None]) -> Path | None:
    tree = folder / f"before-{BEFORE_MODEL}"
    tree.mkdir()
    try:
        archive = subprocess.run(["git", "archive", BEFORE_MODEL, "bot", "intents",
                                  "responses"], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        log(f"start-up: no tree of {BEFORE_MODEL} ({exc}); its rows are left out")
        return None
    return tree


def _command(name: str, api: FakeBotApi, db: Path, trees: Trees,
             attempt: int) -> tuple[list[str], dict[str, str], Path]:
    root = trees.root(name)
    env = {**os.environ, "PYTHONPATH": str(root), "TELEGRAM_BOT_TOKEN": api.token,
           "TELEGRAM_BASE_URL": api.base_url, "MYTHBOT_DB": str(db),
           "MYTHBOT_CACHE": str(trees.cache(name, attempt))}
    env.pop("MYTHBOT_CONTENT", None)  # each tree reads its own intents/ and responses/
    if name in TO_EXIT:
        return [sys.executable, *TO_EXIT[name]], env, root
    if name == "echo":
        return [sys.executable, "-m", "benchmarks.bots", "echo", "--base-url", api.base_url,
                "--token", api.token], env, root
    return [sys.executable, "-m", "bot.cli", "run"], env, root


async def _to_exit(name: str, result: Startup, trees: Trees, attempt: int) -> None:
    async with FakeBotApi() as api:
        command, env, root = _command(name, api, trees.folder / "unused.sqlite3", trees,
                                      attempt)
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *command, cwd=str(root), env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        _, err = await process.communicate()
        result.first_poll.append(time.monotonic() - started)
        result.exit_codes.append(process.returncode or 0)
        if process.returncode:
            lines = err.decode(errors="replace").strip().splitlines() or ["no output"]
            result.problems.append(lines[-1])


async def _once(name: str, result: Startup, trees: Trees, attempt: int) -> None:
    async with FakeBotApi() as api:
        command, env, root = _command(name, api, trees.folder / f"{attempt}-{name}.sqlite3",
                                      trees, attempt)
        polled: list[float] = []

        def polling() -> bool:
            if not polled and (api.polls_waiting > 0 or api.calls_to("getUpdates")):
                polled.append(time.monotonic())
            return bool(polled)

        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *command, cwd=str(root), env=env, stdout=asyncio.subprocess.DEVNULL,
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


def _warm(trees: Trees) -> str | None:
    """Put this content's model in the warm cache (untimed): one `ask` that trains."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MYTHBOT_CACHE": str(trees.warm)}
    env.pop("MYTHBOT_CONTENT", None)
    done = subprocess.run([sys.executable, *TO_EXIT[ASK_CACHED]], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["no output"])[-1]
    return None


async def _measure(runs: int, log: Callable[[str], None]) -> list[Startup]:
    with tempfile.TemporaryDirectory(prefix="mythbot-startup-") as scratch:
        folder = Path(scratch)
        trees = Trees(folder, folder / "warm-cache", _before_tree(folder, log))
        names = [n for n in [*POLLING, *TO_EXIT]
                 if trees.before or n not in (BEFORE, ASK_BEFORE)]
        results = [Startup(name) for name in names]
        problem = _warm(trees)
        if problem:
            log(f"start-up: warming the model cache failed: {problem}")
        for attempt in range(runs):  # interleaved, so that drift hits all alike
            for result in results:
                if result.name in TO_EXIT:
                    await _to_exit(result.name, result, trees, attempt)
                else:
                    await _once(result.name, result, trees, attempt)
        for result in results:
            log(f"start-up {result.name}: median {us(result.poll.median)}")
    return results


def by_name(results: list[Startup]) -> dict[str, Startup]:
    return {r.name: r for r in results}


def report(results: list[Startup]) -> Section:
    rows = []
    for r in results:
        if r.name in TO_EXIT:
            shown = " ".join([*TO_EXIT[r.name][:-1], f'"{TO_EXIT[r.name][-1]}"'])
            clean = all(code == 0 for code in r.exit_codes)
            rows.append([f"{r.name} (`python {shown}`, to exit)",
                         len(r.first_poll), us(r.poll.median), us(r.poll.max), "", "",
                         ", ".join(str(c) for c in r.exit_codes),
                         "" if clean else "NO: " + "; ".join(r.problems[:1])])
            continue
        first = summarise(r.first_request)
        clean = all(code == 0 for code in r.exit_codes) and not r.problems
        rows.append([r.name, len(r.first_poll), us(r.poll.median), us(r.poll.max),
                     us(first.median), us(summarise(r.stop).median),
                     ", ".join(str(c) for c in r.exit_codes),
                     "yes" if clean else "NO: " + "; ".join(r.problems)])
    found = by_name(results)
    cached, uncached, echo = found[CACHED], found[UNCACHED], found["echo"]
    before = found.get(BEFORE)
    headline = {"start-up to first getUpdates (median): cached model; no cached model": (
        f"{us(cached.poll.median)}; {us(uncached.poll.median)} "
        f"(×{uncached.poll.median / cached.poll.median:.1f})"
        + (f"; before the model {us(before.poll.median)} (cached − before: "
           f"{_signed(cached.poll.median - before.poll.median)}; issue 8's bar: +300 ms)"
           if before else "")
        + f"; bare PTB echo {us(echo.poll.median)}")}
    ask_cached, ask_uncached = found[ASK_CACHED], found[ASK_UNCACHED]
    ask_before = found.get(ASK_BEFORE)
    headline["`python -m bot.cli ask` to exit (median): cached model; no cached model"] = (
        f"{us(ask_cached.poll.median)}; {us(ask_uncached.poll.median)}"
        + (f"; before the model {us(ask_before.poll.median)}" if ask_before else ""))
    parts = [
        "From `asyncio.create_subprocess_exec` to the fake server seeing the first getUpdates "
        "(its first request — getMe — in the next column). *mythbot*: `python -m bot.cli run` "
        "with TELEGRAM_BOT_TOKEN, TELEGRAM_BASE_URL, MYTHBOT_DB (a new SQLite file each time) "
        "and MYTHBOT_CACHE set. *Cached model*: MYTHBOT_CACHE holds the model of this content "
        "(put there once, untimed, by an `ask`): a restart with unchanged content. *No cached "
        "model*: a new, empty MYTHBOT_CACHE each time (a first start, or edited content): it "
        "trains before it polls. *Before the model*: the same command on the tree of commit "
        f"{BEFORE_MODEL} (the fuzzy engine and the content it shipped with: about 40 "
        "examples a myth and language, 179 near misses, no shared negatives), extracted with "
        "`git archive`. *echo*: the bare PTB bot of benchmarks/bots.py. Stopped with SIGTERM. "
        "The rows timed to exit run the same three ways; `ask` prints one decision.",
        "",
        table(["process", "runs", "to first getUpdates / to exit (median)", "max",
               "to first request (median)", "SIGTERM to exit (median)", "exit codes",
               "clean stop"], rows),
        "",
        f"Cached model / echo: {ratio(cached.poll.median, echo.poll.median)}; no cached model "
        f"/ cached: {ratio(uncached.poll.median, cached.poll.median)} (training: "
        f"{_signed(uncached.poll.median - cached.poll.median)})"
        + (f"; cached model − before the model: "
           f"{_signed(cached.poll.median - before.poll.median)} (issue 8: no more than 0.3 s "
           "slower than before)" if before else "") + ".",
    ]
    return Section("Start-up", "\n".join(parts), headline)


def _signed(seconds: float) -> str:
    return ("+" if seconds >= 0 else "−") + us(abs(seconds))


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
