"""One speaker per database: the bot that answers holds an exclusive lock on a file beside
the SQLite file (``mythbot.sqlite3.lock``); a second `mythbot run` on the same database
waits, silent, as a standby, and takes over the moment the first one ends.

Why a lock file (``flock``) rather than a lease row in SQLite: the kernel releases it when
the process ends, ``kill -9`` included, so the standby takes over at once, without a
heartbeat to write, a timeout to guess, or a clock that could jump; and it leaves the
database's own locks alone, so readers (`mythbot misses`, `stats`) are not held up.

Why a standby rather than a refusal: a deploy that starts the new process before the old
one has stopped (or a restart policy that starts one too early) then needs no retry loop
and loses no time; the updates waiting in the shared inbox are answered by whichever
process holds the lock. An operator who starts a second one by hand is told, in one line,
which process speaks and that this one waits.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import Self

from bot.paths import private_folder


class SpeakerLock:
    """The right to answer for one database; `acquire` without waiting."""

    def __init__(self, db: str | Path) -> None:
        self.db = Path(db).expanduser()
        self.path = Path(f"{self.db}.lock")
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock if nobody holds it; True when this process now holds it."""
        if self._fd is not None:
            return True
        private_folder(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        # Who speaks, for the standby's log line (the lock, not this text, is what counts).
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        """The process id written by the holder, or '?'."""
        try:
            return self.path.read_text(encoding="ascii").strip() or "?"
        except (OSError, UnicodeDecodeError):
            return "?"

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
