"""The slot generator: pure functions from a day's settings to local (start, end) slots.

No database and no request here, so every rule is unit-tested on its own
(tests/test_slot_generator.py). Times are LOCAL (Africa/Casablanca); the
services turn the result into UTC instants and check it against the slots
that already exist.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from ..errors import DomainError


@dataclass(frozen=True)
class TimeRange:
    """A local start–end range within one day (a break)."""

    start: time
    end: time

    def __str__(self):
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


# Limits of the generator's numbers. An interview of more than 4 hours, a pause of more than 4
# hours between two slots or a "group session" of more than 100 candidates is a typing mistake,
# and unbounded numbers reach the database's integer columns (2^31 overflows on PostgreSQL).
MAX_SLOT_MINUTES = 240
MAX_BUFFER_MINUTES = 240
MAX_CAPACITY = 100


@dataclass(frozen=True)
class SlotSettings:
    """What the company asks for one table on the fair day."""

    start: time
    end: time
    slot_minutes: int
    buffer_minutes: int = 0
    breaks: tuple = ()
    capacity: int = 1


# "12:30-14:00", "12h30 – 14h", "9-10": an hour, optional minutes, a dash, the same again.
_CLOCK = r"(\d{1,2})(?:\s*[:hH.]\s*(\d{2})?)?"
_RANGE = re.compile(rf"^{_CLOCK}\s*[-–—]\s*{_CLOCK}$")


def _clock(hours, minutes):
    hours, minutes = int(hours), int(minutes or 0)
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def parse_breaks(text):
    """Read "12:30-14:00, 16:00-16:15" (commas, semicolons or new lines) into TimeRanges.

    Only the shape is checked here; order, overlaps and the window are checked
    by :func:`generate_slots`.
    """
    breaks = []
    for item in re.split(r"[,;\n]+", text or ""):
        item = item.strip()
        if not item:
            continue
        match = _RANGE.match(item)
        start = end = None
        if match:
            start = _clock(match.group(1), match.group(2))
            end = _clock(match.group(3), match.group(4))
        if start is None or end is None:
            raise DomainError(
                _l("“%(text)s” is not a break: write each break as start-end, e.g. 12:30-14:00.",
                   text=item),
                field="breaks",
            )
        breaks.append(TimeRange(start, end))
    return tuple(breaks)


def format_breaks(breaks):
    return ", ".join(str(b) for b in breaks)


def _hm(value):
    return value.strftime("%H:%M")


def check_settings(settings, opens_at, closes_at):
    """Raise DomainError (with the form field) for settings that cannot make a schedule."""
    start, end = settings.start, settings.end
    if start >= end:
        raise DomainError(_l("The end must be later than the start."), field="end")
    if start < opens_at:
        raise DomainError(
            _l("The fair opens at %(time)s: start at that time or later.", time=_hm(opens_at)),
            field="start",
        )
    if end > closes_at:
        raise DomainError(
            _l("The fair closes at %(time)s: end at that time or earlier.", time=_hm(closes_at)),
            field="end",
        )
    if settings.slot_minutes is None or settings.slot_minutes <= 0:
        raise DomainError(_l("A slot lasts at least one minute."), field="slot_minutes")
    if settings.slot_minutes > MAX_SLOT_MINUTES:
        raise DomainError(_l("A slot lasts at most %(most)d minutes.", most=MAX_SLOT_MINUTES),
                          field="slot_minutes")
    window = _minutes_between(start, end)
    if settings.slot_minutes > window:
        raise DomainError(
            _l("A %(length)d-minute slot does not fit between %(start)s and %(end)s "
               "(%(window)d minutes).",
               length=settings.slot_minutes, start=_hm(start), end=_hm(end), window=window),
            field="slot_minutes",
        )
    if settings.buffer_minutes is None or settings.buffer_minutes < 0:
        raise DomainError(
            _l("The time between slots cannot be negative (0 means back to back)."),
            field="buffer_minutes",
        )
    if settings.buffer_minutes > MAX_BUFFER_MINUTES:
        raise DomainError(
            _l("The time between slots is at most %(most)d minutes.", most=MAX_BUFFER_MINUTES),
            field="buffer_minutes",
        )
    if settings.capacity is None or settings.capacity < 1:
        raise DomainError(
            _l("A slot holds at least one candidate (1 = one-to-one interview)."),
            field="capacity",
        )
    if settings.capacity > MAX_CAPACITY:
        raise DomainError(
            _l("A slot holds at most %(most)d candidates.", most=MAX_CAPACITY), field="capacity"
        )
    previous = None
    for pause in sorted(settings.breaks, key=lambda b: (b.start, b.end)):
        if pause.start >= pause.end:
            raise DomainError(
                _l("The break %(range)s ends before it starts.", range=str(pause)), field="breaks"
            )
        if pause.start < start or pause.end > end:
            raise DomainError(
                _l("The break %(range)s is not between the start (%(start)s) and the end "
                   "(%(end)s).", range=str(pause), start=_hm(start), end=_hm(end)),
                field="breaks",
            )
        if previous is not None and pause.start < previous.end:
            raise DomainError(
                _l("The breaks %(first)s and %(second)s overlap.",
                   first=str(previous), second=str(pause)),
                field="breaks",
            )
        previous = pause


def _minutes_between(start, end):
    anchor = date(2000, 1, 1)
    return int((datetime.combine(anchor, end) - datetime.combine(anchor, start)).total_seconds()
               // 60)


def generate_slots(day, settings, opens_at, closes_at):
    """The local (start, end) datetimes of the slots ``settings`` asks for on ``day``.

    Slots follow one another from the start, ``buffer_minutes`` apart; a slot
    that would touch a break starts at the end of that break instead; the last
    slot ends at or before the end. No slot overlaps a break.
    """
    check_settings(settings, opens_at, closes_at)
    length = timedelta(minutes=settings.slot_minutes)
    buffer = timedelta(minutes=settings.buffer_minutes)
    end = datetime.combine(day, settings.end)
    breaks = sorted(
        (datetime.combine(day, b.start), datetime.combine(day, b.end)) for b in settings.breaks
    )
    slots = []
    cursor = datetime.combine(day, settings.start)
    while cursor + length <= end:
        slot_end = cursor + length
        clash = next((b for b in breaks if cursor < b[1] and b[0] < slot_end), None)
        if clash is not None:
            cursor = clash[1]
            continue
        slots.append((cursor, slot_end))
        cursor = slot_end + buffer
    if not slots:
        raise DomainError(
            _l("No slot fits between the start and the end around these breaks."), field="breaks"
        )
    return slots


def overlaps(a_start, a_end, b_start, b_end):
    """Half-open ranges: a slot ending at 10:00 does not overlap one starting at 10:00."""
    return a_start < b_end and b_start < a_end


def clashing(ranges, existing):
    """The (start, end) pairs of ``ranges`` that overlap any pair of ``existing``.

    Used for a preview (which new slots clash with the table's slots) and for
    copying a schedule to another table (which copied slots would clash).
    """
    existing = sorted(existing)
    return [r for r in ranges if any(overlaps(r[0], r[1], e[0], e[1]) for e in existing)]


def copy_plan(source, target, window_start, window_end):
    """Copying ``source`` slot times onto a table holding ``target``: (to_create, problems).

    All or nothing for one target table: ``to_create`` is empty as soon as one
    copied slot would overlap a slot of the target or fall outside the fair's
    hours (``window_start``..``window_end``, same clock as the ranges).
    """
    outside = [r for r in source if r[0] < window_start or r[1] > window_end]
    problems = sorted(set(clashing(source, target)) | set(outside))
    if problems:
        return [], problems
    return list(source), []
