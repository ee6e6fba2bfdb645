"""Moments and days from what people and partner systems tell us.

Staff type times to the minute, partner systems send a day without a time, and the
server may run in any time zone. Every "is this in the future?" and every "the moment
of this day" goes through here, so that a record of this morning is never refused as
"later than now" at 08:00 and accepted at 15:00.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

# How far a typed or sent moment may run ahead of our clock: a form filled to the minute
# (09:50 typed at 09:49:30), or another system's clock a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)


def is_future(moment: datetime, now: datetime | None = None) -> bool:
    """Whether `moment` is later than now by more than two clocks may differ."""
    return moment > (now or timezone.now()) + CLOCK_SKEW


def day_is_future(day: date, today: date | None = None) -> bool:
    """Whether `day` comes after today, in the server's time zone."""
    return day > (today or timezone.localdate())


def moment_of_day(day: date, now: datetime | None = None) -> datetime:
    """The moment kept for an event known only by its day.

    Noon of that day in the server's time zone, so that the day reads the same in any
    zone within eleven hours of ours; but never later than now, so that an event of
    today, told before noon, is not "in the future". Whoever keeps the moment also keeps
    that only the day is known (for example `Stay.found_precision`).
    """
    now = now or timezone.now()
    noon = datetime.combine(day, time(12, 0), timezone.get_current_timezone())
    if day == timezone.localdate(now) and noon > now:
        return now
    return noon


def start_of_day(day: date) -> datetime:
    """00:00 of `day` in the server's time zone (aware)."""
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def nightly(hour: int, minute: int):
    """A Huey schedule for `hour:minute` every day in the site's time zone (TIME_ZONE).

    The consumer checks its schedules against the UTC clock (Huey's default), so a plain
    `crontab(hour="2")` would run at 10:00 in Beijing, in the middle of the working day.
    Each UTC minute is turned into the zone's local time before it is compared, so the job
    keeps its local hour across summer time where a zone has it."""
    from datetime import UTC

    def due(moment: datetime) -> bool:
        utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        local = utc.astimezone(timezone.get_default_timezone())
        return (local.hour, local.minute) == (hour, minute)

    due.__name__ = f"nightly_{hour:02d}{minute:02d}"
    return due
