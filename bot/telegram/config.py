"""How the bot is configured (environment, then flags) and how its secrets stay secret."""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

HEALTH_PORT = 8080


class ConfigError(ValueError):
    """The configuration cannot start a bot; the message says what to set."""


@dataclass(frozen=True, slots=True)
class Config:
    token: str = field(repr=False)
    content: Path
    db: Path
    base_url: str | None = None
    admins: frozenset[int] = frozenset()
    webhook_url: str | None = None
    listen: str = "0.0.0.0"
    port: int = 8443
    secret_token: str = field(default="", repr=False)
    keep_misses: bool = True
    reload_seconds: float = 2.0
    """How often the content folder is looked at for edits."""
    reply_retention: float = 3600.0
    """How long (seconds) an update whose reply could not be delivered is kept and retried."""
    health_port: int | None = None
    """Where GET /healthz answers (MYTHBOT_HEALTH_PORT); on by default in webhook mode."""
    health_listen: str = "127.0.0.1"
    """The address /healthz listens on (MYTHBOT_HEALTH_LISTEN): this machine only unless the
    operator says otherwise; a container's own HEALTHCHECK runs inside it."""
    send_timeout: float = 30.0
    """How long to wait for Telegram's answer to a request: a send that times out may have
    arrived, so it is never sent again, and waiting long avoids that."""

    @property
    def webhook(self) -> bool:
        return self.webhook_url is not None


def parse_admins(raw: str | None) -> frozenset[int]:
    if not raw:
        return frozenset()
    try:
        return frozenset(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError as exc:
        raise ConfigError(f"MYTHBOT_ADMINS must be Telegram user ids separated by commas, "
                          f"not {raw!r}") from exc


def config_from(*, token: str | None, content: Path, db: str, base_url: str | None = None,
                admins: str | None = None, webhook_url: str | None = None,
                listen: str | None = None, port: int | None = None,
                secret_token: str | None = None) -> Config:
    env = os.environ
    token = token or env.get("TELEGRAM_BOT_TOKEN", "")
    if not token:
        raise ConfigError("no bot token: set TELEGRAM_BOT_TOKEN (from @BotFather), or try the "
                          "console chat with `mythbot chat`")
    webhook_url = webhook_url or env.get("MYTHBOT_WEBHOOK_URL") or None
    secret = secret_token or env.get("MYTHBOT_WEBHOOK_SECRET") or ""
    if webhook_url and not secret:
        # Telegram echoes the secret in a header: without one, anyone could post fake updates.
        secret = secrets.token_urlsafe(32)
    return Config(
        token=token,
        content=content,
        db=Path(db),
        base_url=base_url or env.get("TELEGRAM_BASE_URL") or None,
        admins=parse_admins(admins if admins is not None else env.get("MYTHBOT_ADMINS")),
        webhook_url=webhook_url,
        listen=listen or env.get("MYTHBOT_LISTEN", "0.0.0.0"),
        port=port or _port(env.get("MYTHBOT_PORT")),
        secret_token=secret,
        keep_misses=env.get("MYTHBOT_KEEP_MISSES", "1").strip().lower() not in {"0", "false", "no"},
        reply_retention=60 * _minutes("MYTHBOT_REPLY_RETENTION", default=60),
        health_port=_health_port(env.get("MYTHBOT_HEALTH_PORT"), webhook=bool(webhook_url)),
        health_listen=env.get("MYTHBOT_HEALTH_LISTEN", "").strip() or "127.0.0.1",
    )


def _health_port(raw: str | None, *, webhook: bool) -> int | None:
    if raw is not None and raw.strip().lower() in {"off", "0"}:
        return None
    if raw is None or not raw.strip():
        return HEALTH_PORT if webhook else None
    return _port(raw, name="MYTHBOT_HEALTH_PORT")


def _port(raw: str | None, default: int = 8443, name: str = "MYTHBOT_PORT") -> int:
    if raw is None or not raw.strip():
        return default
    if not (raw.strip().isascii() and raw.strip().isdecimal()) or not 0 < int(raw) < 65536:
        raise ConfigError(f"{name} must be a port number between 1 and 65535, not {raw!r}")
    return int(raw)


def _minutes(name: str, *, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= 24 * 60:
        raise ConfigError(f"{name} must be a number of minutes between 0 and 1440, not {raw!r}")
    return value


def redact(text: str, *secrets_: str) -> str:
    """Remove the token (and its secret half) from any text bound for a log or a user."""
    for secret in secrets_:
        if not secret:
            continue
        text = text.replace(secret, "[token]")
        _, _, private = secret.partition(":")
        if len(private) >= 8:
            text = text.replace(private, "[token]")
    return text


LINE_BREAK = " | "
"""What stands for a line break in a text log record: one record, one line."""


class RedactingFormatter(logging.Formatter):
    """Formats a record, traceback included, on one line (a log collector or `grep` takes
    a line for a record), then strips the secrets from the result."""

    def __init__(self, fmt: str, *secrets_: str) -> None:
        super().__init__(fmt)
        self.secrets = secrets_

    def format(self, record: logging.LogRecord) -> str:
        return redact(one_line(super().format(record)), *self.secrets)


def one_line(text: str) -> str:
    """A multi-line text (a list of problems, a traceback) on one line, its lines kept apart
    by LINE_BREAK, without their indentation."""
    return LINE_BREAK.join(line.strip() for line in text.splitlines() if line.strip())


class JsonFormatter(RedactingFormatter):
    """One JSON object per line, for log collectors; secrets removed like the text form."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False), *self.secrets)


def setup_logging(config: Config, level: int | str = logging.INFO, fmt: str = "text") -> None:
    handler = logging.StreamHandler()
    secrets_ = (config.token, config.secret_token)
    layout = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler.setFormatter(JsonFormatter(layout, *secrets_) if fmt == "json"
                         else RedactingFormatter(layout, *secrets_))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
