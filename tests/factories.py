"""Small factories for domain objects; each flushes, so objects have ids. Tests commit."""
import itertools
import secrets
from datetime import date, datetime, time, timedelta

from jobfair.auth.passwords import hash_password
from jobfair.companies.matching import normalise_company_name
from jobfair.text import slugify
from jobfair.extensions import db
from jobfair.insertion import table as insertion_table
from jobfair.models import (
    Badge,
    Booth,
    Candidate,
    Cohort,
    Company,
    Fair,
    InterviewTable,
    Participation,
    Slot,
    Track,
    TrainingOperator,
    User,
    utcnow,
)

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)
_password_hash = None


def _hash():
    # One argon2 hash for every factory user: hashing is deliberately slow.
    global _password_hash
    if _password_hash is None:
        _password_hash = hash_password(PASSWORD)
    return _password_hash


def _save(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def user(role="organizer", email=None, **fields):
    n = next(_counter)
    fields.setdefault("first_name", f"Prénom{n}")
    fields.setdefault("last_name", f"Nom{n}")
    return _save(User(role=role, email=email or f"user{n}@example.ma",
                      password_hash=_hash(), **fields))


def track(name=None):
    name = name or f"Track {next(_counter)}"
    return _save(Track(name=name, slug=slugify(name)))


def cohort(**fields):
    n = next(_counter)
    fields.setdefault("operator", _save(TrainingOperator(name=f"Opérateur {n}")))
    fields.setdefault("track", track())
    fields.setdefault("name", f"Promotion {n}")
    fields.setdefault("city", "Casablanca")
    fields.setdefault("start_date", date(2026, 6, 1))
    fields.setdefault("end_date", date(2026, 10, 1))
    return _save(Cohort(**fields))


def candidate(email=None, cohort_=None, **fields):
    account = user(role="candidate", email=email)
    made = _save(Candidate(user=account, cohort=cohort_, **fields))
    if cohort_ is not None:  # as the real writers do: who counts at the insertion dashboard
        insertion_table.refresh_membership(candidate_ids=[made.id])
    return made.user


def company(name=None, **fields):
    name = name or f"Entreprise {next(_counter)}"
    fields.setdefault("sector", "esn")
    return _save(Company(name=name, normalized_name=normalise_company_name(name),
                         slug=slugify(name), **fields))


def fair(**fields):
    n = next(_counter)
    day = fields.pop("day", date(2026, 12, 20))
    fields.setdefault("name", f"Job Fair {n}")
    fields.setdefault("slug", f"job-fair-{n}")
    fields.setdefault("city", "Casablanca")
    fields.setdefault("region", "casablanca_settat")
    fields.setdefault("venue", "Technopark")
    fields.setdefault("opens_at", time(9))
    fields.setdefault("closes_at", time(17))
    fields.setdefault("booking_opens_at", datetime.combine(day - timedelta(days=14), time(9)))
    fields.setdefault("booking_closes_at", datetime.combine(day - timedelta(days=1), time(18)))
    fields.setdefault("cancellation_deadline", datetime.combine(day - timedelta(days=1), time(12)))
    fields.setdefault("status", "published")
    made = _save(Fair(day=day, **fields))
    if made.cohorts:
        insertion_table.refresh_membership(fair_id=made.id)
    return made


def participation(fair_=None, company_=None, status="approved"):
    return _save(Participation(fair=fair_ or fair(), company=company_ or company(), status=status))


def table(participation_=None, name="Table 1"):
    return _save(InterviewTable(participation=participation_ or participation(), name=name))


def slot(table_=None, starts_at=None, minutes=20, capacity=1):
    starts_at = starts_at or datetime(2026, 12, 20, 9, 0)
    return _save(Slot(table=table_ or table(), starts_at=starts_at,
                      ends_at=starts_at + timedelta(minutes=minutes), capacity=capacity))


def booth(fair_, number="A1", row=0, col=0, **fields):
    return _save(Booth(fair=fair_, number=number, grid_row=row, grid_col=col, **fields))


def badge(fair_, user_, revoked=False):
    """A badge with a fresh token (``revoked=True``: one that was replaced)."""
    made = Badge(fair_id=fair_.id, user_id=user_.id, token=secrets.token_urlsafe(24),
                 revoked_at=utcnow() if revoked else None)
    db.session.add(made)
    db.session.flush()
    return made


def booking(slot_, candidate_user, status="active"):
    """A booking of ``slot_`` by the candidate behind ``candidate_user`` (takes a place if live)."""
    from jobfair.models import Booking

    if status == "active":
        slot_.booked_count += 1
    made = _save(Booking(slot=slot_, candidate=candidate_user.candidate,
                         participation=slot_.table.participation, status=status))
    if status != "cancelled":
        insertion_table.booked(made.participation.fair_id, made.candidate_id)
    if status == "attended":
        insertion_table.refresh_company_totals([made.participation.fair_id])
    return made


# --- Booking (issue 4) ---------------------------------------------------------------------


def bookable_candidate(cohort_, email=None, locale="en", **fields):
    """A candidate account whose profile is complete (phone, city, cohort, CV): it may book."""
    fields.setdefault("phone", "+212612345678")
    fields.setdefault("city", "Casablanca")
    fields.setdefault("cv_filename", f"cv-{next(_counter)}.pdf")
    account = candidate(email=email, cohort_=cohort_, **fields)
    account.locale = locale
    return account


def open_fair(cohorts=(), days_ahead=10, **fields):
    """A published fair whose booking window is open now (real clock), held in ``days_ahead`` days."""
    from jobfair.models import utcnow
    from jobfair.timeutil import local_today

    now = utcnow()
    fields.setdefault("day", local_today() + timedelta(days=days_ahead))
    fields.setdefault("booking_opens_at", now - timedelta(days=1))
    fields.setdefault("booking_closes_at", now + timedelta(days=days_ahead - 1))
    fields.setdefault("cancellation_deadline", now + timedelta(days=days_ahead - 2))
    made = fair(**fields)
    made.cohorts.extend(cohorts)
    return made


def slot_at(table_, hour, minute=0, minutes=20, capacity=1):
    """A slot of ``table_`` at a local (Casablanca) time on its fair's day."""
    from jobfair.timeutil import local_to_utc

    day = table_.participation.fair.day
    return slot(table_, starts_at=local_to_utc(day, time(hour, minute)), minutes=minutes,
                capacity=capacity)


def consent(fair_, candidate_user):
    """The candidate's consent to show their CV and contact details to the fair's companies."""
    from jobfair.models import Consent

    return _save(Consent(candidate_id=candidate_user.candidate.id, fair_id=fair_.id,
                         text_version="test", locale="fr"))
