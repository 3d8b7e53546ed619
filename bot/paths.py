"""Where mythbot reads and writes, decided once for the command line, the bot and the
console chat.

Content is read from --content, $MYTHBOT_CONTENT, the project checkout, or the working
directory. What mythbot writes goes to the user's folders (XDG on Linux), never next to the
installed package: $MYTHBOT_DB or ~/.local/share/mythbot/mythbot.sqlite3 for the database,
$MYTHBOT_CACHE or ~/.cache/mythbot for trained models, ~/.local/state/mythbot for the
console chat's history.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
"""The checkout the package runs from, when it is one (make run, pip install -e)."""


def _xdg(env: Mapping[str, str], name: str, default: str) -> Path:
    return Path(env.get(name) or Path.home() / default) / "mythbot"


def content_folder(option: str | None = None, env: Mapping[str, str] = os.environ) -> Path:
    chosen = option or env.get("MYTHBOT_CONTENT")
    if chosen:
        return Path(chosen).expanduser()
    return PROJECT if (PROJECT / "intents").is_dir() else Path.cwd()


def default_db(env: Mapping[str, str] = os.environ) -> Path:
    chosen = env.get("MYTHBOT_DB")
    if chosen:
        return Path(chosen).expanduser()
    return _xdg(env, "XDG_DATA_HOME", ".local/share") / "mythbot.sqlite3"


def model_cache(env: Mapping[str, str] = os.environ) -> Path | None:
    """Where trained models are kept; MYTHBOT_CACHE=off trains at every start."""
    chosen = env.get("MYTHBOT_CACHE")
    if chosen:
        return None if chosen.lower() in {"off", "none", "0"} else Path(chosen).expanduser()
    return _xdg(env, "XDG_CACHE_HOME", ".cache")


def history_file(env: Mapping[str, str] = os.environ) -> Path:
    """The console chat's line history, like a shell's."""
    return _xdg(env, "XDG_STATE_HOME", ".local/state") / "chat_history"


def private_folder(folder: Path) -> Path:
    """Create ``folder`` (and its missing parents) for this user only: 0700, whatever the
    umask. The database and the model cache hold what users asked; an existing folder is
    the operator's choice and left as it is."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder in missing:
        os.chmod(folder, 0o700)  # mkdir's mode passes through the umask, never above it
    return folder


def create_private_file(file: Path) -> bool:
    """Create ``file`` empty, readable and writable by this user only (0600), in a private
    folder; False when it already existed (it is then left as it is)."""
    private_folder(file.parent)
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.fchmod(fd, 0o600)
    os.close(fd)
    return True


def check_history(folder: Path, env: Mapping[str, str] = os.environ) -> Path:
    """What the last `mythbot check` of a content folder found, to tell the next one what
    changed; kept with the user's state, never in the content folder (it is in git)."""
    key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return _xdg(env, "XDG_STATE_HOME", ".local/state") / "checks" / f"{key}.json"
