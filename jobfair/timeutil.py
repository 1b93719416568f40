"""Local time (Africa/Casablanca) ↔ stored UTC."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Africa/Casablanca")


def local_to_utc(day, at):
    """The naive UTC instant of a local date and time in Casablanca."""
    local = datetime.combine(day, at, tzinfo=LOCAL_TZ)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def local_today():
    return datetime.now(LOCAL_TZ).date()
