"""The myth of the week: `/weekly <day> <HH:MM> [timezone]` in a group or channel."""

from __future__ import annotations

import logging
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapidfuzz import fuzz, process
from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, JobQueue

from bot.conversation import parse_count
from bot.html import escape
from bot.replies import Reply, myth_card, myth_reply
from bot.rotation import next_weekly
from bot.storage import Schedule
from bot.telegram.admin import admin_or_refuse
from bot.telegram.delivery import Undelivered
from bot.telegram.membership import forget_chat
from bot.telegram.sending import answer, confirm_saved, keyboard
from bot.telegram.state import BotState, Context, user_lang
from bot.texts import text

log = logging.getLogger(__name__)

DEFAULT_TZ = "Europe/Paris"
DAYS = {
    0: ("monday", "mon", "lundi", "lun", "1"),
    1: ("tuesday", "tue", "tues", "mardi", "mar", "2"),
    2: ("wednesday", "wed", "mercredi", "mer", "3"),
    3: ("thursday", "thu", "thur", "jeudi", "jeu", "4"),
    4: ("friday", "fri", "vendredi", "ven", "5"),
    5: ("saturday", "sat", "samedi", "sam", "6"),
    6: ("sunday", "sun", "dimanche", "dim", "7"),
}
DAY_NAMES = {"fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
             "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                    "Sunday")}


def parse_weekly(args: list[str]) -> Schedule | None:
    """`<day> <HH:MM> [timezone]` as a schedule (chat id 0), or None when malformed."""
    if len(args) not in (2, 3):
        return None
    day = next((d for d, names in DAYS.items() if args[0].lower() in names), None)
    raw_hours, _, raw_minutes = args[1].partition(":")
    hours, minutes = parse_count(raw_hours), parse_count(raw_minutes)
    if day is None or hours is None or minutes is None or len(raw_minutes) != 2:
        return None
    if not (hours < 24 and minutes < 60):
        return None
    zone = args[2] if len(args) == 3 else DEFAULT_TZ
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return Schedule(0, day, f"{hours:02d}:{minutes:02d}", zone)


def closest_zone(name: str) -> str | None:
    """The IANA time zone the user most likely meant ("Europe/Pariss": "Europe/Paris")."""
    found = process.extractOne(name, sorted(available_timezones()), scorer=fuzz.WRatio,
                               processor=str.lower, score_cutoff=80)
    return str(found[0]) if found else None


def schedule_job(job_queue: JobQueue[Any], schedule: Schedule) -> None:
    name = f"weekly:{schedule.chat_id}"
    for job in job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    hours, minutes = (int(part) for part in schedule.time.split(":"))
    at = time(hours, minutes, tzinfo=ZoneInfo(schedule.timezone))
    # PTB counts days from Sunday = 0; the store from Monday = 0.
    job_queue.run_daily(post_weekly, at, days=((schedule.weekday + 1) % 7,), name=name,
                        chat_id=schedule.chat_id)


def restore_jobs(application: Application) -> int:  # type: ignore[type-arg]
    """Re-create the weekly jobs after a restart, from the schedules in SQLite."""
    bot_state: BotState = application.bot_data
    job_queue = application.job_queue
    if job_queue is None:
        return 0
    schedules = bot_state.store.schedules()
    for schedule in schedules:
        schedule_job(job_queue, schedule)
    return len(schedules)


async def weekly(update: Update, context: Context) -> None:
    """Set or stop this chat's weekly myth (admins of the group or channel only)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    lang = user_lang(update, context)
    args = context.args or []
    if chat.type == ChatType.PRIVATE:
        await answer(message, Reply(text("groups_only", lang)), quote=False)
        return
    if not await admin_or_refuse(update, context):
        return
    store = context.bot_data.store
    if [a.lower() for a in args] == ["off"]:
        removed = store.delete_schedule(chat.id)
        if context.job_queue is not None:
            for job in context.job_queue.get_jobs_by_name(f"weekly:{chat.id}"):
                job.schedule_removal()
        await confirm_saved(update, context, text("weekly_off" if removed else "weekly_none",
                                                  lang), lang, quote=False)
        return
    parsed = parse_weekly(args)
    if parsed is None and len(args) == 3 and parse_weekly(args[:2]) is not None:
        best = closest_zone(args[2])
        hint = text("weekly_zone_hint", lang, best=escape(best)) if best else ""
        await answer(message, Reply(text("weekly_bad_zone", lang, zone=escape(args[2]),
                                         hint=hint)), quote=False)
        return
    if parsed is None:
        await answer(message, Reply(text("weekly_usage", lang)), quote=False)
        return
    chosen = store.chat_settings(chat.id).lang
    schedule = Schedule(chat.id, parsed.weekday, parsed.time, parsed.timezone,
                        chosen if chosen != "auto" else lang)  # type: ignore[arg-type]
    store.set_schedule(schedule)
    if context.job_queue is not None:
        schedule_job(context.job_queue, schedule)
    await confirm_saved(update, context, text("weekly_set", lang,
                                              day=DAY_NAMES[lang][parsed.weekday],
                                              time=parsed.time, tz=parsed.timezone), lang,
                        quote=False)


RETRY_SECONDS = 60.0


async def post_weekly(context: Context) -> None:
    """Post the next myth card of the rotation; stop for good if the bot was removed; try
    again a minute later while Telegram is unreachable (for the reply retention time)."""
    job = context.job
    if job is None or job.chat_id is None:
        return
    chat_id = job.chat_id
    bot_state = context.bot_data
    schedule = bot_state.store.schedule(chat_id)
    if schedule is None:
        if job.name == f"weekly:{chat_id}":
            job.schedule_removal()
        return
    content = bot_state.live.matcher.content
    intent = next_weekly([m.id for m in content.myths], bot_state.store.weekly_history(chat_id))
    myth = content.by_id[intent]
    lang = schedule.lang if schedule.lang != "auto" else "fr"
    card = f"{text('weekly_title', lang)}\n\n{myth_card(myth, lang)}"
    share = myth_reply(myth, lang, bot_username=bot_state.username or None, navigation=False)
    try:
        await context.bot.send_message(chat_id, card,
                                       reply_markup=keyboard(share, bot_state.username or None))
    except Undelivered as exc:
        now = bot_state.clock()  # monotonic: a wall clock set forward must not skip the post
        first = job.data if isinstance(job.data, float) else now
        if now - first < bot_state.config.reply_retention and context.job_queue:
            log.info("weekly post to chat %s not delivered (%s): tried again in %.0fs",
                     chat_id, exc, RETRY_SECONDS)
            context.job_queue.run_once(post_weekly, RETRY_SECONDS, chat_id=chat_id, data=first,
                                       name=f"weekly-retry:{chat_id}")
        else:
            log.warning("weekly post to chat %s not delivered (%s): skipped this week",
                        chat_id, exc)
        return
    except (Forbidden, BadRequest) as exc:
        if isinstance(exc, BadRequest) and "chat not found" not in str(exc).lower():
            raise
        log.info("weekly post to chat %s impossible (%s): schedule deleted", chat_id, exc)
        # forget_chat removes this chat's jobs, this one included: removing it again
        # would raise JobLookupError.
        forget_chat(context, chat_id)
        return
    bot_state.store.record_weekly_post(chat_id, intent)
