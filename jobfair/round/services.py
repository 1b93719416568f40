"""The round's rules and operations: set the round, wishes, shortlists, invitations, run, publish.

Rules take plain objects and raise ``DomainError`` with a message the user can read; the
caller commits (or rolls back on ``DomainError``), except ``run_assignment`` (see there).

Races, decided by the database:
- a wish, mark or invitation answer first takes the round's row FOR SHARE and re-reads the
  window; publishing (and running) first UPDATEs that row to close the window, so it waits for
  the wish changes under way and every later one finds the window closed: none is lost;
- a run is claimed by a conditional UPDATE (``running_since IS NULL``): two clicks, one run;
- publishing is a conditional UPDATE too (``published_at IS NULL``), then every seat is taken
  with the booking module's ``take_seat`` in the same transaction: all of it or nothing.
"""
from datetime import timedelta

from flask_babel import LazyString, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..audit import services as audit
from ..booking import services as booking
from ..errors import DomainError
from ..extensions import db
from ..models import (
    AssignmentRun,
    BookingRound,
    Participation,
    RoundInvitation,
    ShortlistMark,
    Wish,
    utcnow,
)
from ..timeutil import utc_to_local
from . import problems

# A run that has not finished after this long is taken to have died: it may be run again.
RUN_LEASE = timedelta(minutes=15)


def _when(instant):
    return LazyString(format_datetime, instant, "short")


# --- The round on the fair ------------------------------------------------------------------


def round_of(fair):
    return db.session.scalar(select(BookingRound).where(BookingRound.fair_id == fair.id))


def state(booking_round, now=None):
    """"before", "open", "closed" (waiting for publication) or "published"."""
    now = now or utcnow()
    if booking_round.published_at is not None:
        return "published"
    if now < booking_round.wishes_open_at:
        return "before"
    if now < booking_round.wishes_close_at:
        return "open"
    return "closed"


def check_round_values(fair, opens, closes, publish, max_wishes):
    """Every broken rule of the round's settings at once (DomainError per field, the first)."""
    if closes <= opens:
        raise DomainError(_l("The wish window must close after it opens."), field="wishes_close_at")
    if publish < closes:
        raise DomainError(_l("Publish the assignment after the wish window closes."),
                          field="publish_at")
    if publish > fair.booking_opens_at:
        raise DomainError(_l("First-come booking opens on %(when)s: publish the assignment before "
                             "then, or move the booking window in the fair's settings.",
                             when=_when(fair.booking_opens_at)), field="publish_at")
    if not 1 <= max_wishes <= 20:
        raise DomainError(_l("A candidate may rank between 1 and 20 companies."),
                          field="max_wishes")


def _audited_values(booking_round):
    """The round's settings as the form shows them (instants in local time), for the log."""
    return {"wishes_open_at": utc_to_local(booking_round.wishes_open_at),
            "wishes_close_at": utc_to_local(booking_round.wishes_close_at),
            "publish_at": utc_to_local(booking_round.publish_at),
            "max_wishes": booking_round.max_wishes}


def set_round(fair, opens, closes, publish, max_wishes, user=None):
    """Create or change the fair's round (until it is published); logged as ``round.saved``."""
    check_round_values(fair, opens, closes, publish, max_wishes)
    booking_round = round_of(fair)
    created = booking_round is None
    if created:
        booking_round = BookingRound(fair_id=fair.id)
        db.session.add(booking_round)
    elif booking_round.published_at is not None:
        raise DomainError(_l("The assignment is published: the round can no longer change."))
    before = {} if created else _audited_values(booking_round)
    booking_round.wishes_open_at, booking_round.wishes_close_at = opens, closes
    booking_round.publish_at, booking_round.max_wishes = publish, max_wishes
    db.session.flush()
    changes = audit.changes(before, _audited_values(booking_round))
    if created or changes:
        audit.record("round.saved", user, fair, booking_round, created=created,
                     changes=changes)
    return booking_round


def lock_open_window(booking_round, now=None):
    """Hold the round's row (shared) and check the window is open, re-read after the lock."""
    now = now or utcnow()
    db.session.scalar(select(BookingRound.id).where(BookingRound.id == booking_round.id)
                      .with_for_update(read=True))
    db.session.refresh(booking_round)
    check_window_open(booking_round, now)


def check_window_open(booking_round, now=None):
    current = state(booking_round, now)
    if current == "before":
        raise DomainError(_l("Wishes open on %(when)s.", when=_when(booking_round.wishes_open_at)))
    if current != "open":
        raise DomainError(_l(
            "The wish window closed on %(when)s: wishes and answers can no longer change. "
            "The places left will be open to first-come booking once the interviews are "
            "published.", when=_when(booking_round.wishes_close_at)))


# --- Candidates' wishes and answers ---------------------------------------------------------


def check_candidate_invited(fair, candidate):
    if candidate.cohort_id is None or candidate.cohort_id not in {c.id for c in fair.cohorts}:
        raise DomainError(_l("Your cohort is not invited to this fair."))


def save_wishes(booking_round, candidate, participation_ids, now=None):
    """Replace the candidate's wishes by ``participation_ids`` in order (first = rank 1)."""
    fair = booking_round.fair
    lock_open_window(booking_round, now)
    check_candidate_invited(fair, candidate)
    chosen = [p for p in participation_ids if p]
    if len(set(chosen)) != len(chosen):
        raise DomainError(_l("Choose each company once."), field="wishes")
    if len(chosen) > booking_round.max_wishes:
        raise DomainError(_l("Choose at most %(num)d companies.", num=booking_round.max_wishes),
                          field="wishes")
    if chosen:
        booking.check_profile(candidate)
    approved = set(db.session.scalars(
        select(Participation.id).where(Participation.fair_id == fair.id,
                                       Participation.status == "approved",
                                       Participation.id.in_(chosen))))
    if approved != set(chosen):
        raise DomainError(_l("One of these companies no longer takes part in this fair."),
                          field="wishes")
    db.session.execute(delete(Wish).where(Wish.round_id == booking_round.id,
                                          Wish.candidate_id == candidate.id))
    for rank, participation_id in enumerate(chosen, start=1):
        db.session.add(Wish(round_id=booking_round.id, candidate_id=candidate.id,
                            participation_id=participation_id, rank=rank))
    db.session.flush()


def answer_invitation(booking_round, candidate, invitation, accept, now=None):
    lock_open_window(booking_round, now)
    if accept:
        booking.check_profile(candidate)
    answered = db.session.execute(
        update(RoundInvitation)
        .where(RoundInvitation.id == invitation.id, RoundInvitation.candidate_id == candidate.id,
               RoundInvitation.status == "pending")
        .values(status="accepted" if accept else "declined", answered_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(invitation)
    if answered != 1:
        raise DomainError(_l("You already answered this invitation."))


# --- Companies' shortlists and invitations --------------------------------------------------


def wished(booking_round, participation, candidate_id):
    return db.session.scalar(
        select(Wish.id).where(Wish.round_id == booking_round.id,
                              Wish.participation_id == participation.id,
                              Wish.candidate_id == candidate_id)) is not None


def mark(booking_round, participation, candidate_id, decision, user, now=None):
    """The company's answer about a candidate who wished for it: "meet", "no" or "" (none)."""
    if participation.fair_id != booking_round.fair_id or participation.status != "approved":
        raise DomainError(_l("Your company does not take part in this fair."))
    lock_open_window(booking_round, now)
    if not wished(booking_round, participation, candidate_id):
        raise DomainError(_l("This candidate did not wish to meet your company: "
                             "invite them instead."))
    db.session.execute(delete(ShortlistMark).where(
        ShortlistMark.round_id == booking_round.id,
        ShortlistMark.participation_id == participation.id,
        ShortlistMark.candidate_id == candidate_id))
    if decision:
        db.session.add(ShortlistMark(round_id=booking_round.id, participation_id=participation.id,
                                     candidate_id=candidate_id, decision=decision,
                                     decided_by_id=user.id, decided_at=now or utcnow()))
    db.session.flush()


def invite(booking_round, participation, candidate, user, now=None):
    """Invite a candidate of the fair who did not wish for the company (they accept or not)."""
    if participation.fair_id != booking_round.fair_id or participation.status != "approved":
        raise DomainError(_l("Your company does not take part in this fair."))
    lock_open_window(booking_round, now)
    fair = booking_round.fair
    if candidate.cohort_id not in {c.id for c in fair.cohorts}:
        raise DomainError(_l("This candidate's cohort is not invited to this fair."))
    if wished(booking_round, participation, candidate.id):
        raise DomainError(_l("This candidate already wished to meet you: mark them "
                             "\"want to meet\" instead."))
    invitation = RoundInvitation(round_id=booking_round.id, participation_id=participation.id,
                                 candidate_id=candidate.id, status="pending",
                                 invited_by_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(invitation)
    except IntegrityError:
        raise DomainError(_l("You already invited this candidate.")) from None
    return invitation


# --- Running the assignment ------------------------------------------------------------------


def _update_round(booking_round, condition, **values):
    """A conditional UPDATE of the unpublished round's row: True if this request changed it.

    It is the first write of the transaction: on PostgreSQL it waits for the wish changes
    holding the row FOR SHARE, and holds the row until the transaction ends.
    """
    changed = db.session.execute(
        update(BookingRound)
        .where(BookingRound.id == booking_round.id, BookingRound.published_at.is_(None),
               condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(booking_round)
    if changed != 1 and booking_round.published_at is not None:
        raise DomainError(_l("The assignment is already published."))
    return changed == 1


def _close_window(booking_round, now):
    if booking_round.wishes_close_at > now:
        booking_round.wishes_close_at = max(now, booking_round.wishes_open_at
                                            + timedelta(seconds=1))
        db.session.flush()


def claim_run(booking_round, now=None):
    """Take the round's run lock and close the wish window (conditional UPDATE). Caller commits."""
    now = now or utcnow()
    if now < booking_round.wishes_open_at:
        raise DomainError(_l("The wish window has not opened yet: nothing to assign."))
    free = (BookingRound.running_since.is_(None)) | (BookingRound.running_since < now - RUN_LEASE)
    if not _update_round(booking_round, free, running_since=now):
        raise DomainError(_l("The assignment is already running: reload this page in a moment."))
    _close_window(booking_round, now)  # running closes the window first


def release_run(booking_round):
    db.session.execute(update(BookingRound).where(BookingRound.id == booking_round.id)
                       .values(running_since=None)
                       .execution_options(synchronize_session=False))


def run_assignment(booking_round, user, seed, time_limit, now=None):
    """Claim, read, solve and store a run; COMMITS between its steps, on purpose.

    The solve may take tens of seconds: no transaction (nor SQLite's write lock) is held while
    it runs. The claim is committed first, so a second click meanwhile is told it is running.
    """
    from .assignment import solve
    from .figures import figures
    from .simulation import first_come

    claim_run(booking_round, now)
    audit.record("round.run_started", user, booking_round.fair_id, booking_round, seed=seed)
    db.session.commit()
    try:
        problem = problems.build(booking_round, now)
        db.session.commit()  # end the read
        outcome = solve(problem, seed, time_limit=time_limit)
        simulated = first_come(problem, seed)
        run = AssignmentRun(
            round_id=booking_round.id, seed=seed, solver_status=outcome.status,
            status="done" if outcome.status != "none" else "empty",
            seconds=round(outcome.seconds, 2), result=[list(a) for a in outcome.assignments],
            figures={"round": figures(problem, outcome.assignments),
                     "first_come": figures(problem, simulated), "objectives": outcome.objectives},
            started_by_id=user.id, started_at=now or utcnow())
        db.session.add(run)
        release_run(booking_round)
        audit.record("round.run_finished", user, booking_round.fair_id, run, seed=seed,
                     status=run.status, solver_status=run.solver_status, seconds=run.seconds,
                     interviews=len(run.result))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        release_run(booking_round)
        db.session.commit()
        raise
    return run


def latest_run(booking_round):
    return db.session.scalar(select(AssignmentRun).where(AssignmentRun.round_id == booking_round.id)
                             .order_by(AssignmentRun.id.desc()).limit(1))


# --- Publication ---------------------------------------------------------------------------


def publish(booking_round, run, user, now=None):
    """Book every interview of ``run`` in one transaction, with the usual emails. Caller commits."""
    from . import publication

    now = now or utcnow()
    if booking_round.published_at is not None:
        raise DomainError(_l("The assignment is already published."))
    if run.round_id != booking_round.id or run.status != "done":
        raise DomainError(_l("Only the latest run that found an assignment can be published."))
    latest = latest_run(booking_round)
    if latest is None or latest.id != run.id:
        raise DomainError(_l("A newer run exists: look at its figures, then publish it."))
    if not _update_round(booking_round, BookingRound.running_since.is_(None), published_at=now):
        raise DomainError(_l("The assignment is running: publish once it has finished."))
    _close_window(booking_round, now)  # publishing closes the window first
    bookings = publication.book_all(booking_round, run, now)
    run.status, run.published_at = "published", now
    db.session.flush()
    audit.record("round.published", user, booking_round.fair_id, run, seed=run.seed,
                 interviews=len(bookings))
    return bookings


def candidate_wishes(booking_round, candidate_id):
    return db.session.scalars(select(Wish).where(Wish.round_id == booking_round.id,
                                                 Wish.candidate_id == candidate_id)
                              .order_by(Wish.rank)).all()
