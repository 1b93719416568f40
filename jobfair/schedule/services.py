"""The booth's interview schedule: tables, slots, and the bookings a change drops.

Rules, in one place:
- only while ``lifecycle.schedule_editable(fair)``;
- every slot lies within the fair's opening hours, and no two slots of one
  table overlap (the table row is locked while its slots change, so two
  requests cannot both pass the check on PostgreSQL; SQLite's BEGIN IMMEDIATE
  already serialises writers);
- a booked slot is never dropped silently: a change that would cancel live
  bookings raises :class:`ConfirmationRequired` until a reason is given, then
  each booking is cancelled with ``booking.cancel_by_company`` (the booking
  package owns every change of a booking), which emails the candidate.

Past 400 lines on purpose: these rules share the checks above (editable fair,
table lock, fair hours, live bookings) and read best together.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..audit import services as audit
from ..booking import services as booking_services
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import schedule_editable
from ..models import (
    Booking,
    Candidate,
    Cohort,
    InterviewTable,
    Slot,
    WaitlistEntry,
)
from ..timeutil import local_to_utc
from .generator import clashing, copy_plan, generate_slots, overlaps

class ConfirmationRequired(DomainError):
    """The change would cancel live bookings: it needs the user's confirmation and a reason."""

    def __init__(self, bookings, changed=False):
        if changed:
            message = _l("Bookings changed since you looked: check the list again and confirm.")
        else:
            message = _l("Give the reason the candidates will read: their booking will be cancelled.")
        super().__init__(message, field="reason")
        self.bookings = bookings
        # True when the bookings differ from those the user confirmed.
        self.changed = changed


# --- Bookings ---------------------------------------------------------------


def active_bookings(slot_ids):
    """Active bookings of these slots, with what the confirmation shows about each candidate."""
    if not slot_ids:
        return []
    return db.session.scalars(
        select(Booking)
        .where(Booking.slot_id.in_(list(slot_ids)), Booking.status == "active")
        .options(
            joinedload(Booking.candidate).joinedload(Candidate.user),
            joinedload(Booking.candidate).joinedload(Candidate.cohort).joinedload(Cohort.track),
            joinedload(Booking.slot),
        )
        .order_by(Booking.slot_id, Booking.id)
    ).unique().all()


def _drop_bookings(slot_ids, reason, by_user, seen=None):
    """Cancel the live bookings of these slots: only with a reason, never silently.

    ``seen``: the booking ids the user confirmed; a booking made since then
    asks for confirmation again rather than being cancelled unseen.
    """
    bookings = active_bookings(slot_ids)
    if not bookings:
        return 0
    reason = booking_services.clean_reason(reason)
    if not reason:
        raise ConfirmationRequired(bookings)
    if seen is not None and {b.id for b in bookings} - set(seen):
        raise ConfirmationRequired(bookings, changed=True)
    for one in bookings:
        booking_services.cancel_by_company(one, reason, by_user)
    return len(bookings)


def _refuse_if_interviews_recorded(slot_ids, message):
    recorded = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.slot_id.in_(list(slot_ids)), Booking.status.in_(("attended", "no_show"))
        )
    )
    if recorded:
        raise DomainError(message)


# --- Shared checks ----------------------------------------------------------


def check_editable(fair):
    if not schedule_editable(fair):
        raise DomainError(_l("This fair is over: its schedule can no longer change."))


def lock_table(table_id):
    """Hold the table's row until the transaction ends (SELECT … FOR UPDATE on PostgreSQL)."""
    db.session.execute(
        select(InterviewTable.id).where(InterviewTable.id == table_id).with_for_update()
    )


def fair_window(fair):
    """The fair's opening hours as naive UTC instants."""
    return local_to_utc(fair.day, fair.opens_at), local_to_utc(fair.day, fair.closes_at)


def table_ranges(table_id, except_slot_id=None):
    query = select(Slot.starts_at, Slot.ends_at).where(Slot.table_id == table_id)
    if except_slot_id is not None:
        query = query.where(Slot.id != except_slot_id)
    return [(row.starts_at, row.ends_at) for row in db.session.execute(query)]


# --- Tables -----------------------------------------------------------------


def _clean_table_name(name):
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(
            _l("Give the table a name, for example the interviewer's name."), field="name"
        )
    if len(name) > 100:
        raise DomainError(_l("Keep the name under 100 characters."), field="name")
    return name


def _check_name_free(participation_id, name, except_id=None):
    query = select(InterviewTable.id).where(
        InterviewTable.participation_id == participation_id,
        func.lower(InterviewTable.name) == name.lower(),
    )
    if except_id is not None:
        query = query.where(InterviewTable.id != except_id)
    if db.session.scalar(query) is not None:
        raise DomainError(
            _l("Your booth already has a table named “%(name)s”.", name=name), field="name"
        )


def _flush_name(name):
    try:
        db.session.flush()
    except IntegrityError:
        # Two requests raced for the same name: the unique constraint decided.
        raise DomainError(
            _l("Your booth already has a table named “%(name)s”.", name=name), field="name"
        ) from None


def add_table(participation, name):
    check_editable(participation.fair)
    name = _clean_table_name(name)
    _check_name_free(participation.id, name)
    table = InterviewTable(participation=participation, name=name)
    db.session.add(table)
    _flush_name(name)
    return table


def rename_table(table, name):
    check_editable(table.participation.fair)
    name = _clean_table_name(name)
    _check_name_free(table.participation_id, name, except_id=table.id)
    table.name = name
    _flush_name(name)
    return table


def delete_table(table, reason, by_user, seen=None):
    """Delete a table and its slots; its live bookings are cancelled (with a reason) first."""
    check_editable(table.participation.fair)
    lock_table(table.id)
    slot_ids = db.session.scalars(select(Slot.id).where(Slot.table_id == table.id)).all()
    _refuse_if_interviews_recorded(
        slot_ids,
        _l("Interviews at this table are already recorded (attended or no-show): "
           "it cannot be deleted."),
    )
    cancelled = _drop_bookings(slot_ids, reason, by_user, seen)
    _delete_slots(slot_ids, by_user)
    db.session.expire(table, ["slots"])
    db.session.delete(table)
    db.session.flush()
    return cancelled


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
    cancelled = _drop_bookings([slot.id], reason, by_user, seen)
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
    _refuse_if_interviews_recorded(
        [slot.id],
        _l("This interview is already recorded (attended or no-show): the slot cannot be deleted."),
    )
    cancelled = _drop_bookings([slot.id], reason, by_user, seen)
    _delete_slots([slot.id], by_user)
    return cancelled


def move_slot(slot, new_start, reason, by_user, seen=None):
    """Move a slot to ``new_start`` (local time on the fair day), keeping its length."""
    table = slot.table
    fair = table.participation.fair
    check_editable(fair)
    _refuse_if_interviews_recorded(
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
    cancelled = _drop_bookings([slot.id], reason, by_user, seen)
    slot.starts_at, slot.ends_at = starts_at, ends_at
    db.session.flush()
    # The slot is free at its new time: the company's waitlist gets it first.
    booking_services.promote_waitlist(table.participation)
    return cancelled


def _delete_slots(slot_ids, by_user):
    """Delete slots. Their bookings are all cancelled by now; each is kept in the audit log.

    A booking row needs its slot (the schema holds slot_id NOT NULL), so the
    cancelled bookings of a deleted slot go with it; the audit event keeps who
    had booked, when, and why it was cancelled.
    """
    if not slot_ids:
        return
    bookings = db.session.scalars(
        select(Booking).where(Booking.slot_id.in_(list(slot_ids)))
        .options(joinedload(Booking.slot).joinedload(Slot.table))
    ).unique().all()
    for booking in bookings:
        slot = booking.slot
        audit.record(
            "booking.removed_with_slot", by_user, slot.table.participation.fair_id, booking,
            candidate_id=booking.candidate_id,
            participation_id=booking.participation_id,
            table=slot.table.name,
            slot_starts_at=slot.starts_at.isoformat(),
            slot_ends_at=slot.ends_at.isoformat(),
            status=booking.status,
            cancelled_at=booking.cancelled_at.isoformat() if booking.cancelled_at else None,
            cancel_reason=booking.cancel_reason,
        )
    booking_ids = [b.id for b in bookings]
    if booking_ids:
        db.session.execute(
            update(WaitlistEntry).where(WaitlistEntry.booking_id.in_(booking_ids))
            .values(booking_id=None).execution_options(synchronize_session=False)
        )
        for booking in bookings:
            db.session.delete(booking)
        db.session.flush()
    for slot in db.session.scalars(select(Slot).where(Slot.id.in_(list(slot_ids)))).all():
        db.session.expire(slot, ["bookings"])  # reloaded empty: nothing left to unlink
        db.session.delete(slot)
    db.session.flush()

