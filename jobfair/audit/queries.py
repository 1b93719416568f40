"""Reads for the audit log page: one page of events with their actor and fair (joined), and
the names the sentences need, fetched in one query per kind of name, whatever the page size."""
import json
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import AuditEvent, Candidate, Company, Fair, Participation, User
from ..timeutil import local_to_utc

PER_PAGE = 50


@dataclass
class AuditFilters:
    fair_id: int | None = None
    kind: str | None = None  # the action's prefix: "fair", "booth", "export", …
    actor_id: int | None = None
    date_from: date | None = None  # local (Casablanca) days, both included
    date_to: date | None = None

    def conditions(self):
        result = []
        if self.fair_id:
            result.append(AuditEvent.fair_id == self.fair_id)
        if self.kind:
            result.append(AuditEvent.action.startswith(self.kind + ".", autoescape=True))
        if self.actor_id:
            result.append(AuditEvent.actor_id == self.actor_id)
        if self.date_from:
            result.append(AuditEvent.created_at >= local_to_utc(self.date_from, time(0)))
        if self.date_to:
            result.append(
                AuditEvent.created_at < local_to_utc(self.date_to + timedelta(days=1), time(0)))
        return result


@dataclass
class Entry:
    event: AuditEvent
    actor: User | None
    fair: Fair | None
    details: dict


def _details(event):
    if not event.details:
        return {}
    try:
        value = json.loads(event.details)
    except ValueError:
        return {"raw": event.details}
    return value if isinstance(value, dict) else {"raw": value}


def events(filters, page=1, per_page=PER_PAGE):
    """Page ``page`` of the events, newest first: ``([Entry], has_next)``."""
    query = (
        select(AuditEvent, User, Fair)
        .outerjoin(User, AuditEvent.actor_id == User.id)
        .outerjoin(Fair, AuditEvent.fair_id == Fair.id)
        .where(*filters.conditions())
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    rows = db.session.execute(query).all()
    entries = [Entry(event, actor, fair, _details(event)) for event, actor, fair in rows[:per_page]]
    return entries, len(rows) > per_page


@dataclass
class Names:
    """Who the events are about, by id: users, candidates (by candidate id), companies (by
    participation id)."""
    users: dict
    candidates: dict
    companies: dict

    def user(self, user_id):
        return self.users.get(user_id)

    def candidate(self, candidate_id):
        return self.candidates.get(candidate_id)

    def company(self, participation_id):
        return self.companies.get(participation_id)


def _ids(values):
    return {v for v in values if isinstance(v, int)}


def names_for(entries):
    """The names the page's sentences mention: at most three queries for any page."""
    user_ids = _ids(e.details.get("user_id") for e in entries)
    candidate_ids = _ids(e.details.get("candidate_id") for e in entries)
    participation_ids = _ids(e.details.get("participation_id") for e in entries) | _ids(
        e.event.object_id for e in entries if e.event.object_type == "participation")
    users = candidates = companies = {}
    if user_ids:
        users = {u.id: u.full_name for u in db.session.scalars(
            select(User).where(User.id.in_(user_ids)))}
    if candidate_ids:
        candidates = {c_id: f"{first} {last}".strip() or email
                      for c_id, first, last, email in db.session.execute(
            select(Candidate.id, User.first_name, User.last_name, User.email)
            .join(User, Candidate.user_id == User.id)
            .where(Candidate.id.in_(candidate_ids)))}
    if participation_ids:
        companies = dict(db.session.execute(
            select(Participation.id, Company.name)
            .join(Company, Participation.company_id == Company.id)
            .where(Participation.id.in_(participation_ids))).all())
    return Names(users, candidates, companies)


def fair_choices():
    return db.session.execute(
        select(Fair.id, Fair.name, Fair.day).order_by(Fair.day.desc(), Fair.name)).all()


def actor_choices():
    """The people who appear in the log (not every account)."""
    actors = select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()
    return db.session.scalars(
        select(User).where(User.id.in_(actors))
        .order_by(func.lower(User.last_name), func.lower(User.first_name), User.id)).all()
