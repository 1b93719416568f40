"""Publishing a run: every interview booked with the booking module's own seat-taking.

Inside ``services.publish``'s transaction: each candidate's row is locked and their live
bookings re-read, every booking rule still applying is checked again (the fair may have
changed since the run: a company withdrawn, a slot blocked), the place is taken with
``booking.take_seat`` (the conditional UPDATE on ``slots.booked_count``) and the booking
inserted. Any refusal raises: the caller rolls back and nothing is half-published. Then the
usual confirmation email with its .ics is queued for each interview, and candidates given
fewer interviews than they asked for are told why and where to find what is left — both
stored as what to send, rendered later by the mail worker (``mail.queue_later``).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import mail
from ..booking import notify
from ..booking import services as booking
from ..errors import DomainError
from ..extensions import db
from ..insertion import table as insertion_table
from ..models import (
    Booking,
    Candidate,
    Cohort,
    Fair,
    InterviewTable,
    Participation,
    RoundInvitation,
    Slot,
    User,
    Wish,
)
from ..privacy.visibility import is_erased


def _changed(candidate, reason):
    return DomainError(_l("The fair changed since this run (%(name)s: %(reason)s). Run the "
                          "assignment again, then publish the new run.",
                          name=candidate.user.full_name, reason=reason))


def _load(run):
    candidate_ids = sorted({c for c, _s in run.result})
    slot_ids = sorted({s for _c, s in run.result})
    candidates = {c.id: c for c in db.session.scalars(
        select(Candidate).where(Candidate.id.in_(candidate_ids))
        .options(joinedload(Candidate.user),
                 joinedload(Candidate.cohort).joinedload(Cohort.track)))}
    slots = {s.id: s for s in db.session.scalars(
        select(Slot).where(Slot.id.in_(slot_ids))
        .options(joinedload(Slot.table).joinedload(InterviewTable.participation)
                 .joinedload(Participation.company)))}
    return candidates, slots


def book_all(booking_round, run, now):
    fair = booking_round.fair
    candidates, slots = _load(run)
    per_candidate = {}
    for candidate_id, slot_id in sorted(run.result):
        per_candidate.setdefault(candidate_id, []).append(slot_id)
    made = []
    for candidate_id, slot_ids in per_candidate.items():
        candidate = candidates.get(candidate_id)
        if candidate is None or not candidate.user.is_enabled:
            continue  # the account is gone or disabled: the candidate drops out
        booking.lock_candidate(candidate_id)
        live = booking.live_bookings(candidate_id, fair.id)
        for slot_id in slot_ids:
            slot = slots.get(slot_id)
            if slot is None:
                raise _changed(candidate, _l("a slot was deleted"))
            participation = slot.table.participation
            try:
                booking.check_cohort_invited(fair, candidate)
                booking.check_company_takes_part(participation)
                booking.check_eligible(slot, candidate)
                booking.check_slot_open(slot, now)
                booking.check_booking_limit(fair, live)
                booking.check_one_per_company(participation.id, live)
                booking.check_timing(fair, slot, live)
            except DomainError as error:
                raise _changed(candidate, error.message) from None
            if not booking.take_seat(slot.id):
                raise _changed(candidate, booking.SLOT_TAKEN)
            new = Booking(slot=slot, candidate=candidate, participation=participation,
                          status="active")
            db.session.add(new)
            live.append(new)
            made.append(new)
    db.session.flush()
    # The dashboard counts them now: one statement for the whole publication, not one a booking.
    insertion_table.refresh_membership(fair.id, [new.candidate_id for new in made])
    for new in made:
        notify.booking_confirmed(new)
    _tell_the_short(booking_round, fair, made)
    return made


def _tell_the_short(booking_round, fair, made):
    """Candidates given fewer interviews than they asked for (wishes + accepted invitations)."""
    asked = {}
    for candidate_id, count in db.session.execute(
            select(Wish.candidate_id, func.count()).where(Wish.round_id == booking_round.id)
            .group_by(Wish.candidate_id)):
        asked[candidate_id] = count
    for candidate_id, count in db.session.execute(
            select(RoundInvitation.candidate_id, func.count())
            .where(RoundInvitation.round_id == booking_round.id,
                   RoundInvitation.status == "accepted")
            .group_by(RoundInvitation.candidate_id)):
        asked[candidate_id] = asked.get(candidate_id, 0) + count
    given = {}
    for new in made:
        given[new.candidate_id] = given.get(new.candidate_id, 0) + 1
    short = [c for c, n in asked.items()
             if given.get(c, 0) < min(n, fair.max_bookings_per_candidate)]
    if not short:
        return
    for candidate in db.session.scalars(select(Candidate).where(Candidate.id.in_(short))
                                        .options(joinedload(Candidate.user))):
        account = candidate.user
        if not account.is_enabled:
            continue
        mail.queue_later(account.email, "round_result", user=account.id, fair=fair.id,
                         given=given.get(candidate.id, 0),
                         asked=min(asked[candidate.id], fair.max_bookings_per_candidate))


@mail.renderer("round_result")
def _round_result(payload):
    """The worker's side of the "round_result" email (``mail.queue_later``)."""
    account = db.session.get(User, payload["user"])
    fair = db.session.get(Fair, payload["fair"])
    if account is None or is_erased(account):
        raise mail.Gone("the candidate's account is erased")
    if fair is None:
        raise mail.Gone("the fair no longer exists")
    return mail.Contents(account.locale, dict(
        candidate=account, fair=fair, given=payload["given"], asked=payload["asked"],
        link=mail.absolute_url("booking.directory", fair_id=fair.id)))
