"""Booking rules, and the operations that apply them: book, cancel, move, waitlist.

Every rule is a ``check_*`` function on plain objects that raises ``DomainError``
with its own message; ``check_can_book`` runs them in order. The operations are
one transaction each (the caller commits, or rolls back on ``DomainError``) and
let the DATABASE decide what a race could break — never "check, then insert":

1. The candidate's row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL;
   SQLite's ``BEGIN IMMEDIATE`` already serialises writers), so the rules about
   the candidate's own bookings (at most N, one per company, no overlap, gap)
   are read and acted on by one request of that candidate at a time.
2. A place is taken with a conditional UPDATE
   (``booked_count = booked_count + 1 WHERE booked_count < capacity AND NOT
   is_blocked``): of two requests for the last place, one updates a row, the
   other none ("This slot was just taken").
3. The booking is inserted last; the partial unique indexes (one live booking
   per candidate and slot, and per candidate and company) are the final guard.

Deadlocks on PostgreSQL are avoided by order: a transaction WAITS only for its
own candidate's row (its first lock) and then for slot rows; waitlist promotion,
which runs inside another candidate's transaction, takes the waiting
candidates' rows and extra slot rows with ``SKIP LOCKED`` (never waiting), and a
move updates its two slots in id order. See docs/ARCHITECTURE.md.

Past 400 lines on purpose: the operations share the lock, seat and rule
functions above them, and the guarantee is easier to check in one file.
"""
from datetime import timedelta

from flask_babel import LazyString, format_datetime, format_time, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..candidate.services import missing_profile_items
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import booking_open, is_over, is_public
from ..models import (
    Booking,
    Candidate,
    Cohort,
    InterviewTable,
    Participation,
    Slot,
    WaitlistEntry,
    utcnow,
)
from . import notify

SLOT_TAKEN = _l("This slot was just taken: choose another time.")
NOT_ACTIVE = _l("This interview is no longer booked: nothing was changed.")


# Times and dates inside messages are formatted when the message is shown (in the
# reader's language), not when the rule fails: a rule needs no locale to run.
def _times(slot):
    starts_at, ends_at = slot.starts_at, slot.ends_at
    return LazyString(lambda: f"{format_time(starts_at, 'short')}–{format_time(ends_at, 'short')}")


def _datetime(instant):
    return LazyString(format_datetime, instant, "short")


# --- Reading what the rules need (fresh: after the lock) -------------------------------


def live_bookings(candidate_id, fair_id):
    """The candidate's bookings in this fair that are not cancelled, re-read from the database."""
    return db.session.scalars(
        select(Booking)
        .join(Participation, Booking.participation_id == Participation.id)
        .where(Booking.candidate_id == candidate_id, Participation.fair_id == fair_id,
               Booking.status != "cancelled")
        .options(joinedload(Booking.slot),
                 joinedload(Booking.participation).joinedload(Participation.company))
        .order_by(Booking.id)
        .execution_options(populate_existing=True)
    ).unique().all()


def free_slots(participation_id, now=None):
    """The company's slots with a free place, open and not started, earliest first."""
    return db.session.scalars(
        select(Slot)
        .join(InterviewTable, Slot.table_id == InterviewTable.id)
        .where(InterviewTable.participation_id == participation_id,
               Slot.is_blocked.is_(False), Slot.booked_count < Slot.capacity,
               Slot.starts_at > (now or utcnow()))
        .options(joinedload(Slot.table), selectinload(Slot.eligible_tracks),
                 selectinload(Slot.eligible_cohorts))
        .order_by(Slot.starts_at, Slot.id)
        .execution_options(populate_existing=True)
    ).all()


# --- The rules, one message each ------------------------------------------------------


def check_profile(candidate):
    missing = missing_profile_items(candidate)
    if missing:
        items = LazyString(lambda: ", ".join(str(item) for item in missing))
        raise DomainError(_l("Complete your profile before booking. Missing: %(items)s.",
                             items=items))


def check_booking_window(fair, now=None):
    now = now or utcnow()
    # A fair with a booking round (jobfair/round/) opens first-come once the round is published.
    if fair.booking_round is not None and fair.booking_round.published_at is None:
        raise DomainError(_l("Booking opens once the interviews of the booking round are "
                             "published."))
    if booking_open(fair, now):
        return
    if is_over(fair):
        raise DomainError(_l("This fair is over: booking is closed."))
    if not is_public(fair):
        raise DomainError(_l("This fair is not open to booking yet."))
    if now < fair.booking_opens_at:
        raise DomainError(_l("Booking opens on %(when)s.",
                             when=_datetime(fair.booking_opens_at)))
    raise DomainError(_l("Booking closed on %(when)s.",
                         when=_datetime(fair.booking_closes_at)))


def check_cohort_invited(fair, candidate):
    if candidate.cohort_id is None or candidate.cohort_id not in {c.id for c in fair.cohorts}:
        raise DomainError(_l("Your cohort is not invited to this fair."))


def check_company_takes_part(participation):
    if participation.status != "approved":
        raise DomainError(_l("%(company)s no longer takes part in this fair.",
                             company=participation.company.name))


def eligibility_problem(slot, candidate):
    """Why the slot's prerequisites exclude the candidate, or None. Empty lists: everyone invited.

    Each list restricts on its own (the company chose "only these tracks" and/or
    "only these cohorts"): a candidate must satisfy both when both are set.
    """
    cohort = candidate.cohort
    tracks = slot.eligible_tracks
    if tracks and (cohort is None or cohort.track_id not in {t.id for t in tracks}):
        return _l("This slot is reserved for candidates of these tracks: %(names)s.",
                  names=", ".join(sorted(t.name for t in tracks)))
    cohorts = slot.eligible_cohorts
    if cohorts and candidate.cohort_id not in {c.id for c in cohorts}:
        return _l("This slot is reserved for candidates of these cohorts: %(names)s.",
                  names=", ".join(sorted(c.name for c in cohorts)))
    return None


def check_eligible(slot, candidate):
    problem = eligibility_problem(slot, candidate)
    if problem:
        raise DomainError(problem)


def check_slot_open(slot, now=None):
    if slot.is_blocked:
        raise DomainError(_l("The company closed this slot: choose another time."))
    if slot.starts_at <= (now or utcnow()):
        raise DomainError(_l("This slot has already started: choose a later time."))


def check_booking_limit(fair, live):
    limit = fair.max_bookings_per_candidate
    if len(live) >= limit:
        raise DomainError(lazy_ngettext(
            "You already have %(num)d interview at this fair, the most allowed: "
            "cancel it to book another.",
            "You already have %(num)d interviews at this fair, the most allowed: "
            "cancel one to book another.",
            limit))


def check_one_per_company(participation_id, live):
    for booking in live:
        if booking.participation_id == participation_id:
            raise DomainError(_l(
                "You already have an interview with %(company)s (%(time)s): "
                "one per company. Move it if another time suits you better.",
                company=booking.participation.company.name, time=_times(booking.slot)))


def check_timing(fair, slot, live):
    """No overlap with the candidate's other interviews, and the fair's minimum gap between them."""
    gap = timedelta(minutes=fair.min_gap_minutes)
    for booking in sorted(live, key=lambda b: b.slot.starts_at):
        other = booking.slot
        company = booking.participation.company.name
        if slot.starts_at < other.ends_at and other.starts_at < slot.ends_at:
            raise DomainError(_l("This slot overlaps your interview with %(company)s (%(time)s).",
                                 company=company, time=_times(other)))
        if slot.starts_at < other.ends_at + gap and other.starts_at < slot.ends_at + gap:
            raise DomainError(lazy_ngettext(
                "Leave at least %(num)d minute between two interviews: "
                "you have one with %(company)s (%(time)s).",
                "Leave at least %(num)d minutes between two interviews: "
                "you have one with %(company)s (%(time)s).",
                fair.min_gap_minutes, company=company, time=_times(other)))


def check_capacity(slot):
    """What the page showed may be stale; the conditional UPDATE in ``take_seat`` decides."""
    if slot.booked_count >= slot.capacity:
        raise DomainError(SLOT_TAKEN)


def check_can_book(candidate, slot, live, now=None):
    """Every rule for ``candidate`` to book ``slot``, given their other live bookings."""
    participation = slot.table.participation
    fair = participation.fair
    check_profile(candidate)
    check_booking_window(fair, now)
    check_cohort_invited(fair, candidate)
    check_company_takes_part(participation)
    check_eligible(slot, candidate)
    check_slot_open(slot, now)
    check_booking_limit(fair, live)
    check_one_per_company(participation.id, live)
    check_timing(fair, slot, live)
    check_capacity(slot)


def booking_problem(candidate, slot, live, now=None):
    """The message of the first rule that refuses, or None (to offer only bookable choices)."""
    try:
        check_can_book(candidate, slot, live, now)
    except DomainError as error:
        return error.message
    return None


def check_changeable(booking, fair, now=None):
    """A booking may be cancelled or moved while active, until the fair's cancellation deadline."""
    if booking.status != "active":
        raise DomainError(NOT_ACTIVE)
    if is_over(fair):
        raise DomainError(_l("This fair is over: its interviews can no longer change."))
    if (now or utcnow()) >= fair.cancellation_deadline:
        raise DomainError(_l(
            "Interviews could be cancelled or moved until %(when)s. "
            "If you cannot come, tell the company at its booth or by email.",
            when=_datetime(fair.cancellation_deadline)))


# --- Locks and seats ----------------------------------------------------------------------


def lock_candidate(candidate_id, skip_locked=False):
    """Hold the candidate's row until the transaction ends (a no-op on SQLite, which is serialised).

    With ``skip_locked`` (PostgreSQL) it does not wait: False when another
    transaction holds the row right now.
    """
    locked = db.session.scalar(
        select(Candidate.id).where(Candidate.id == candidate_id)
        .with_for_update(skip_locked=skip_locked)
    )
    return locked is not None


def _lock_slot_if_free(slot_id):
    """Lock a slot's row unless another transaction holds it (PostgreSQL SKIP LOCKED)."""
    return db.session.scalar(
        select(Slot.id).where(Slot.id == slot_id).with_for_update(skip_locked=True)
    ) is not None


def take_seat(slot_id):
    """The database decides who gets a place: one row updated, or none."""
    taken = db.session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.booked_count < Slot.capacity, Slot.is_blocked.is_(False))
        .values(booked_count=Slot.booked_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    _expire_count(slot_id)
    return taken


def release_seat(slot_id):
    db.session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.booked_count > 0)
        .values(booked_count=Slot.booked_count - 1)
        .execution_options(synchronize_session=False)
    )
    _expire_count(slot_id)


def _expire_count(slot_id):
    # Only a slot already in the session needs it; never load one for this.
    slot = db.session.identity_map.get(db.session.identity_key(Slot, slot_id))
    if slot is not None:
        db.session.expire(slot, ["booked_count"])


def _take_seat_or_refuse(slot):
    if take_seat(slot.id):
        return
    db.session.refresh(slot, ["is_blocked"])
    if slot.is_blocked:
        raise DomainError(_l("The company closed this slot: choose another time."))
    raise DomainError(SLOT_TAKEN)


def _new_booking(candidate, slot, nonce=None):
    return Booking(slot_id=slot.id, candidate_id=candidate.id,
                   participation_id=slot.table.participation_id, status="active", nonce=nonce)


def _insert_booking(candidate, slot, nonce=None):
    """The last guard: the partial unique indexes refuse a second live booking."""
    booking = _new_booking(candidate, slot, nonce)
    try:
        with db.session.begin_nested():
            db.session.add(booking)
    except IntegrityError:
        raise DomainError(_l("You already have an interview with this company.")) from None
    return booking


def _mark_cancelled(booking, by_user, now, reason=None):
    changed = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == "active")
        .values(status="cancelled", cancelled_at=now, cancelled_by_id=by_user.id,
                cancel_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(booking)
    if changed != 1:
        raise DomainError(NOT_ACTIVE)


def _close_waiting_entry(candidate_id, participation_id, booking):
    """A candidate who books the company directly leaves its waitlist (as booked)."""
    db.session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.candidate_id == candidate_id,
               WaitlistEntry.participation_id == participation_id,
               WaitlistEntry.status == "waiting")
        .values(status="booked", booking_id=booking.id)
        .execution_options(synchronize_session=False)
    )


# --- Book, cancel, move -------------------------------------------------------------------


def book(candidate, slot, now=None, nonce=None):
    """Book ``slot`` for ``candidate``: every rule, one transaction (the caller commits).

    ``nonce`` (from the form): a retried request whose first answer was lost gets that
    booking back, as long as it stands, instead of "you already have an interview".
    """
    now = now or utcnow()
    participation = slot.table.participation
    nonce = (nonce or "").strip()[:64] or None
    lock_candidate(candidate.id)  # also orders two retries of one request
    first = db.session.scalar(select(Booking).where(
        Booking.candidate_id == candidate.id, Booking.nonce == nonce)) if nonce else None
    if first is not None and first.slot_id == slot.id and first.status != "cancelled":
        return first
    nonce = None if first is not None else nonce  # used already: an ordinary booking
    live = live_bookings(candidate.id, participation.fair_id)
    check_can_book(candidate, slot, live, now)
    _take_seat_or_refuse(slot)
    booking = _insert_booking(candidate, slot, nonce)
    _close_waiting_entry(candidate.id, participation.id, booking)
    notify.booking_confirmed(booking)
    return booking


def cancel(booking, by_user, now=None):
    """The candidate cancels: the place is freed and offered to the company's waitlist at once."""
    now = now or utcnow()
    participation = booking.participation
    lock_candidate(booking.candidate_id)
    db.session.refresh(booking)
    check_changeable(booking, participation.fair, now)
    _mark_cancelled(booking, by_user, now)
    release_seat(booking.slot_id)
    notify.booking_cancelled(booking)
    promote_waitlist(participation, now)
    return booking


def move(booking, target, now=None):
    """Move to another slot of the same company: the new booking and the release happen together.

    The old booking is cancelled first (the unique index allows one live
    booking per candidate and company), then the places change; any refusal
    raises, and the caller's rollback leaves everything as it was.
    """
    now = now or utcnow()
    participation = booking.participation
    fair = participation.fair
    lock_candidate(booking.candidate_id)
    db.session.refresh(booking)
    check_changeable(booking, fair, now)
    if target.id == booking.slot_id:
        raise DomainError(_l("This is already the time of your interview."), field="target")
    if target.table.participation_id != booking.participation_id:
        raise DomainError(_l("Choose another time with the same company."), field="target")
    candidate = booking.candidate
    live = [b for b in live_bookings(candidate.id, fair.id) if b.id != booking.id]
    try:
        check_can_book(candidate, target, live, now)
    except DomainError as error:
        raise DomainError(error.message, field="target") from None
    old_slot = booking.slot
    _mark_cancelled(booking, candidate.user, now)
    # Slot rows in id order: two moves in opposite directions cannot deadlock (PostgreSQL).
    for slot_id in sorted((old_slot.id, target.id)):
        if slot_id == target.id:
            try:
                _take_seat_or_refuse(target)
            except DomainError as error:
                raise DomainError(error.message, field="target") from None
        else:
            release_seat(old_slot.id)
    new = _insert_booking(candidate, target)
    notify.booking_moved(booking, new)
    promote_waitlist(participation, now)
    return new


# --- Waitlist -----------------------------------------------------------------------------


def waiting_entry(candidate_id, participation_id):
    return db.session.scalar(
        select(WaitlistEntry).where(WaitlistEntry.candidate_id == candidate_id,
                                    WaitlistEntry.participation_id == participation_id,
                                    WaitlistEntry.status == "waiting")
    )


def bookable_slot(candidate, participation, live, now=None):
    """The first free slot of the company that ``candidate`` could book now, or None."""
    for slot in free_slots(participation.id, now):
        try:
            check_can_book(candidate, slot, live, now)
        except DomainError:
            continue
        return slot
    return None


def join_waitlist(candidate, participation, now=None):
    """Wait for a place with a company that has no free slot the candidate could book."""
    now = now or utcnow()
    fair = participation.fair
    lock_candidate(candidate.id)
    check_profile(candidate)
    check_booking_window(fair, now)
    check_cohort_invited(fair, candidate)
    check_company_takes_part(participation)
    live = live_bookings(candidate.id, fair.id)
    check_one_per_company(participation.id, live)
    check_booking_limit(fair, live)
    if waiting_entry(candidate.id, participation.id) is not None:
        raise DomainError(_l("You are already on the waitlist of %(company)s.",
                             company=participation.company.name))
    slot = bookable_slot(candidate, participation, live, now)
    if slot is not None:
        raise DomainError(_l("%(company)s still has a free slot you can book (%(time)s): "
                             "book it rather than wait.",
                             company=participation.company.name, time=_times(slot)))
    entry = WaitlistEntry(participation_id=participation.id, candidate_id=candidate.id,
                          status="waiting")
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:  # a second click at the same moment: the unique index decided
        raise DomainError(_l("You are already on the waitlist of %(company)s.",
                             company=participation.company.name)) from None
    return entry


def leave_waitlist(candidate, participation):
    left = db.session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.candidate_id == candidate.id,
               WaitlistEntry.participation_id == participation.id,
               WaitlistEntry.status == "waiting")
        .values(status="left")
        .execution_options(synchronize_session=False)
    ).rowcount
    if left != 1:
        raise DomainError(_l("You are not on the waitlist of %(company)s.",
                             company=participation.company.name))


def promote_waitlist(participation, now=None):
    """Give the company's free places to its waitlist, in order — inside the caller's transaction.

    Each waiting candidate in turn (earliest first) is locked and checked
    against EVERY rule; the first free slot they may book is theirs (conditional
    seat UPDATE), the entry becomes "booked" and they are emailed. Candidates
    for whom a rule fails keep their place. A candidate whose row another
    transaction holds at this instant (PostgreSQL) is passed over this time and
    keeps their place too: waiting for them could deadlock.
    """
    now = now or utcnow()
    fair = participation.fair
    if participation.status != "approved" or not booking_open(fair, now):
        return []
    entries = db.session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.participation_id == participation.id,
               WaitlistEntry.status == "waiting")
        .order_by(WaitlistEntry.id)
    ).all()
    promoted = []
    for entry in entries:
        slots = free_slots(participation.id, now)
        if not slots:
            break
        if not lock_candidate(entry.candidate_id, skip_locked=True):
            continue
        db.session.refresh(entry)
        if entry.status != "waiting":
            continue
        candidate = db.session.scalar(
            select(Candidate).where(Candidate.id == entry.candidate_id)
            .options(joinedload(Candidate.user),
                     joinedload(Candidate.cohort).joinedload(Cohort.track))
            .execution_options(populate_existing=True)
        )
        booking = _promote(candidate, slots, live_bookings(candidate.id, fair.id), now)
        if booking is None:
            continue
        entry.status, entry.booking_id = "booked", booking.id
        db.session.flush()
        notify.booking_promoted(booking)
        promoted.append(booking)
    return promoted


class _SeatGone(Exception):
    pass


def _promote(candidate, slots, live, now):
    for slot in slots:
        try:
            check_can_book(candidate, slot, live, now)
        except DomainError:
            continue
        if not _lock_slot_if_free(slot.id):
            continue
        try:
            with db.session.begin_nested():
                if not take_seat(slot.id):
                    raise _SeatGone
                booking = _new_booking(candidate, slot)
                db.session.add(booking)
        except (_SeatGone, IntegrityError):
            continue
        return booking
    return None
