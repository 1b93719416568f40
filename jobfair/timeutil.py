"""Local time (Africa/Casablanca) ↔ stored UTC.

pytz, not zoneinfo: Flask-Babel's date filters use pytz, and the system's
time-zone database can be older than pytz's (Morocco's rules changed in 2026):
storing with one and showing with the other would shift times by an hour.
"""
from datetime import datetime, timezone

import pytz

LOCAL_TZ = pytz.timezone("Africa/Casablanca")


def local_to_utc(day, at):
    """The naive UTC instant of a local date and time in Casablanca."""
    local = LOCAL_TZ.localize(datetime.combine(day, at))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def utc_to_local(instant):
    """The naive local (Casablanca) datetime of a naive UTC instant (None stays None)."""
    if instant is None:
        return None
    return instant.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).replace(tzinfo=None)


def utc_offset_minutes(instant):
    """Casablanca's offset from UTC, in minutes, at a naive UTC instant (today's rules)."""
    return int(pytz.utc.localize(instant).astimezone(LOCAL_TZ).utcoffset().total_seconds()) // 60


def local_offset_minutes(local):
    """Casablanca's offset from UTC, in minutes, at a naive local time (today's rules)."""
    return int(LOCAL_TZ.localize(local).utcoffset().total_seconds()) // 60


def local_today():
    return datetime.now(LOCAL_TZ).date()
