"""Sharing, the weekly myth, live content and what editors learn: the real Application
against an in-memory Bot API (tests/inprocess.py)."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.live import LiveContent
from tests.conftest import write_small_content
from tests.fake_bot_api import FakeBotApi
from tests.harness import Running, running_bot

pytestmark = pytest.mark.in_memory

ALICE = FakeBotApi.user(4001, "Alice", language_code="fr")
BOB = FakeBotApi.user(4002, "Bob", language_code="en")
OPERATOR = FakeBotApi.user(4099, "Op", language_code="fr")
CHANNEL = FakeBotApi.channel(-100_777, "Mythes du SMM")
GROUP = FakeBotApi.group(-100_778, "Agence")


@pytest.fixture
async def bot(api: FakeBotApi, tmp_path: Path,
              shipped_live: LiveContent) -> AsyncIterator[Running]:
    async with running_bot(api, tmp_path / "bot.sqlite3", admins=frozenset({OPERATOR["id"]}),
                           live=shipped_live) as running:
        yield running


# --- inline mode ---------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "query", "first", "lang_marker"), [
    (ALICE, "le smm est toujours sur facebook", "always_on_facebook", "Cliché : "),
    (BOB, "spends all day on facebook", "always_on_facebook", "Cliché: "),
], ids=["french", "english"])
async def test_inline_query_lists_matching_myth_cards(bot: Running, api: FakeBotApi, user: dict,
                                                      query: str, first: str,
                                                      lang_marker: str) -> None:
    query_id = api.inline_query(user, query)
    await api.wait_for(lambda: query_id in api.inline_answers)
    answer = api.inline_answers[query_id]
    ids = [r["id"] for r in answer["results"]]
    assert ids[0] == first and len(ids) == len(set(ids)) <= 50
    card = answer["results"][0]["input_message_content"]["message_text"]
    assert card.startswith(f"<b>{lang_marker}")
    assert answer["cache_time"] > 0


async def test_an_empty_inline_query_lists_every_myth_in_order(bot: Running,
                                                               api: FakeBotApi) -> None:
    query_id = api.inline_query(BOB, "")
    await api.wait_for(lambda: query_id in api.inline_answers)
    ids = [r["id"] for r in api.inline_answers[query_id]["results"]]
    assert ids == [m.id for m in bot.state.live.matcher.content.myths]


async def test_a_chosen_inline_result_is_counted(bot: Running, api: FakeBotApi) -> None:
    api.chosen_inline_result(BOB, "salary", "salary")
    await api.wait_idle()
    await bot.settled()
    assert [(r.intent, r.chat_kind) for r in bot.state.store.stats()] == [("salary", "inline")]


# --- myth of the week ----------------------------------------------------------------------


async def test_a_weekly_schedule_set_in_a_channel_survives_a_restart_and_posts(
        api: FakeBotApi, tmp_path: Path, shipped_live: LiveContent) -> None:
    db = tmp_path / "weekly.sqlite3"
    api.set_admins(CHANNEL["id"], [OPERATOR["id"]], bot_is_admin=True)
    async with running_bot(api, db, live=shipped_live) as bot:
        api.channel_post(CHANNEL, "/weekly lundi 09:30 Europe/Paris")
        (confirmation,) = await bot.replies(CHANNEL["id"])
        assert confirmation["text"] == "Mythe de la semaine : chaque lundi à 09:30 (Europe/Paris)."
    async with running_bot(api, db, live=shipped_live) as bot:
        assert bot.app.job_queue is not None
        (job,) = bot.app.job_queue.get_jobs_by_name(f"weekly:{CHANNEL['id']}")
        next_run = job.next_t
        assert next_run is not None and next_run.weekday() == 0
        assert (next_run.hour, next_run.minute) == (9, 30)
        await job.run(bot.app)
        await job.run(bot.app)
        posts = await bot.replies(CHANNEL["id"], 3)
    first, second = posts[1]["text"], posts[2]["text"]
    assert first.startswith("🗓 Le mythe de la semaine") and "Cliché : " in first
    assert first != second


async def test_weekly_is_for_admins_and_explains_its_usage(bot: Running, api: FakeBotApi) -> None:
    api.set_admins(GROUP["id"], [OPERATOR["id"]])
    api.send_text(GROUP, ALICE, "/weekly lundi 09:00")
    api.send_text(GROUP, OPERATOR, "/weekly someday 25:00")
    replies = await bot.replies(GROUP["id"], 2)
    assert {r["text"].split(" ")[0] for r in replies} == {"Seuls", "Usage"}
    assert bot.state.store.schedule(GROUP["id"]) is None


async def test_a_misspelt_time_zone_is_named_with_the_closest_one(bot: Running,
                                                                  api: FakeBotApi) -> None:
    api.set_admins(GROUP["id"], [OPERATOR["id"]])
    api.send_text(GROUP, OPERATOR, "/weekly lundi 09:30 Europe/Pariss")
    (reply,) = await bot.replies(GROUP["id"])
    assert reply["text"] == ("Fuseau horaire inconnu : Europe/Pariss. "
                             "Vouliez-vous dire Europe/Paris ?")
    assert bot.state.store.schedule(GROUP["id"]) is None


async def test_removing_the_bot_deletes_the_schedule_and_nothing_else_breaks(
        bot: Running, api: FakeBotApi) -> None:
    api.set_admins(GROUP["id"], [OPERATOR["id"]])
    api.send_text(GROUP, OPERATOR, "/weekly friday 17:00 Europe/London")
    await bot.replies(GROUP["id"])
    assert bot.state.store.schedule(GROUP["id"]) is not None
    api.kick_bot(GROUP["id"])
    await api.wait_idle()
    assert bot.state.store.schedule(GROUP["id"]) is None
    api.send_text(FakeBotApi.private_chat(BOB), BOB, "how much does an SMM earn?")
    assert (await bot.replies(BOB["id"]))[0]["text"].startswith("Cliché:")


async def test_a_weekly_post_to_a_chat_that_kicked_the_bot_stops_the_schedule(
        bot: Running, api: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
    api.set_admins(GROUP["id"], [OPERATOR["id"]])
    api.send_text(GROUP, OPERATOR, "/weekly mardi 08:00")
    await bot.replies(GROUP["id"])
    api.kick_bot(GROUP["id"], notify=False)  # the removal update was lost
    assert bot.app.job_queue is not None
    (job,) = bot.app.job_queue.get_jobs_by_name(f"weekly:{GROUP['id']}")
    await job.run(bot.app)
    assert bot.state.store.schedule(GROUP["id"]) is None
    assert not bot.app.job_queue.get_jobs_by_name(f"weekly:{GROUP['id']}")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no JobLookupError


@pytest.mark.parametrize("at", ["²:30", "09:٣٠", "9:5", "24:00"],
                         ids=["superscript", "arabic-indic", "one-digit-minutes", "24h"])
async def test_a_weekly_time_that_is_not_plain_hh_mm_gets_the_usage(
        bot: Running, api: FakeBotApi, caplog: pytest.LogCaptureFixture, at: str) -> None:
    api.set_admins(GROUP["id"], [OPERATOR["id"]])
    api.send_text(GROUP, OPERATOR, f"/weekly monday {at}")
    (reply,) = await bot.replies(GROUP["id"])
    assert reply["text"].startswith("Usage")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_weekly_post_due_while_telegram_is_down_is_posted_once_it_is_back(
        bot: Running, api: FakeBotApi) -> None:
    api.set_admins(CHANNEL["id"], [OPERATOR["id"]], bot_is_admin=True)
    api.channel_post(CHANNEL, "/weekly lundi 09:30 Europe/Paris")
    await bot.replies(CHANNEL["id"])
    assert bot.app.job_queue is not None
    (job,) = bot.app.job_queue.get_jobs_by_name(f"weekly:{CHANNEL['id']}")
    await api.go_down()
    await job.run(bot.app)
    (retry,) = bot.app.job_queue.get_jobs_by_name(f"weekly-retry:{CHANNEL['id']}")
    await api.come_back()
    await retry.run(bot.app)
    posts = await bot.replies(CHANNEL["id"], 2)
    assert posts[1]["text"].startswith("🗓 Le mythe de la semaine")


# --- live content --------------------------------------------------------------------------


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A small content to edit: each reload retrains it, in a fraction of a second."""
    return write_small_content(tmp_path / "content")


def add_example(folder: Path, intent: str, example: str) -> None:
    path = folder / "intents" / f"{intent}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("examples:\n  fr:\n", f"examples:\n  fr:\n  - {example}\n",
                                 1), encoding="utf-8")


async def test_an_edit_to_the_content_is_answered_within_seconds(api: FakeBotApi, tmp_path: Path,
                                                                 content_dir: Path) -> None:
    private = FakeBotApi.private_chat(ALICE)
    async with running_bot(api, tmp_path / "l.sqlite3", content=content_dir,
                           reload_seconds=0.2) as bot:
        api.send_text(private, ALICE, "zorglub vend des parapluies bleus à tokyo")
        (before,) = await bot.replies(ALICE["id"])
        assert before["text"].startswith("Je n'ai pas reconnu")
        old = bot.state.live.matcher
        add_example(content_dir, "anyone_can_do_it", "zorglub vend des parapluies bleus à tokyo")
        await api.wait_for(lambda: bot.state.live.matcher is not old, timeout=10)
        api.send_text(private, ALICE, "zorglub vend des parapluies bleus à tokyo")
        after = (await bot.replies(ALICE["id"], 2))[1]
        assert after["text"].startswith("Cliché : Titre anyone_can_do_it")


async def test_a_broken_edit_changes_nothing_and_tells_the_operators(
        api: FakeBotApi, tmp_path: Path, content_dir: Path) -> None:
    api.add_chat(FakeBotApi.private_chat(OPERATOR))
    private = FakeBotApi.private_chat(ALICE)
    async with running_bot(api, tmp_path / "b.sqlite3", content=content_dir, reload_seconds=0.2,
                           admins=frozenset({OPERATOR["id"]})) as bot:
        old = bot.state.live.matcher
        path = content_dir / "intents" / "salary.yaml"
        path.write_text(path.read_text().replace("examples:", "exemples:"), encoding="utf-8")
        (warning,) = await bot.replies(OPERATOR["id"], timeout=10)
        assert "intents/salary.yaml:" in warning["text"] and "did you mean 'examples'?" in \
            warning["text"]
        assert bot.state.live.matcher is old
        api.send_text(private, ALICE, "combien gagne un community manager ?")
        (reply,) = await bot.replies(ALICE["id"])
        assert reply["text"].startswith("Cliché : Titre salary")
        # The fix is announced too: the refusal must not be the operators' last word.
        path.write_text(path.read_text().replace("exemples:", "examples:"), encoding="utf-8")
        fixed = (await bot.replies(OPERATOR["id"], 2, timeout=30))[1]
        myths = len(bot.state.live.matcher.content.myths)
        assert fixed["text"].startswith(f"✅ Contenu corrigé et rechargé : {myths} mythes")
        assert bot.state.live.matcher is not old


async def test_reload_is_for_operators(bot: Running, api: FakeBotApi) -> None:
    api.send_text(FakeBotApi.private_chat(ALICE), ALICE, "/reload")
    api.send_text(FakeBotApi.private_chat(OPERATOR), OPERATOR, "/reload")
    (refusal,) = await bot.replies(ALICE["id"])
    (done,) = await bot.replies(OPERATOR["id"])
    assert refusal["text"] == "Cette commande est réservée aux opérateurs du bot."
    assert done["text"] == f"Contenu rechargé : {len(bot.state.live.matcher.content.myths)} mythes."


# --- what editors and operators learn ------------------------------------------------------


async def test_unanswered_questions_are_listed_by_mythbot_misses(bot: Running, api: FakeBotApi,
                                                                 tmp_path: Path) -> None:
    private = FakeBotApi.private_chat(ALICE)
    for question in ("quel logiciel pour programmer mes posts ?",
                     "quel logiciel pour programmer des posts",
                     "c'est quoi un bon taux d'engagement"):
        api.send_text(private, ALICE, question)
    await bot.replies(ALICE["id"], 3)
    await bot.settled()
    out = io.StringIO()
    assert main(["misses", "--db", str(tmp_path / "bot.sqlite3")], out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:4] == ["#", "count", "nearest", "intent"]
    assert lines[1].split()[:2] == ["1", "2"] and "programmer" in lines[1]  # most asked first
    assert any("taux d'engagement" in line for line in lines[2:])


async def test_stats_are_shown_to_operators_and_printed_by_the_cli(bot: Running, api: FakeBotApi,
                                                                   tmp_path: Path) -> None:
    api.send_text(FakeBotApi.private_chat(BOB), BOB, "how much does an SMM earn?")
    await bot.replies(BOB["id"])
    await bot.settled()
    api.send_text(FakeBotApi.private_chat(OPERATOR), OPERATOR, "/stats")
    (summary,) = await bot.replies(OPERATOR["id"])
    assert "salary" in summary["text"] and summary["text"].startswith("Statistiques")
    out = io.StringIO()
    assert main(["stats", "--db", str(tmp_path / "bot.sqlite3")], out) == 0
    assert "salary" in out.getvalue() and " en " in out.getvalue()
