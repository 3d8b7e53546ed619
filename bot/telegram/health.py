"""GET /healthz for container runtimes and load balancers: is the bot serving, can it reach
Telegram, how much is waiting. Served by tornado (already there for PTB's webhook server)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

Status = Callable[[], dict[str, Any]]


class _Health(RequestHandler):
    def initialize(self, status: Status) -> None:
        self.status = status

    def get(self) -> None:
        body = self.status()
        # Serving is what matters to a restart policy: an unreachable Telegram is reported
        # but is not a reason to kill a bot that keeps its backlog for later.
        self.set_status(200 if body.get("serving") else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))


def start_health(listen: str, port: int, status: Status) -> HTTPServer:
    app = Application([(r"/healthz", _Health, {"status": status})])
    server = HTTPServer(app)
    server.listen(port, address=listen)
    return server
