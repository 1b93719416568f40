"""Walk-in queues: join, leave, call next, seen / no-show; positions, waits and figures.

Every race is the database's: the candidate's row is locked first when joining (as a booking
does, booking.seats.lock_candidate), so the limit of queues per candidate holds against two
tabs; the partial unique index ``uq_queue_entries_live_candidate`` is the last guard against
joining one line twice; "call next" takes the first waiting entry with ``FOR UPDATE SKIP
LOCKED`` (PostgreSQL; SQLite serialises writers) and changes it with a conditional UPDATE, so two
clicks at once call two different people (or one, when one waits), never the same one twice.
"""
from datetime import timedelta
from statistics import median

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..booking.rules import live_bookings
from ..booking.seats import lock_candidate
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import is_live
from ..models import Candidate, Participation, QueueEntry, WalkInSettings, utcnow
from ..models.queues import DEFAULT_QUEUES_PER_CANDIDATE, LIVE_QUEUE_STATUSES

DEFAULT_MINUTES_PER_PERSON = 5  # until the booth has seen someone
INTERVIEW_SOON = timedelta(minutes=45)
OUTCOMES = ("seen", "no_show")


def queue_limit(fair):
    settings = db.session.get(WalkInSettings, fair.id)
    return settings.max_queues_per_candidate if settings else DEFAULT_QUEUES_PER_CANDIDATE


def set_queue_limit(fair, limit):
    if not isinstance(limit, int) or not 1 <= limit <= 20:
        raise DomainError(_l("Choose between 1 and 20 queues."), "limit")
    settings = db.session.get(WalkInSettings, fair.id) or WalkInSettings(fair_id=fair.id)
    settings.max_queues_per_candidate = limit
    db.session.add(settings)


def live_entry(participation, candidate):
    return db.session.scalars(select(QueueEntry).where(
        QueueEntry.participation_id == participation.id,
        QueueEntry.candidate_id == candidate.id,
        QueueEntry.status.in_(LIVE_QUEUE_STATUSES))
        .execution_options(populate_existing=True)).first()


def _live_count(candidate, fair):
    return db.session.scalar(
        select(func.count(QueueEntry.id))
        .join(Participation, Participation.id == QueueEntry.participation_id)
        .where(QueueEntry.candidate_id == candidate.id, Participation.fair_id == fair.id,
               QueueEntry.status.in_(LIVE_QUEUE_STATUSES)))


def join(participation, candidate, now=None):
    """Put the candidate at the end of the company's line."""
    fair = participation.fair
    if participation.status != "approved":
        raise DomainError(_l("This company is not at the fair."))
    if not is_live(fair):
        raise DomainError(_l("Walk-in queues open on the fair's day."))
    lock_candidate(candidate.id)
    if live_entry(participation, candidate) is not None:
        raise DomainError(_l("You are already in this company's queue."))
    limit = queue_limit(fair)
    if _live_count(candidate, fair) >= limit:
        raise DomainError(_l("You are already in %(count)s queues, the most this fair allows: "
                             "leave one first.", count=limit))
    entry = QueueEntry(participation_id=participation.id, candidate_id=candidate.id,
                       status="waiting", joined_at=now or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        raise DomainError(_l("You are already in this company's queue.")) from None
    return entry


def leave(participation, candidate, now=None):
    left = db.session.execute(
        update(QueueEntry)
        .where(QueueEntry.participation_id == participation.id,
               QueueEntry.candidate_id == candidate.id,
               QueueEntry.status.in_(LIVE_QUEUE_STATUSES))
        .values(status="left", ended_at=now or utcnow()))
    if left.rowcount != 1:
        raise DomainError(_l("You are not in this company's queue."))


def call_next(participation, representative, called_to, now=None):
    """Call the first one waiting to ``called_to`` (a table); the entry called, or an error."""
    called_to = (called_to or "").strip()[:100]
    if not called_to:
        raise DomainError(_l("Say where to come: a table or an interviewer."), "called_to")
    if not is_live(participation.fair):
        raise DomainError(_l("Walk-in queues open on the fair's day."))
    for _attempt in range(5):
        first = db.session.scalar(
            select(QueueEntry.id)
            .where(QueueEntry.participation_id == participation.id,
                   QueueEntry.status == "waiting")
            .order_by(QueueEntry.id).limit(1).with_for_update(skip_locked=True))
        if first is None:
            raise DomainError(_l("Nobody is waiting."))
        called = db.session.execute(
            update(QueueEntry).where(QueueEntry.id == first, QueueEntry.status == "waiting")
            .values(status="called", called_at=now or utcnow(), called_to=called_to,
                    called_by_id=representative.id))
        if called.rowcount == 1:
            return db.session.get(QueueEntry, first, populate_existing=True)
    raise DomainError(_l("Nobody is waiting."))


def finish(participation, entry_id, outcome, now=None):
    """A called candidate was seen, or did not come."""
    if outcome not in OUTCOMES:
        raise DomainError(_l("Choose seen or no-show."))
    done = db.session.execute(
        update(QueueEntry).where(QueueEntry.id == entry_id,
                                 QueueEntry.participation_id == participation.id,
                                 QueueEntry.status == "called")
        .values(status=outcome, ended_at=now or utcnow()))
    if done.rowcount != 1:
        raise DomainError(_l("This candidate is no longer called."))
    return db.session.get(QueueEntry, entry_id, populate_existing=True)


# --- Reading ------------------------------------------------------------------------------


def minutes_per_person(participation):
    """The median time between two calls at this booth today, else a default."""
    calls = db.session.scalars(
        select(QueueEntry.called_at).where(QueueEntry.participation_id == participation.id,
                                           QueueEntry.called_at.is_not(None))
        .order_by(QueueEntry.called_at.desc()).limit(21)).all()
    gaps = [(a - b).total_seconds() / 60 for a, b in zip(calls, calls[1:])]
    return max(1, round(median(gaps))) if gaps else DEFAULT_MINUTES_PER_PERSON


def place(entry):
    """(position in the line, estimated minutes) of a waiting entry; (0, 0) once called."""
    if entry.status != "waiting":
        return 0, 0
    ahead = db.session.scalar(select(func.count(QueueEntry.id)).where(
        QueueEntry.participation_id == entry.participation_id,
        QueueEntry.status == "waiting", QueueEntry.id < entry.id))
    return ahead + 1, (ahead + 1) * minutes_per_person(entry.participation)


def interview_soon(candidate, fair, now=None):
    """The candidate's next booked interview starting within INTERVIEW_SOON, if any."""
    now = now or utcnow()
    coming = [b for b in live_bookings(candidate.id, fair.id)
              if b.status == "active" and now <= b.slot.starts_at <= now + INTERVIEW_SOON]
    return min(coming, key=lambda b: b.slot.starts_at) if coming else None


def line(participation):
    """The booth's live line, called first, then waiting in order, with the people."""
    return db.session.scalars(
        select(QueueEntry)
        .where(QueueEntry.participation_id == participation.id,
               QueueEntry.status.in_(LIVE_QUEUE_STATUSES))
        .options(joinedload(QueueEntry.candidate).joinedload(Candidate.user))
        .order_by(QueueEntry.status, QueueEntry.id)).all()


def _summary(rows):
    """joined, seen, no-show, left, waiting now, and the median wait (minutes from joining to
    being called) of (status, joined_at, called_at) rows."""
    summary = {"joined": 0, "seen": 0, "no_show": 0, "left": 0, "waiting": 0}
    waits = []
    for status, joined_at, called_at in rows:
        summary["joined"] += 1
        if status in summary:
            summary[status] += 1
        if called_at is not None:
            waits.append((called_at - joined_at).total_seconds() / 60)
    summary["median_wait"] = round(median(waits)) if waits else None
    return summary


def figures(participation_ids):
    """The figures of each participation's line (one query for all)."""
    ids = list(participation_ids)
    rows = {pid: [] for pid in ids}
    if ids:
        for pid, *row in db.session.execute(
                select(QueueEntry.participation_id, QueueEntry.status, QueueEntry.joined_at,
                       QueueEntry.called_at).where(QueueEntry.participation_id.in_(ids))):
            rows[pid].append(row)
    return {pid: _summary(found) for pid, found in rows.items()}


def fair_figures(fair):
    """The figures of every line of the fair, together."""
    return _summary(db.session.execute(
        select(QueueEntry.status, QueueEntry.joined_at, QueueEntry.called_at)
        .join(Participation, Participation.id == QueueEntry.participation_id)
        .where(Participation.fair_id == fair.id)).all())


def my_entries(candidate, fair):
    return db.session.scalars(
        select(QueueEntry).join(Participation, Participation.id == QueueEntry.participation_id)
        .where(QueueEntry.candidate_id == candidate.id, Participation.fair_id == fair.id,
               QueueEntry.status.in_(LIVE_QUEUE_STATUSES))
        .options(joinedload(QueueEntry.participation).joinedload(Participation.company))
        .order_by(QueueEntry.id)).all()

