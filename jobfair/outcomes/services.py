"""Company outcomes: where each candidate a company met at a fair stands, and reminders.

A company "met" a candidate at a fair when it has a lead on them or a booking that was not
cancelled (booked, attended or no-show). Every change of an outcome is audited
("outcome.change", details old → new).
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..audit import services as audit
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import is_live, is_over
from ..insertion import table as insertion_table
from ..leads.services import candidate_met, company_leads
from ..mail import absolute_url, queue
from ..privacy.visibility import company_view
from ..models import (
    CONTRACT_TYPES,
    Booking,
    Lead,
    Participation,
    Position,
    User,
)
from ..models.outcomes import OUTCOME_STATUSES, Outcome

__all__ = ["candidate_met"]

RECORDED_FILTERS = ("yes", "no")


def outcomes_open(fair):
    """Outcomes are recorded (and asked for) once the fair is under way or over."""
    return is_live(fair) or is_over(fair)


def positions_of(company_id):
    return db.session.scalars(
        select(Position).where(Position.company_id == company_id).order_by(Position.title)
    ).all()


def outcomes_by_candidate(participation):
    return {
        outcome.candidate_id: outcome
        for outcome in db.session.scalars(
            select(Outcome).where(Outcome.participation_id == participation.id)
            .options(joinedload(Outcome.position))
        )
    }


def met_rows(participation):
    """Every candidate met, with lead, booking and outcome, by name; a fixed number of queries."""
    rows = company_leads(participation)
    outcomes = outcomes_by_candidate(participation)
    for row in rows:
        row["outcome"] = outcomes.get(row["candidate"].id)
    return rows


def filter_rows(rows, status=None, recorded=None, track_id=None):
    """``status``: an outcome status; ``recorded``: "yes" (has an outcome) or "no";
    ``track_id``: the candidate's cohort's track."""
    result = []
    for row in rows:
        candidate, outcome = row["candidate"], row["outcome"]
        if status and (outcome is None or outcome.status != status):
            continue
        if recorded == "yes" and outcome is None:
            continue
        if recorded == "no" and outcome is not None:
            continue
        if track_id and (candidate.cohort is None or candidate.cohort.track_id != track_id):
            continue
        result.append(row)
    return result


def tracks_of(rows):
    tracks = {row["candidate"].cohort.track.id: row["candidate"].cohort.track
              for row in rows if row["candidate"].cohort and row["candidate"].cohort.track}
    return sorted(tracks.values(), key=lambda t: t.name.lower())


def _snapshot(outcome):
    if outcome is None:
        return None
    return {
        "status": outcome.status,
        "contract_type": outcome.contract_type,
        "position_id": outcome.position_id,
        "start_date": outcome.start_date.isoformat() if outcome.start_date else None,
    }


def _audit(actor, participation, candidate_id, outcome_id, old, new):
    audit.record("outcome.change", actor, participation.fair_id, object_type="outcome",
                 object_id=outcome_id, participation_id=participation.id,
                 candidate_id=candidate_id, old=old, new=new)


class SavedMeanwhile(DomainError):
    """Someone else recorded this candidate's first outcome at the same instant, with other
    values: theirs is kept (``outcome``) and the user is shown it."""

    def __init__(self, outcome):
        super().__init__(_l("A colleague saved this outcome at the same moment: here is what "
                            "was saved. Change it again if needed."), field="status")
        self.outcome = outcome


def _saved(participation, candidate):
    return db.session.scalar(
        select(Outcome).where(Outcome.participation_id == participation.id,
                              Outcome.candidate_id == candidate.id))


def _insert(participation, candidate, actor, values):
    """Insert the first outcome; if another request inserted it first (the unique
    constraint), answer with theirs: the same values count as this save, others raise
    SavedMeanwhile."""
    outcome = Outcome(participation_id=participation.id, candidate_id=candidate.id,
                      updated_by_id=actor.id, **values)
    try:
        with db.session.begin_nested():
            db.session.add(outcome)
    except IntegrityError:
        winner = _saved(participation, candidate)
        if winner is None:
            raise
        if _snapshot(winner) != _snapshot(outcome):
            raise SavedMeanwhile(winner) from None
        return winner
    _audit(actor, participation, candidate.id, outcome.id, None, _snapshot(outcome))
    return outcome


def check_outcome(participation, status, contract_type=None, position_id=None, start_date=None,
                  positions=None):
    """Raise DomainError (with the field) unless these values make a valid outcome."""
    if not outcomes_open(participation.fair):
        raise DomainError(_l("Outcomes are recorded once the fair has started."))
    if status and status not in OUTCOME_STATUSES:
        raise DomainError(_l("Choose a status from the list."), field="status")
    if status != "hired":
        return
    if not contract_type:
        raise DomainError(_l("A hire needs a contract type."), field="contract_type")
    if contract_type not in CONTRACT_TYPES:
        raise DomainError(_l("Choose a contract type from the list."), field="contract_type")
    if position_id is not None:
        ids = {p.id for p in (positions if positions is not None
                              else positions_of(participation.company_id))}
        if position_id not in ids:
            raise DomainError(_l("Choose one of your company's positions."), field="position_id")
    if start_date is not None and start_date < participation.fair.day:
        raise DomainError(_l("The start date cannot be before the fair's day."),
                          field="start_date")


def save_outcome(participation, candidate, actor, status, contract_type=None, position_id=None,
                 start_date=None, positions=None, existing=False):
    """Record ``candidate``'s outcome (``status`` empty: no outcome yet). Returns the outcome.

    Contract, position and start date are kept only for a hire.
    """
    contract_type = contract_type or None
    check_outcome(participation, status, contract_type, position_id, start_date, positions)
    outcome = existing if existing is not False else _saved(participation, candidate)
    old = _snapshot(outcome)
    if not status:
        if outcome is not None:
            _audit(actor, participation, candidate.id, outcome.id, old, None)
            db.session.delete(outcome)
            insertion_table.refresh(participation.fair_id, candidate.id)
        return None
    if status != "hired":
        contract_type, position_id, start_date = None, None, None
    if outcome is None:
        outcome = _insert(participation, candidate, actor, {
            "status": status, "contract_type": contract_type, "position_id": position_id,
            "start_date": start_date})
        insertion_table.refresh(participation.fair_id, candidate.id)
        return outcome
    outcome.status = status
    outcome.contract_type = contract_type
    outcome.position_id = position_id
    outcome.start_date = start_date
    new = _snapshot(outcome)
    if new != old:
        outcome.updated_by_id = actor.id
        db.session.flush()
        _audit(actor, participation, candidate.id, outcome.id, old, new)
        insertion_table.refresh(participation.fair_id, candidate.id)
    return outcome


def bulk_set_status(participation, candidate_ids, status, actor):
    """Set ``status`` on every selected candidate, or on none (all-or-nothing). Returns a count.

    A hire keeps each outcome's contract, position and start date, so every selected candidate
    must already have a contract type recorded.
    """
    if not outcomes_open(participation.fair):
        raise DomainError(_l("Outcomes are recorded once the fair has started."))
    if not status or status not in OUTCOME_STATUSES:
        raise DomainError(_l("Choose a status from the list."), field="status")
    ids = set()
    for raw in candidate_ids:
        try:
            ids.add(int(raw))
        except (TypeError, ValueError):
            raise DomainError(_l("Select candidates from the table."), field="status") from None
    if not ids:
        raise DomainError(_l("Select at least one candidate."), field="status")
    rows = {row["candidate"].id: row for row in met_rows(participation)}
    if not ids <= rows.keys():
        raise DomainError(_l("Select candidates from the table."), field="status")
    if status == "hired":
        missing = sorted(company_view(rows[i]["candidate"], participation.fair_id).name for i in ids
                         if rows[i]["outcome"] is None or not rows[i]["outcome"].contract_type)
        if missing:
            raise DomainError(
                _l("A hire needs a contract type: record it on each row first (%(names)s).",
                   names=", ".join(missing)), field="status")
    positions = positions_of(participation.company_id)
    for candidate_id in sorted(ids):
        row = rows[candidate_id]
        outcome = row["outcome"]
        keep = outcome if status == "hired" else None
        save_outcome(participation, row["candidate"], actor, status,
                     keep.contract_type if keep else None,
                     keep.position_id if keep else None,
                     keep.start_date if keep else None,
                     positions=positions, existing=outcome)
    return len(ids)


# --- Organizers --------------------------------------------------------------------------


def company_progress(fair):
    """Per approved company: candidates met, outcomes recorded, missing (by company name)."""
    participations = db.session.scalars(
        select(Participation).where(Participation.fair_id == fair.id,
                                    Participation.status == "approved")
        .options(joinedload(Participation.company))
    ).all()
    ids = [p.id for p in participations]
    met = {pid: set() for pid in ids}
    recorded = {pid: set() for pid in ids}
    if ids:
        for pid, cid in db.session.execute(
                select(Lead.participation_id, Lead.candidate_id)
                .where(Lead.participation_id.in_(ids))):
            met[pid].add(cid)
        for pid, cid in db.session.execute(
                select(Booking.participation_id, Booking.candidate_id)
                .where(Booking.participation_id.in_(ids), Booking.status != "cancelled")):
            met[pid].add(cid)
        for pid, cid in db.session.execute(
                select(Outcome.participation_id, Outcome.candidate_id)
                .where(Outcome.participation_id.in_(ids))):
            recorded[pid].add(cid)
    rows = []
    for participation in participations:
        met_ids = met[participation.id]
        done = recorded[participation.id] & met_ids
        rows.append({"participation": participation, "company": participation.company,
                     "met": len(met_ids), "recorded": len(done),
                     "missing": len(met_ids - done)})
    return sorted(rows, key=lambda r: r["company"].name.lower())


def _representatives(company_id):
    return db.session.scalars(
        select(User).where(User.company_id == company_id, User.role == "company_rep",
                           User.is_enabled.is_(True)).order_by(User.id)
    ).all()


def remind(fair, participation_ids, actor):
    """Email every enabled representative of the companies with missing outcomes among
    ``participation_ids`` (None: all of the fair's). Returns (companies, emails) counts."""
    if not outcomes_open(fair):
        raise DomainError(_l("Reminders are sent once the fair has started."))
    progress = company_progress(fair)
    if participation_ids is not None:
        progress = [r for r in progress if r["participation"].id in participation_ids]
        if not progress:
            raise LookupError(participation_ids)
    due = [r for r in progress if r["missing"] > 0]
    if not due:
        raise DomainError(_l("Nothing to remind: these companies have recorded every outcome."))
    companies = emails = 0
    for row in due:
        participation = row["participation"]
        link = absolute_url("outcomes.company_outcomes", participation_id=participation.id)
        reps = _representatives(participation.company_id)
        for rep in reps:
            queue(rep.email, "outcomes_reminder", locale=rep.locale, user=rep, fair=fair,
                  company=row["company"], missing=row["missing"], met=row["met"], link=link)
            emails += 1
        companies += 1 if reps else 0
        audit.record("outcome.remind", actor, fair, participation, missing=row["missing"],
                     emails=len(reps))
    return companies, emails

