"""A table's slots: generate (preview, then create), copy to other tables, block, unblock,
move, delete — a booked slot only with a reason (rules.py)."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..booking import services as booking_services
from ..errors import DomainError
from ..extensions import db
from ..models import (
    InterviewTable,
    Slot,
)
from ..timeutil import local_to_utc
from .generator import clashing, copy_plan, generate_slots, overlaps
from .rules import (
    check_editable,
    delete_slots,
    drop_bookings,
    fair_window,
    lock_table,
    refuse_if_interviews_recorded,
    table_ranges,
)


# --- Slots: generating ------------------------------------------------------


@dataclass(frozen=True)
class PlannedSlot:
    starts_at: datetime  # UTC
    ends_at: datetime
    clash: bool  # overlaps a slot the table already has


def plan_slots(table, settings):
    """The slots ``settings`` would give ``table`` (UTC), each marked if it clashes."""
    fair = table.participation.fair
    local = generate_slots(fair.day, settings, fair.opens_at, fair.closes_at)
    utc = [(local_to_utc(s.date(), s.time()), local_to_utc(e.date(), e.time())) for s, e in local]
    clashes = set(clashing(utc, table_ranges(table.id)))
    return [PlannedSlot(s, e, (s, e) in clashes) for s, e in utc]


def prerequisite_choices(fair):
    """What a slot may require: the fair's invited cohorts, and their tracks."""
    cohorts = sorted(fair.cohorts, key=lambda c: c.name.lower())
    tracks = sorted({c.track for c in cohorts}, key=lambda t: t.name.lower())
    return tracks, cohorts


def _prerequisites(fair, track_ids, cohort_ids):
    tracks, cohorts = prerequisite_choices(fair)
    track_by_id = {t.id: t for t in tracks}
    cohort_by_id = {c.id: c for c in cohorts}
    if any(i not in track_by_id for i in track_ids or ()):
        raise DomainError(_l("Choose tracks among those invited to this fair."), field="tracks")
    if any(i not in cohort_by_id for i in cohort_ids or ()):
        raise DomainError(_l("Choose cohorts among those invited to this fair."), field="cohorts")
    return [track_by_id[i] for i in track_ids or ()], [cohort_by_id[i] for i in cohort_ids or ()]


def create_slots(table, settings, track_ids=(), cohort_ids=(), expected=None):
    """Create the non-clashing slots of the plan; returns how many were created.

    ``expected`` is the count the user saw in the preview: if the table changed
    in between, nothing is created and the user checks a fresh preview.
    """
    fair = table.participation.fair
    check_editable(fair)
    lock_table(table.id)
    tracks, cohorts = _prerequisites(fair, track_ids, cohort_ids)
    plan = [p for p in plan_slots(table, settings) if not p.clash]
    if expected is not None and len(plan) != expected:
        raise DomainError(
            _l("The schedule of this table changed since the preview: check the new preview.")
        )
    if not plan:
        raise DomainError(
            _l("Every slot of this plan overlaps a slot the table already has: nothing to create.")
        )
    for planned in plan:
        db.session.add(Slot(
            table=table, starts_at=planned.starts_at, ends_at=planned.ends_at,
            capacity=settings.capacity, booked_count=0,
            eligible_tracks=list(tracks), eligible_cohorts=list(cohorts),
        ))
    db.session.flush()
    return len(plan)


# --- Slots: copying ---------------------------------------------------------


@dataclass
class CopyResult:
    table: InterviewTable
    created: int
    problems: list  # (starts_at, ends_at) UTC of the source slots that could not be copied


def copy_schedule(source, targets):
    """Copy ``source``'s slots (times, capacity, prerequisites) to each of ``targets``.

    All or nothing per target: a target where one copied slot would overlap
    one of its slots (or fall outside the fair's hours) gets nothing, and the
    clashes are reported; the other targets get the whole copy. New slots are
    open (not blocked) and have no bookings.
    """
    fair = source.participation.fair
    check_editable(fair)
    if not targets:
        raise DomainError(_l("Choose at least one table to copy to."), field="targets")
    for target in targets:
        if target.id == source.id or target.participation_id != source.participation_id:
            raise DomainError(_l("Choose other tables of your booth."), field="targets")
    for table_id in sorted([source.id] + [t.id for t in targets]):
        lock_table(table_id)
    slots = db.session.scalars(
        select(Slot).where(Slot.table_id == source.id).order_by(Slot.starts_at)
    ).all()
    if not slots:
        raise DomainError(_l("This table has no slot to copy yet."), field="targets")
    by_range = {(s.starts_at, s.ends_at): s for s in slots}
    window = fair_window(fair)
    results = []
    for target in targets:
        to_create, problems = copy_plan(list(by_range), table_ranges(target.id), *window)
        for key in to_create:
            original = by_range[key]
            db.session.add(Slot(
                table=target, starts_at=original.starts_at, ends_at=original.ends_at,
                capacity=original.capacity, booked_count=0,
                eligible_tracks=list(original.eligible_tracks),
                eligible_cohorts=list(original.eligible_cohorts),
            ))
        results.append(CopyResult(target, len(to_create), problems))
    db.session.flush()
    return results


# --- Slots: changing one ----------------------------------------------------


def block_slot(slot, reason, by_user, seen=None):
    """Close a slot to bookings; its live bookings are cancelled (with a reason) first."""
    check_editable(slot.table.participation.fair)
    cancelled = drop_bookings([slot.id], reason, by_user, seen)
    slot.is_blocked = True
    db.session.flush()
    return cancelled


def unblock_slot(slot):
    check_editable(slot.table.participation.fair)
    slot.is_blocked = False
    db.session.flush()
    # A place opened: the company's waitlist gets it first (booking/services.py).
    booking_services.promote_waitlist(slot.table.participation)


def delete_slot(slot, reason, by_user, seen=None):
    check_editable(slot.table.participation.fair)
    refuse_if_interviews_recorded(
        [slot.id],
        _l("This interview is already recorded (attended or no-show): the slot cannot be deleted."),
    )
    cancelled = drop_bookings([slot.id], reason, by_user, seen)
    delete_slots([slot.id], by_user)
    return cancelled


def move_slot(slot, new_start, reason, by_user, seen=None):
    """Move a slot to ``new_start`` (local time on the fair day), keeping its length."""
    table = slot.table
    fair = table.participation.fair
    check_editable(fair)
    refuse_if_interviews_recorded(
        [slot.id],
        _l("This interview is already recorded (attended or no-show): the slot cannot be moved."),
    )
    lock_table(table.id)
    starts_at = local_to_utc(fair.day, new_start)
    ends_at = starts_at + (slot.ends_at - slot.starts_at)
    if starts_at == slot.starts_at:
        raise DomainError(_l("The slot already starts at this time."), field="start")
    opens, closes = fair_window(fair)
    if starts_at < opens or ends_at > closes:
        raise DomainError(
            _l("The slot must stay within the fair's hours (%(opens)s–%(closes)s).",
               opens=fair.opens_at.strftime("%H:%M"), closes=fair.closes_at.strftime("%H:%M")),
            field="start",
        )
    if any(overlaps(starts_at, ends_at, s, e) for s, e in table_ranges(table.id, slot.id)):
        raise DomainError(
            _l("At this time the slot would overlap another slot of the same table."),
            field="start",
        )
    # Cancel before moving: the candidates' emails give the time they had booked.
    cancelled = drop_bookings([slot.id], reason, by_user, seen)
    slot.starts_at, slot.ends_at = starts_at, ends_at
    db.session.flush()
    # The slot is free at its new time: the company's waitlist gets it first.
    booking_services.promote_waitlist(table.participation)
    return cancelled
