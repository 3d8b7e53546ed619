"""The `mythbot` command: parse arguments, call the core, print.

`format_*` functions build the text, `main` does the I/O: each command is
testable in-process by calling `main([...])` and reading stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import TextIO, TypeVar

from bot import checkdiff
from bot.checks import CV_FOLDS, capped, check_and_index, run_check
from bot.console import chat_loop
from bot.evaluation import (
    LabelError,
    Report,
    cv_report,
    evaluate,
    read_labelled,
)
from bot.formatting import (
    decision_json,
    format_check,
    format_decision,
    format_report,
    report_json,
)
from bot.matching import Matcher
from bot.paths import check_history, content_folder, default_db
from bot.storage.db import ReportError

T = TypeVar("T")
MISSES_DAYS = 90
"""How far back `misses` looks, as the bot's own store does."""


class CliError(Exception):
    """A problem the user can fix; printed without a traceback, exit status 1 or 2."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def load_matcher(option: str | None) -> Matcher:
    """The same loading path as the bot: a command never answers on content it refuses."""
    folder = content_folder(option)
    matcher, problems = check_and_index(folder)
    if matcher is None:
        details = "\n".join(p.format() for p in problems if p.severity == "error")
        raise CliError(f"{details}\nthe content in {folder} has errors: run `mythbot check`", 1)
    return matcher


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    folder = content_folder(args.content)
    progress = _progress()
    report = run_check(folder, args.folds, progress=progress)
    if progress is not None:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    errors = [p for p in report.problems if p.severity == "error"]
    warnings = [p for p in report.problems if p.severity != "error"]
    history = check_history(folder)
    changes = checkdiff.compare(warnings, checkdiff.read(history))
    shown = warnings if args.all else list(changes.new)
    print(format_check(folder, report, errors, capped(shown, None if args.all else 3),
                       changes), file=out)
    if report.content is not None:
        with contextlib.suppress(OSError):  # a read-only home only loses the comparison
            checkdiff.write(history, warnings)
    return 0 if report.content is not None else 1


def _progress() -> Callable[[str], None] | None:
    """Steps on the terminal while check works (nothing when stderr is a pipe or a file)."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def say(step: str) -> None:
        print(f"\r\033[K{time.monotonic() - started:4.1f} s  {step}…", end="", file=sys.stderr,
              flush=True)

    return say


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from bot.spec import SCHEMA_FILES, write_schemas

    target = Path(args.write) if args.write else content_folder(args.content) / "schema"
    try:
        write_schemas(target)
    except OSError as exc:
        raise CliError(f"cannot write the schemas to {target}: {exc.strerror or exc}", 1) from exc
    print(f"wrote {', '.join(SCHEMA_FILES.values())} to {target}", file=out)
    return 0


def _cmd_new(args: argparse.Namespace, out: TextIO) -> int:
    from bot.scaffold import ScaffoldError, new_myth

    folder = content_folder(args.content)
    try:
        made = new_myth(folder, args.id)
    except ScaffoldError as exc:
        raise CliError(str(exc), 1) from exc
    print(f"wrote {made.intent} and {made.response} (order {made.order})\n"
          "fill in the titles, about ten examples per language, the rebuttal and its source; "
          "`mythbot check` lists what is still empty, line by line", file=out)
    return 0


def _cmd_ask(args: argparse.Namespace, out: TextIO) -> int:
    matcher = load_matcher(args.content)
    text = " ".join(args.text)
    decision = matcher.decide(text, args.chat, default_lang=args.lang)
    if args.json:
        print(json.dumps(decision_json(decision, matcher, text), ensure_ascii=False), file=out)
    else:
        print(format_decision(decision, matcher, text, args.chat), file=out)
    return 0


def _cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    matcher = load_matcher(args.content)
    if args.cv:
        print(cv_report(matcher, args.cv), file=out)
        if not args.file:
            return 0
    if not args.file:
        raise CliError("eval needs a labelled file, or --cv K to cross-validate the content")
    try:
        items = read_labelled(Path(args.file), set(matcher.content.by_id))
    except (OSError, LabelError) as exc:
        raise CliError(str(exc)) from exc
    if not items:
        raise CliError(f"{args.file} has no labelled line: nothing to measure", 1)
    report = evaluate(matcher, items, args.chat)
    if args.html:
        _write_html(Path(args.html), report, f"{args.file}, {args.chat} chat rule")
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False), file=out)
    else:
        print(format_report(report), file=out)
    return 0


def _write_html(path: Path, report: Report, about: str) -> None:
    from bot.report_html import html_report

    try:
        path.write_text(html_report(report, about=about), encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write the report to {path}: {exc.strerror or exc}", 1) from exc


def _cmd_chat(args: argparse.Namespace, out: TextIO) -> int:
    matcher = load_matcher(args.content)
    # Wrapped to the terminal; piped, each paragraph stays on one line for the next program.
    width = shutil.get_terminal_size().columns if out.isatty() else None
    chat_loop(matcher, sys.stdin, out, lang=args.lang, interactive=sys.stdin.isatty(),
              width=width)
    return 0


def _cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    from bot.telegram.runner import run_from_args

    return run_from_args(args)


def _cmd_misses(args: argparse.Namespace, out: TextIO) -> int:
    from bot.reports import format_misses, misses_report
    from bot.storage.reports import misses_since

    matcher = load_matcher(args.content)
    if args.add is not None and not args.add.isdecimal():
        return _file_miss(args, matcher, args.add, None, out)  # the question itself: no db
    found = _report(lambda: misses_since(args.db, time.time() - MISSES_DAYS * 86_400))
    groups = misses_report(found, matcher, top=args.top)
    if args.add is None:
        print(format_misses(groups), file=out)
        return 0
    if not 1 <= int(args.add) <= len(groups):
        raise CliError(f"--add {args.add}: `mythbot misses` lists {len(groups)} questions", 1)
    group = groups[int(args.add) - 1]
    return _file_miss(args, matcher, group.text, group.lang, out)


def _file_miss(args: argparse.Namespace, matcher: Matcher, text: str, lang: str | None,
               out: TextIO) -> int:
    """File a question as an example of --to, or with --negative as a near miss."""
    from bot.filing import FilingError, file_example, file_negative

    if not (args.to or args.negative):
        raise CliError("--add needs --to INTENT (an example of it) or --negative")
    lang = args.lang or lang or matcher.decide(text, "private").lang
    folder = content_folder(args.content)
    try:
        filed = (file_negative(folder, text, lang, args.to) if args.negative
                 else file_example(folder, args.to, text, lang))
    except FilingError as exc:
        raise CliError(str(exc), 1) from exc
    print(f"{filed.path}:{filed.line}: added {text!r} to {filed.key}", file=out)
    return 0


def _cmd_stats(args: argparse.Namespace, out: TextIO) -> int:
    from bot.reports import format_stats
    from bot.storage.reports import stats_since

    rows = _report(lambda: stats_since(args.db, args.since))
    print(format_stats(rows), file=out)
    return 0


def _report(read: Callable[[], list[T]]) -> list[T]:
    """What a report reads from the database; a file it cannot read is a one-line error."""
    try:
        return read()
    except ReportError as exc:
        raise CliError(str(exc), 1) from exc


def iso_day(value: str) -> str:
    """An argparse type: a calendar day written YYYY-MM-DD."""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a day: write it YYYY-MM-DD, e.g. {date.today().isoformat()}"
        ) from None


def version() -> str:
    """The installed package's version (pyproject.toml's), or 'unknown' when not installed."""
    try:
        return metadata.version("mythbot")
    except metadata.PackageNotFoundError:
        return "unknown"


def _at_least_one(value: str) -> int:
    """`--top 0` would list nothing and look like "no misses": refuse it instead."""
    number = int(value) if value.isascii() and value.isdecimal() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more, not {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mythbot",
        description="mythbot busts the clichés about the social media manager job.")
    parser.add_argument("--version", action="version", version=f"mythbot {version()}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback behind an error (for bug reports)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--content", metavar="DIR",
                         help="folder holding intents/ and responses/ "
                              "(default: $MYTHBOT_CONTENT or the project's own)")
        return sub

    run = command("run", "Run the Telegram bot (needs TELEGRAM_BOT_TOKEN).")
    run.add_argument("--token", help="bot token (default: $TELEGRAM_BOT_TOKEN)")
    run.add_argument("--base-url", help="Bot API base URL, for a self-hosted server "
                                        "(default: $TELEGRAM_BASE_URL)")
    run.add_argument("--db", help="SQLite file (default: $MYTHBOT_DB or "
                                  "~/.local/share/mythbot/mythbot.sqlite3)")
    run.add_argument("--admins", help="operators' Telegram user ids, comma-separated "
                                      "(default: $MYTHBOT_ADMINS)")
    run.add_argument("--webhook-url", help="public HTTPS URL: use a webhook instead of polling "
                                           "(default: $MYTHBOT_WEBHOOK_URL)")
    run.add_argument("--listen", default=None, help="webhook listen address (default 0.0.0.0)")
    run.add_argument("--port", type=int, default=None, help="webhook port (default 8443)")
    run.add_argument("--secret-token", help="webhook secret (default: $MYTHBOT_WEBHOOK_SECRET, "
                                            "or generated)")
    run.add_argument("--log-level", default=os.environ.get("MYTHBOT_LOG_LEVEL", "info"),
                     choices=["debug", "info", "warning", "error"],
                     help="how much to log (default: $MYTHBOT_LOG_LEVEL or info)")
    run.add_argument("--log-format", default=os.environ.get("MYTHBOT_LOG_FORMAT", "text"),
                     choices=["text", "json"],
                     help="text lines, or one JSON object per line for a log collector "
                          "(default: $MYTHBOT_LOG_FORMAT or text)")
    run.set_defaults(handler=_cmd_run)

    chat = command("chat", "Chat with the bot in the terminal (same engine and replies).")
    chat.add_argument("--lang", choices=["fr", "en"],
                      help="always answer in this language, as /lang does (default: each "
                           "question's own, buttons and commands the last answer's)")
    chat.set_defaults(handler=_cmd_chat)

    ask = command("ask", "Show how a sentence is matched, and why.")
    ask.add_argument("--chat", choices=["private", "group"], default="private",
                     help="group: the rule for a group message nobody addressed to the bot")
    ask.add_argument("--lang", choices=["fr", "en"], default="fr",
                     help="the user's language, used when the sentence does not tell")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("text", nargs="+", help="the sentence to match")
    ask.set_defaults(handler=_cmd_ask)

    check = command("check", "Validate intents/ and responses/; exit 1 on any error.")
    check.add_argument("--folds", type=int, default=CV_FOLDS,
                       help=f"cross-validation folds for the model's view (default {CV_FOLDS}; "
                            "0 skips it)")
    check.add_argument("--all", action="store_true",
                       help="list every sentence the model misreads, not three per file")
    check.set_defaults(handler=_cmd_check)

    new = command("new", "Start a new myth: write intents/ID.yaml and responses/ID.yaml "
                         "from a template.")
    new.add_argument("id", help="the new myth's id, also its file name (e.g. memes_only)")
    new.set_defaults(handler=_cmd_new)

    schema = command("schema", "Write the JSON Schemas editors' YAML files point at.")
    schema.add_argument("--write", metavar="DIR",
                        help="folder to write them to (default: <content>/schema)")
    schema.set_defaults(handler=_cmd_schema)

    ev = command("eval", "Measure the matching against a labelled JSON Lines file.")
    ev.add_argument("--chat", choices=["private", "group"], default="private",
                    help="private (default), or group: the rule for messages nobody addressed "
                         "to the bot")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument("--html", metavar="OUT.html",
                    help="also write a report to look at: confusion matrix, precision and "
                         "recall per myth, the misread sentences")
    ev.add_argument("--cv", type=int, metavar="K", default=0,
                    help="cross-validate the content itself in K folds (no labelled file needed)")
    ev.add_argument("file", nargs="?",
                    help='JSON Lines: {"text": ..., "expect": <intent id or null>}')
    ev.set_defaults(handler=_cmd_eval)

    misses = command("misses", "List the private questions the bot could not answer.")
    misses.add_argument("--top", type=_at_least_one, default=20, metavar="N",
                        help="how many groups to show, most asked first (default 20)")
    misses.add_argument("--db", default=None, help="SQLite file (default: $MYTHBOT_DB)")
    misses.add_argument("--add", metavar="N|TEXT",
                        help="file question N of the list (or this text) into the content: "
                             "with --to INTENT as its example, with --negative as a near miss")
    misses.add_argument("--to", metavar="INTENT",
                        help="the myth it is an example (or, with --negative, a near miss) of")
    misses.add_argument("--negative", action="store_true",
                        help="a question no myth should answer: into the intent's near_misses "
                             "with --to, else intents/_none_near.yaml")
    misses.add_argument("--lang", choices=["fr", "en"],
                        help="the list it goes under (default: the question's language)")
    misses.set_defaults(handler=_cmd_misses)

    stats = command("stats", "Answers and votes per day, intent, language and chat kind.")
    stats.add_argument("--since", type=iso_day, help="first day, YYYY-MM-DD")
    stats.add_argument("--db", default=None, help="SQLite file (default: $MYTHBOT_DB)")
    stats.set_defaults(handler=_cmd_stats)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    if getattr(args, "db", "unset") is None:
        args.db = str(default_db())
    try:
        status: int = args.handler(args, out)
    except CliError as exc:
        print(f"mythbot: {exc}", file=sys.stderr)
        return exc.status
    except BrokenPipeError:  # `mythbot ask … | head`: the reader has gone, nothing is wrong
        # Before OSError, which it is: otherwise it is reported as "[Errno 32] Broken pipe".
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        if args.debug:
            raise
        print(f"mythbot: {exc} (--debug shows the traceback)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
