"""The people and fairs of the rush and entrance scenarios, written with bulk Core inserts.

Inside the filled database, each (database, scale) gets its own cohort, 20 companies,
2,000 candidates (the first 500 with a password: one argon2 hash shared by all,
hashing is slow on purpose), 8 staff members; then each run gets fresh fairs:

- a booking fair: 20 approved companies × one table × 5 slots (20 min every 30 min,
  capacity 1) = 100 slots, booking open now, one cohort invited;
- an entrance fair: live, the 8 staff assigned, a badge for each of the 2,000 candidates.

The app's rush and entrance use one pair; the bare ceilings use an identical pair, so
the ceiling meets the same rows, indexes and contention.
"""
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from jobfair import create_app
from jobfair.auth.passwords import hash_password
from jobfair.config import normalise_database_url
from jobfair.extensions import db
from jobfair.insertion import table
from jobfair.text import fold
from jobfair.models import (
    Badge,
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
    fair_cohorts,
    fair_staff,
    utcnow,
)

PASSWORD = "bench-rush-2026"
COMPANIES = 20
SLOTS_PER_COMPANY = 5
SLOT_MINUTES, SLOT_EVERY = 20, 30


def bench_app(database_url):
    return create_app({
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SECRET_KEY": "bench-setup", "MAIL_BACKEND": "memory", "SESSION_COOKIE_SECURE": False,
    })


@dataclass
class BookingFair:
    fair_id: int
    company_ids: list  # by company index
    participation_ids: list  # by company index
    slot_ids: list  # [company index][time index]


@dataclass
class EntranceFair:
    fair_id: int
    badges: list  # (badge id, user id, token), one per candidate, in candidate order


@dataclass
class People:
    tag: str
    cohort_id: int
    company_ids: list
    candidate_ids: list  # candidates.id, in order
    user_ids: list  # users.id of those candidates, same order
    emails: list  # of the candidates with a password (the rush)
    staff_ids: list
    staff_emails: list
    fairs: dict = field(default_factory=dict)


def _ids(rows_inserted):
    return [row[0] for row in rows_inserted]


def _insert(table, rows):
    """Bulk insert returning the new ids in the order of ``rows``."""
    return _ids(db.session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))


def create_people(app, candidates=2000, with_password=500, staff=8, companies=COMPANIES):
    tag = secrets.token_hex(3)
    with app.app_context():
        password_hash = hash_password(PASSWORD)
        operator = _insert(TrainingOperator.__table__, [{"name": f"Bench operator {tag}",
                                                         "city": "Rabat"}])[0]
        track = _insert(Track.__table__, [{"name": f"Bench track {tag}",
                                           "slug": f"bench-track-{tag}"}])[0]
        cohort = _insert(Cohort.__table__, [{
            "operator_id": operator, "track_id": track, "name": f"Bench cohort {tag}",
            "city": "Rabat", "start_date": date(2026, 1, 1), "end_date": date(2026, 6, 30)}])[0]
        company_ids = _insert(Company.__table__, [{
            "name": f"Bench company {tag} {i}", "normalized_name": f"bench company {tag} {i}",
            "slug": f"bench-company-{tag}-{i}", "sector": "other", "city": "Rabat"}
            for i in range(companies)])
        emails = [f"bench-{tag}-c{i}@bench.example" for i in range(candidates)]
        user_ids = _insert(User.__table__, [{
            "email": email, "password_hash": password_hash if i < with_password else None,
            "first_name": f"Candidate{i}", "last_name": f"Bench {tag}",
            "folded_name": fold(f"Candidate{i} Bench {tag}"), "role": "candidate",
            "locale": "en"} for i, email in enumerate(emails)])
        candidate_ids = _insert(Candidate.__table__, [{
            "user_id": uid, "cohort_id": cohort, "phone": "+212600000000", "city": "Rabat",
            "cv_filename": "bench.pdf", "cv_uploaded_at": utcnow()} for uid in user_ids])
        staff_emails = [f"bench-{tag}-s{i}@bench.example" for i in range(staff)]
        staff_ids = _insert(User.__table__, [{
            "email": email, "password_hash": password_hash, "first_name": f"Staff{i}",
            "last_name": f"Bench {tag}", "folded_name": fold(f"Staff{i} Bench {tag}"),
            "role": "staff", "locale": "en"}
            for i, email in enumerate(staff_emails)])
        db.session.commit()
    return People(tag, cohort, company_ids, candidate_ids, user_ids, emails[:with_password],
                  staff_ids, staff_emails)


def _fair(people, label, status):
    now = utcnow()
    fair_id = _insert(Fair.__table__, [{
        "name": f"Bench {label} {people.tag}", "slug": f"bench-{label}-{people.tag}",
        "city": "Rabat", "region": "rabat_sale_kenitra", "venue": "Bench hall",
        "day": (now + timedelta(days=14)).date(), "opens_at": time(9), "closes_at": time(18),
        "booking_opens_at": now - timedelta(days=1),
        "booking_closes_at": now + timedelta(days=10),
        "cancellation_deadline": now + timedelta(days=10),
        "max_bookings_per_candidate": 3, "min_gap_minutes": 5, "status": status}])[0]
    db.session.execute(insert(fair_cohorts), [{"fair_id": fair_id, "cohort_id": people.cohort_id}])
    table.refresh_membership(fair_id=fair_id)  # the invited cohort counts (insertion dashboard)
    return fair_id


def create_booking_fair(app, people, label, slots_per_company=SLOTS_PER_COMPANY, capacity=1):
    with app.app_context():
        fair_id = _fair(people, label, "published")
        participation_ids = _insert(Participation.__table__, [{
            "fair_id": fair_id, "company_id": company, "status": "approved",
            "decided_at": utcnow()} for company in people.company_ids])
        table_ids = _insert(InterviewTable.__table__, [{
            "participation_id": p, "name": "Table 1"} for p in participation_ids])
        day = db.session.scalar(select(Fair.day).where(Fair.id == fair_id))
        first = datetime.combine(day, time(9))
        rows = [{"table_id": table, "capacity": capacity, "booked_count": 0, "is_blocked": False,
                 "starts_at": first + timedelta(minutes=SLOT_EVERY * t),
                 "ends_at": first + timedelta(minutes=SLOT_EVERY * t + SLOT_MINUTES)}
                for table in table_ids for t in range(slots_per_company)]
        flat = _insert(Slot.__table__, rows)
        db.session.commit()
    slot_ids = [flat[c * slots_per_company:(c + 1) * slots_per_company]
                for c in range(len(table_ids))]
    return BookingFair(fair_id, list(people.company_ids), participation_ids, slot_ids)


def create_entrance_fair(app, people, label, badges=2000):
    with app.app_context():
        fair_id = _fair(people, label, "live")
        db.session.execute(insert(fair_staff), [{"fair_id": fair_id, "user_id": s}
                                                for s in people.staff_ids])
        users = people.user_ids[:badges]
        tokens = [secrets.token_urlsafe(24) for _ in users]
        ids = _insert(Badge.__table__, [{"fair_id": fair_id, "user_id": u, "token": t}
                                        for u, t in zip(users, tokens)])
        db.session.commit()
    return EntranceFair(fair_id, list(zip(ids, users, tokens)))


def prepare(ctx, app_url, candidates_with_password=500, badges=2000):
    """People, one pair of booking fairs and one pair of entrance fairs per run, and logins.

    Logging in (argon2, through the real form) is done here, before anything is timed:
    the rush is about booking, not logging in.
    """
    from . import load

    app = bench_app(ctx.database_url)
    people = create_people(app, candidates=max(badges, candidates_with_password),
                           with_password=candidates_with_password)
    booking = [(create_booking_fair(app, people, f"rush-{i}"),
                create_booking_fair(app, people, f"bare-booking-{i}")) for i in range(ctx.runs)]
    entrance = [(create_entrance_fair(app, people, f"entrance-{i}", badges),
                 create_entrance_fair(app, people, f"bare-checkin-{i}", badges))
                for i in range(ctx.runs)]
    first_company = f"/me/fairs/{booking[0][0].fair_id}/companies/{people.company_ids[0]}"
    sessions = load.login_all(app_url, people.emails, PASSWORD, first_company)
    staff = load.login_all(app_url, people.staff_emails, PASSWORD,
                           f"/staff/fairs/{entrance[0][0].fair_id}/scan")
    ctx.state.update(app=app, people=people, booking_fairs=booking, entrance_fairs=entrance,
                     candidate_sessions=sessions, staff_sessions=staff)


def release(ctx):
    app = ctx.state.pop("app", None)
    if app is not None:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
