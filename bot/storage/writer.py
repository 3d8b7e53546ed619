"""The bot's writes, off the event loop: one thread, in order, many per transaction.

Whoever writes (a handler counting an answer, the inbox recording updates) submits a
small function of a connection and gets a :class:`~concurrent.futures.Future` of its
result, without waiting. The thread runs everything queued so far in one transaction,
each write in a savepoint of its own:

- a write that fails because of the file (disk full, locked by another process, an I/O
  error) fails the transaction: everything stays queued, in order, and is tried again
  after a pause that grows up to a few seconds. The first failure of a streak is logged
  once, with the file's path; so is the recovery. Writes submitted with ``fail_fast``
  also see the first failure on their future (the inbox then knows to wait for its
  updates to be handled instead), yet are still written once the file allows it;
- a write that fails on its own (a bug, a constraint) is rolled back alone, logged, and
  its future carries the error; the others are committed.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
Write = Callable[[sqlite3.Connection], Any]

MAX_BATCH = 500
FIRST_PAUSE = 0.05
LONGEST_PAUSE = 5.0

# The errors of one bad write, not of the file: roll it back alone and carry on.
_WRITE_ERRORS = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)


@dataclass(eq=False)
class _Pending:
    write: Write
    future: Future[Any] = field(default_factory=Future)
    fail_fast: bool = False
    marker: bool = False  # a flush waiting for its turn, not a change


class Writer:
    """Runs writes on a thread of its own, in the order they were submitted."""

    def __init__(self, path: str, connect: Callable[[], sqlite3.Connection], *,
                 lock: threading.Lock | None = None) -> None:
        self.path = path
        self._connect = connect
        # Held around each transaction: the store passes its own lock when reads and
        # writes share one connection (an in-memory database).
        self._conn_lock = lock or threading.Lock()
        self._queue: deque[_Pending] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closing = False
        self._conn: sqlite3.Connection | None = None
        self.failing: BaseException | None = None
        """The error of the current streak of failed transactions, None when writing works."""

    def submit(self, write: Callable[[sqlite3.Connection], T], *,
               fail_fast: bool = False) -> Future[T]:
        pending = _Pending(write, fail_fast=fail_fast)
        failing = self.failing
        if fail_fast and failing is not None:  # no need to wait for the next attempt
            pending.future.set_exception(failing)
        return self._enqueue(pending)

    def _enqueue(self, pending: _Pending) -> Future[Any]:
        with self._cond:
            if self._closing:
                raise RuntimeError(f"the writer of {self.path} is closed")
            self._queue.append(pending)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mythbot-writer",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()
        return pending.future

    @property
    def backlog(self) -> int:
        """Writes submitted and not yet committed."""
        return sum(not pending.marker for pending in self._queue)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every write submitted so far is committed (or dropped as bad); False
        when ``timeout`` ran out first (the file is failing)."""
        with self._cond:
            if self._thread is None or not self._queue:
                return True
        marker = self._enqueue(_Pending(lambda db: None, marker=True))
        try:
            marker.result(timeout)
        except TimeoutError:
            return False
        return True

    def close(self, timeout: float | None = None) -> bool:
        """Write what is queued (waiting at most ``timeout``), then stop the thread. False
        when writes had to be left unwritten; they are logged."""
        written = self.flush(timeout)
        with self._cond:
            self._closing = True
            left = self.backlog
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout)
        if left:
            log.error("%d change(s) could not be written to %s and are lost (%s)", left,
                      self.path, self.failing)
        return written

    # -- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        pause = FIRST_PAUSE
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if self._closing:
                    break
                batch = list(self._queue)[:MAX_BATCH]
            try:
                with self._conn_lock:
                    results = self._apply(batch)
            except sqlite3.Error as exc:
                self._failed(exc, batch)
                with self._cond:
                    self._cond.wait_for(lambda: self._closing, timeout=pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            pause = FIRST_PAUSE
            with self._cond:
                for _ in batch:
                    self._queue.popleft()
            if self.failing is not None:
                log.warning("writing to %s works again", self.path)
                self.failing = None
            for pending, (ok, value) in zip(batch, results, strict=True):
                if pending.future.done():  # a fail-fast write that failed before
                    continue
                if ok:
                    pending.future.set_result(value)
                else:
                    pending.future.set_exception(value)
        if self._conn is not None:
            self._conn.close()

    def _apply(self, batch: list[_Pending]) -> list[tuple[bool, Any]]:
        if self._conn is None:
            self._conn = self._connect()
        db = self._conn
        results: list[tuple[bool, Any]] = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for pending in batch:
                db.execute("SAVEPOINT write")
                try:
                    results.append((True, pending.write(db)))
                except (*_WRITE_ERRORS, ValueError, TypeError, KeyError) as exc:
                    db.execute("ROLLBACK TO write")
                    log.exception("a write to %s failed and is dropped", self.path)
                    results.append((False, exc))
                db.execute("RELEASE write")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise
        return results

    def _failed(self, exc: sqlite3.Error, batch: list[_Pending]) -> None:
        if self.failing is None:
            log.error("cannot write to %s (%s): %d change(s) kept in memory and retried",
                      self.path, exc, self.backlog)
        self.failing = exc
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL):
            # Something else went wrong with the file (I/O, moved, permissions):
            # open it afresh next time.
            if self._conn is not None:
                with suppress(sqlite3.Error):
                    self._conn.close()
            self._conn = None
        for pending in batch:
            if pending.fail_fast and not pending.future.done():
                pending.future.set_exception(exc)

