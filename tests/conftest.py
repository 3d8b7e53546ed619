"""Shared fixtures: the shipped content, copies of it to break, tiny content to build.

The whole session runs in a sandbox, set up before any test module is imported: HOME, the
XDG folders and the model cache point at a temporary folder (a test run never writes in
the developer's own cache, data or state folders), the developer's MYTHBOT_*/TELEGRAM_*
settings are dropped, and no socket reaches beyond this machine."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from bot import paths
from bot.content import Content, load_content
from bot.live import LiveContent
from bot.matching import Matcher

if TYPE_CHECKING:
    from tests.fake_bot_api import FakeBotApi
    from tests.harness import Running

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def content() -> Content:
    result = load_content(ROOT)
    assert result.content is not None, [p.format() for p in result.errors]
    return result.content


@pytest.fixture(scope="session")
def matcher(content: Content, sandbox: Sandbox) -> Matcher:
    """The shipped content's matcher, trained once a session into the sandbox's cache."""
    return Matcher(content, cache=sandbox.models)


@pytest.fixture(scope="session")
def shipped_live(matcher: Matcher) -> LiveContent:
    """The shipped content as a running bot holds it, loaded once for the bots of a session
    (from the model `matcher` trained)."""
    return LiveContent(ROOT)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped content folder."""
    for sub in ("intents", "responses"):
        shutil.copytree(ROOT / sub, tmp_path / sub)
    return tmp_path


Sentences = dict[str, list[str]]
"""Sentences per language: {"fr": [...], "en": [...]}."""

MakeContent = Callable[..., Path]


def write_content(root: Path, intents: dict[str, Sentences], *,
                  near_misses: dict[str, Sentences] | None = None,
                  negatives: Sentences | None = None, topic: Sentences | None = None,
                  top5: tuple[str, ...] = ()) -> Path:
    """A content folder at `root`: each intent with its examples (and near misses), a
    rebuttal that names it, the shared negatives and the topic words when given; ``top5``
    lists the intents of the article's top 5, in order."""
    (root / "intents").mkdir(parents=True)
    (root / "responses").mkdir()

    def dump(path: Path, data: object) -> None:
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")

    for order, (ident, examples) in enumerate(intents.items(), 1):
        intent: dict[str, object] = {
            "id": ident, "order": order,
            "title": {"fr": f"Titre {ident}", "en": f"Title {ident}"}, "examples": examples}
        if ident in top5:
            intent["top5"] = top5.index(ident) + 1
        if near_misses and ident in near_misses:
            intent["near_misses"] = near_misses[ident]
        dump(root / "intents" / f"{ident}.yaml", intent)
        dump(root / "responses" / f"{ident}.yaml", {
            "intent": ident,
            "text": {"fr": f"<b>Faux</b> pour {ident}.", "en": f"<b>Wrong</b> for {ident}."},
            "source": {"title": "Source", "site": "Blog", "date": "2018-05-24"}})
    if negatives:
        dump(root / "intents" / "_none.yaml", {"negatives": negatives})
    if topic:
        dump(root / "intents" / "_topic.yaml", {"words": topic})
    return root


@pytest.fixture
def make_content(tmp_path: Path) -> MakeContent:
    """Write a small content folder: make_content({"id": {"fr": [...], "en": [...]}}, ...),
    with the keywords of `write_content`."""

    def make(intents: dict[str, Sentences], folder: str = "made", **extra: Any) -> Path:
        return write_content(tmp_path / folder, intents, **extra)

    return make


# A content of its own for the rule tests and the slow cross-validations: three myths with
# a dozen examples a language, chatter, topic words. Editing the shipped YAML changes none
# of the tests that use it.
SMALL_MYTHS: dict[str, Sentences] = {
    "salary": {
        "fr": ["combien gagne un smm", "c'est quoi le salaire d'un community manager",
               "un smm c'est payé combien", "le salaire d'un social media manager",
               "ça paie bien d'être smm", "quelle rémunération pour un smm",
               "combien tu gagnes en tant que community manager", "salaire moyen d'un smm",
               "un cm gagne combien par mois", "c'est bien payé smm",
               "tu te fais combien par mois en tant que smm", "la paie d'un smm débutant"],
        "en": ["how much does an smm earn", "what is the salary of a social media manager",
               "how much is a community manager paid", "smm salary",
               "do social media managers earn well", "what does a social media manager make",
               "how much do you make as an smm", "average pay of a community manager",
               "is smm a well paid job", "social media manager wages",
               "what does an smm earn a month", "starting pay for a social media manager"]},
    "anyone_can_do_it": {
        "fr": ["n'importe qui peut s'improviser smm", "tout le monde peut être community manager",
               "pas besoin de compétences pour être smm", "mon neveu peut gérer nos réseaux",
               "smm c'est facile tout le monde sait le faire",
               "le stagiaire fera le community manager", "être smm ça s'improvise",
               "n'importe qui peut faire le job de smm",
               "tout le monde sait poster, smm c'est rien",
               "pas besoin d'un pro, n'importe qui fera le smm",
               "un ado peut faire community manager", "smm n'importe qui peut le faire"],
        "en": ["anyone can improvise being an smm", "anybody can be a community manager",
               "you need no skills to be an smm", "my nephew can run our social media",
               "smm is easy everyone can do it", "the intern will be our community manager",
               "being an smm is something you improvise", "anyone can do the smm job",
               "everyone can post, smm is nothing", "no need for a pro, anyone can be our smm",
               "a teenager could be a community manager", "smm anyone can do that"]},
    "always_on_facebook": {
        "fr": ["le smm passe ses journées sur facebook",
               "un community manager est sur fb toute la journée",
               "le smm glande sur facebook", "ton taf de smm c'est scroller facebook",
               "les smm sont sur facebook du matin au soir", "le cm passe sa vie sur facebook",
               "être smm c'est être payé pour aller sur facebook",
               "le smm traîne sur les réseaux toute la journée",
               "un smm ne fait que liker sur facebook", "le community manager vit sur facebook",
               "smm = facebook toute la journée", "le smm est tout le temps sur fb"],
        "en": ["the smm spends all day on facebook", "a community manager is on fb all day",
               "the smm just hangs out on facebook", "your smm job is scrolling facebook",
               "smms are on facebook from morning to night", "the cm lives on facebook",
               "being an smm means getting paid to be on facebook",
               "the smm browses social media all day", "an smm only likes posts on facebook",
               "the community manager lives on facebook", "smm = facebook all day long",
               "the smm is always on fb"]},
}
SMALL_NEGATIVES: Sentences = {
    "fr": ["je suis sur facebook ce soir", "tu viens ce soir ?", "quelle heure est-il",
           "bonjour à tous", "mon frère est sur facebook tout le week-end",
           "on mange où ce midi", "il fait beau aujourd'hui", "le top 5 des films de l'année",
           "combien coûte une baguette", "mon salaire tombe demain", "n'importe qui peut venir",
           "tout le monde est invité samedi", "merci pour hier soir", "à demain les amis"],
    "en": ["i am on facebook tonight", "are you coming tonight?", "what time is it",
           "hello everyone", "my brother is on facebook all weekend", "where do we eat today",
           "nice weather today", "the top 5 films of the year", "how much is a loaf of bread",
           "my salary comes tomorrow", "anyone can come", "everybody is invited on saturday",
           "thanks for last night", "see you tomorrow friends"]}
SMALL_TOPIC: Sentences = {"fr": ["smm", "community manager", "social media manager", "ton taf"],
                          "en": ["smm", "community manager", "social media manager", "your job"]}


def write_small_content(root: Path) -> Path:
    return write_content(root, SMALL_MYTHS, negatives=SMALL_NEGATIVES, topic=SMALL_TOPIC)


@pytest.fixture(scope="session")
def small_matcher(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    """The small content's matcher: what the rule tests decide on."""
    folder = write_small_content(tmp_path_factory.mktemp("small"))
    result = load_content(folder)
    assert result.content is not None, [p.format() for p in result.errors]
    return Matcher(result.content, cache=folder / "cache")


@pytest.fixture
async def api(request: pytest.FixtureRequest) -> AsyncIterator[FakeBotApi]:
    """The Bot API, privacy mode on (files may override it): in memory for modules marked
    ``in_memory``, else a local server over HTTP."""
    from tests.fake_bot_api import FakeBotApi
    from tests.inprocess import InMemoryBotApi

    kind = InMemoryBotApi if request.node.get_closest_marker("in_memory") else FakeBotApi
    async with kind() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi, tmp_path: Path,
              shipped_live: LiveContent) -> AsyncIterator[Running]:
    """mythbot running against `api`, with a fresh database and the shipped content."""
    from tests.harness import running_bot

    async with running_bot(api, tmp_path / "bot.sqlite3", live=shipped_live) as running:
        yield running


# --- the session's sandbox ------------------------------------------------------------------


@dataclass(frozen=True)
class Sandbox:
    root: Path
    """The session's temporary folder: HOME, the XDG folders and the model cache are in it."""
    user_folders: tuple[Path, ...]
    """The developer's own mythbot folders (cache, data, state), as their settings say."""
    before: dict[str, tuple[int, int]]
    """What those folders held when the session started: path -> (mtime_ns, size)."""

    @property
    def models(self) -> Path:
        return self.root / "models"

    def changed(self) -> list[str]:
        """What changed in the developer's folders since the session started."""
        now = _files(self.user_folders)
        return sorted(p for p in {*now, *self.before} if now.get(p) != self.before.get(p))


SANDBOX = pytest.StashKey[Sandbox]()


def _files(folders: tuple[Path, ...]) -> dict[str, tuple[int, int]]:
    found = {}
    for folder in folders:
        for path in [folder, *folder.rglob("*")] if folder.exists() else []:
            stat = path.stat()
            found[str(path)] = (stat.st_mtime_ns, stat.st_size if path.is_file() else 0)
    return found


_SHARED = "MYTHBOT_TESTS_SANDBOX"
"""The sandbox of the run, handed down to pytest-xdist's workers (they inherit the
environment): one model cache, and the user's real folders to watch."""


def pytest_configure(config: pytest.Config) -> None:
    """Enter the sandbox before any test module is imported (see the module's docstring)."""
    config.addinivalue_line("markers", "in_memory: the bot talks to an in-memory Bot API "
                                       "(tests/inprocess.py), not over HTTP")
    inherited = os.environ.get(_SHARED)
    if inherited:  # an xdist worker: its controller made the sandbox and removes it
        shared = json.loads(inherited)
        root, user_folders = Path(shared["root"]), tuple(map(Path, shared["user_folders"]))
    else:
        user_folders = (paths.model_cache() or Path(os.devnull), paths.default_db().parent,
                        paths.history_file().parent)
        root = Path(tempfile.mkdtemp(prefix="mythbot-tests-"))
        config.add_cleanup(lambda: shutil.rmtree(root, ignore_errors=True))
    patch = pytest.MonkeyPatch()
    config.add_cleanup(patch.undo)
    for name in list(os.environ):
        if name.startswith(("MYTHBOT_", "TELEGRAM_")):  # the developer's own bot settings
            patch.delenv(name)
    for name in ("COLUMNS", "LINES"):  # set by some runners: the chat must ask its terminal
        patch.delenv(name, raising=False)
    patch.setenv(_SHARED, json.dumps({"root": str(root),
                                      "user_folders": [str(p) for p in user_folders]}))
    home = root / "home"
    home.mkdir(exist_ok=True)
    patch.setenv("HOME", str(home))
    for name, sub in (("XDG_CACHE_HOME", ".cache"), ("XDG_DATA_HOME", ".local/share"),
                      ("XDG_STATE_HOME", ".local/state"), ("XDG_CONFIG_HOME", ".config")):
        patch.setenv(name, str(home / sub))
    patch.setenv("MYTHBOT_CACHE", str(root / "models"))
    # PTB 22 warns when RetryAfter.retry_after is read as an int; warnings are errors here.
    patch.setenv("PTB_TIMEDELTA", "true")
    _forbid_network(patch)
    config.stash[SANDBOX] = Sandbox(root, user_folders, _files(user_folders))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A test that wrote in the developer's own folders fails the run, whichever it was
    (checked once, by the controller when xdist runs the tests)."""
    if hasattr(session.config, "workerinput"):
        return
    sandbox = session.config.stash.get(SANDBOX, None)
    changed = sandbox.changed() if sandbox is not None else []
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("=", "the tests changed the user's own folders: "
                               + ", ".join(changed[:10]), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def sandbox(pytestconfig: pytest.Config) -> Sandbox:
    return pytestconfig.stash[SANDBOX]


class NetworkForbidden(ConnectionRefusedError):
    """A test tried to reach a host other than this machine: refused, as by a firewall."""


_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def _is_local(host: object) -> bool:
    if host is None or host in ("", b""):
        return True  # getaddrinfo(None or "", port): an address of this machine, to bind
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.lower() in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False  # a name to resolve: DNS is the network too
    return address.is_loopback or address.is_unspecified


def _forbid_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only loopback: a socket connection, a datagram or a name lookup for any other host is
    refused (NetworkForbidden), from collection to the end of the session. PTB's own suite
    keeps its offline tests off the network with a request class that refuses to send; this
    does it at the socket, so it holds for httpx, PTB and the bot alike (a bot process
    started by a test is not covered: it only ever talks to the local fake)."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_sendto = socket.socket.sendto
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            raise NetworkForbidden(f"tests must not reach the network: connect to {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        check(self, args[-1])  # sendto(data, address) or sendto(data, flags, address)
        return real_sendto(self, data, *args)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_local(host):
            raise NetworkForbidden(f"tests must not reach the network: look up {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
