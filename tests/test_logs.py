"""Quiet logs an operator can read: one line per record, no warning for a reload that is
simply running, and a clear line when an alert cannot reach an operator."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from apscheduler.job import Job
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.telegram.config import JsonFormatter, RedactingFormatter
from bot.telegram.operators import RELOAD_STILL_RUNNING, WATCH_JOB
from tests.conftest import write_small_content
from tests.fake_bot_api import FakeBotApi
from tests.harness import running_bot

OPERATOR = FakeBotApi.user(4242, "Operator", language_code="fr")
LAYOUT = "%(levelname)s %(name)s: %(message)s"
# APScheduler's own words when a tick finds the job still running (schedulers/base.py).
SKIPPED = 'Execution of job "%s" skipped: maximum number of running instances reached (%d)'


def record(message: str, *args: object, error: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(error), error, error.__traceback__) if error else None
    return logging.LogRecord("bot.live", logging.WARNING, __file__, 1, message, args, exc_info)


def failure() -> RuntimeError:
    try:
        raise RuntimeError("the disk is full")
    except RuntimeError as exc:
        return exc


def test_a_multi_line_message_and_its_traceback_are_logged_on_one_line() -> None:
    problems = ("intents/salary.yaml:7:1: unknown key 'exemples'\n  >>> exemples:\n"
                "  hint: did you mean 'examples'?")
    line = RedactingFormatter(LAYOUT).format(
        record("content edit refused:\n%s", problems, error=failure()))
    assert "\n" not in line
    assert line.startswith("WARNING bot.live: content edit refused: | intents/salary.yaml:7:1: "
                           "unknown key 'exemples' | >>> exemples: | hint: did you mean "
                           "'examples'? | Traceback (most recent call last):")
    assert line.endswith("RuntimeError: the disk is full")


def test_the_json_format_is_one_object_per_line_with_the_traceback_inside() -> None:
    line = JsonFormatter(LAYOUT).format(record("two\nlines", error=failure()))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "two\nlines" and "RuntimeError" in entry["traceback"]


def job(name: str) -> Job:
    """A job as APScheduler describes it in its log records (PTB's JobQueue makes them)."""
    return Job(BlockingScheduler(timezone="UTC"), id=name, func=print, name=name,
               trigger=IntervalTrigger(seconds=2), executor="default", args=(), kwargs={},
               misfire_grace_time=1, coalesce=True, max_instances=1, next_run_time=None)


def test_a_reload_still_running_at_the_next_tick_is_not_a_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    scheduler = logging.getLogger("apscheduler.scheduler")
    scheduler.addFilter(RELOAD_STILL_RUNNING)
    try:
        with caplog.at_level(logging.DEBUG, logger="apscheduler.scheduler"):
            scheduler.warning(SKIPPED, job(WATCH_JOB), 1)
            scheduler.warning(SKIPPED, job("weekly:-100"), 1)
    finally:
        scheduler.removeFilter(RELOAD_STILL_RUNNING)
    # Another job overrunning is still worth a warning.
    [kept] = caplog.records
    assert kept.levelno == logging.WARNING
    assert kept.getMessage().startswith('Execution of job "weekly:-100 (trigger: interval')


async def test_an_alert_to_an_operator_who_never_started_the_bot_says_what_to_do(
        api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    content = write_small_content(tmp_path / "content")
    async with running_bot(api, tmp_path / "o.sqlite3", content=content, reload_seconds=0.1,
                           admins=frozenset({OPERATOR["id"]})):
        assert RELOAD_STILL_RUNNING in logging.getLogger("apscheduler.scheduler").filters
        path = content / "intents" / "salary.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("examples:", "exemples:"),
                        encoding="utf-8")
        await api.wait_for(lambda: "could not warn operator" in caplog.text, timeout=10)
    [line] = [r.getMessage() for r in caplog.records if "could not warn" in r.getMessage()]
    assert line == (f"could not warn operator {OPERATOR['id']} about the content: Chat not "
                    "found: a bot can only write to someone who wrote to it first; the "
                    "operator must send /start to the bot once, in a private chat")
