"""`mythbot run`: configuration, logging without secrets, then polling or a webhook."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from bot.live import ContentError, LiveContent
from bot.store import Store
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.config import Config, ConfigError, config_from, redact, setup_logging

log = logging.getLogger(__name__)


def run_from_args(args: argparse.Namespace) -> int:
    from bot.cli import content_folder, default_db

    # Opt in to PTB 22's timedelta durations now, instead of a deprecation warning per 429.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        config = config_from(token=args.token, content=content_folder(args.content),
                             db=args.db or default_db(), base_url=args.base_url,
                             admins=args.admins, webhook_url=args.webhook_url,
                             listen=args.listen, port=args.port, secret_token=args.secret_token)
    except ConfigError as exc:
        print(f"mythbot: {exc}", file=sys.stderr)
        return 2
    setup_logging(config)
    try:
        return run(config)
    except ContentError as exc:
        print(f"mythbot: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # the last word must not leak the token either
        print(f"mythbot: {redact(f'{type(exc).__name__}: {exc}', config.token)}", file=sys.stderr)
        return 1


def run(config: Config) -> int:
    live = LiveContent(config.content)
    Path(config.db).parent.mkdir(parents=True, exist_ok=True)
    application = build_application(config, live, Store(config.db))
    if config.webhook_url:
        log.info("webhook mode on %s:%d", config.listen, config.port)
        application.run_webhook(listen=config.listen, port=config.port,
                                url_path=config.webhook_url.rstrip("/").rsplit("/", 1)[-1],
                                webhook_url=config.webhook_url, secret_token=config.secret_token,
                                allowed_updates=ALLOWED_UPDATES)
    else:
        log.info("polling for updates")
        # run_polling stops cleanly on SIGINT and SIGTERM.
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0
