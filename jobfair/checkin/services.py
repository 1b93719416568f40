"""Entrance check-in: one scan → one answer, idempotent by nonce, race-safe by index.

``scan`` and ``check_in_person`` never raise for the scan's outcome: they return
a ``ScanResult`` whose ``status`` the scanner shows (checked_in, already_checked_in,
unknown_badge, revoked_badge, not_registered, fair_not_live). The last guard
against two check-ins of one person is the partial unique index
``uq_checkins_entry_fair_user``: the check-in is inserted first (``ON CONFLICT DO
NOTHING``); the loser of a race inserts nothing and answers "already checked in" with the
winner's row.
"""
import re
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from ..audit import services as audit
from ..booking.services import live_bookings
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import is_live
from ..models import (
    Badge,
    Booth,
    Candidate,
    CheckIn,
    Cohort,
    Fair,
    Participation,
    User,
    fair_cohorts,
    utcnow,
)
from ..models.people import fold

UNDO_WINDOW = timedelta(minutes=5)
STATUSES = ("checked_in", "already_checked_in", "unknown_badge", "revoked_badge",
            "not_registered", "fair_not_live")
GOOD, WARNING, BAD = "good", "warning", "bad"
TONES = {"checked_in": GOOD, "already_checked_in": WARNING}
STATUS_LABELS = {
    "checked_in": _l("Checked in"),
    "already_checked_in": _l("Already checked in"),
    "unknown_badge": _l("Unknown badge"),
    "revoked_badge": _l("Revoked badge: a newer one exists"),
    "not_registered": _l("Not registered for this fair"),
    "fair_not_live": _l("This fair is not live"),
}


@dataclass
class Interview:
    starts_at: object  # naive UTC; templates show it with |time
    ends_at: object
    company: str
    booth: str | None


@dataclass
class ScanResult:
    status: str
    person: User | None = None
    checkin: CheckIn | None = None
    interviews: list = field(default_factory=list)
    affiliation: str | None = None  # track / cohort, or company

    @property
    def tone(self):
        return TONES.get(self.status, BAD)

    @property
    def label(self):
        return STATUS_LABELS[self.status]


# --- Reading a code --------------------------------------------------------------------


TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def looks_like_token(token):
    """Tokens are URL-safe base64 (badges.services.new_token): anything else is no badge,
    answered without asking the database (PostgreSQL refuses a NUL in a query)."""
    return bool(token) and TOKEN_SHAPE.fullmatch(token) is not None


def extract_token(code):
    """The badge token from a scanned or typed code: a full badge URL or the bare token."""
    code = (code or "").strip()
    if "/b/" in code:
        code = code.rsplit("/b/", 1)[1]
    for stop in ("?", "#", "/"):
        code = code.split(stop, 1)[0]
    # The code printed under the QR is the token in groups of 4: typed by hand, with spaces.
    return "".join(code.split())


# --- Who belongs to the fair ------------------------------------------------------------


def _approved_company_ids(fair):
    return set(db.session.scalars(
        select(Participation.company_id)
        .where(Participation.fair_id == fair.id, Participation.status == "approved")))


def is_expected(fair, person, cohort_invited=None):
    """A candidate of an invited cohort, or a representative of an approved company.
    ``cohort_invited``: whether the candidate's cohort is invited, when the caller's query
    already asked."""
    if person is None or not person.is_enabled:
        return False
    if person.role == "candidate" and cohort_invited is not None:
        return bool(cohort_invited)
    if person.role == "candidate":
        cohort_id = person.candidate.cohort_id if person.candidate else None
        return cohort_id is not None and cohort_id in {c.id for c in fair.cohorts}
    if person.role == "company_rep":
        return person.company_id is not None and person.company_id in _approved_company_ids(fair)
    return False


def _affiliation(fair, person):
    if person.role == "candidate" and person.candidate and person.candidate.cohort:
        cohort = person.candidate.cohort
        return f"{cohort.track.name} · {cohort.name}"
    if person.role == "company_rep" and person.company:
        return person.company.name
    return None


def _interviews(fair, person):
    if person.role != "candidate" or person.candidate is None:
        return []
    bookings = live_bookings(person.candidate.id, fair.id)
    if not bookings:  # no interview, no booth to look up (one query less per such scan)
        return []
    booths = {b.participation_id: b.number for b in db.session.scalars(
        select(Booth).where(Booth.fair_id == fair.id, Booth.participation_id.is_not(None)))}
    return [Interview(b.slot.starts_at, b.slot.ends_at, b.participation.company.name,
                      booths.get(b.participation_id))
            for b in sorted(bookings, key=lambda b: b.slot.starts_at)]


def _result(status, fair, person=None, checkin=None):
    if person is None:
        return ScanResult(status)
    interviews = _interviews(fair, person) if status in ("checked_in",
                                                         "already_checked_in") else []
    return ScanResult(status, person, checkin, interviews, _affiliation(fair, person))


# --- Checking in ------------------------------------------------------------------------


def live_checkin(fair, person):
    return db.session.scalars(
        select(CheckIn)
        .where(CheckIn.fair_id == fair.id, CheckIn.user_id == person.id,
               CheckIn.kind == "entry", CheckIn.undone_at.is_(None))
        .options(joinedload(CheckIn.scanned_by))
        .execution_options(populate_existing=True)
    ).first()


def _by_nonce(fair, nonce):
    if not nonce:
        return None
    return db.session.scalars(
        select(CheckIn).where(CheckIn.nonce == nonce, CheckIn.fair_id == fair.id)
        .execution_options(populate_existing=True)
    ).first()


def _audit(action, actor, fair, checkin, **details):
    audit.record(action, actor, fair, checkin, user_id=checkin.user_id, **details)


def _insert_checkin(values):
    """INSERT … ON CONFLICT DO NOTHING RETURNING the row: the new check-in, or None when a
    unique index refused it (the nonce, or "one live entry check-in per person and fair")."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return db.session.scalars(
        insert(CheckIn).values(**values).on_conflict_do_nothing().returning(CheckIn)
    ).first()


def _check_in(fair, person, badge, staff_user, device_name, nonce, at=None):
    """Check ``person`` in unless they already are; the first answer for a known nonce.

    The insert comes first: a first scan (the common case) costs no look-up; only a refused
    insert looks up why (this very scan retried, or someone checked them in already).
    ``at``: when a scan decided offline was made (offline.upload), else now.
    """
    nonce = (nonce or "").strip()[:64] or None
    device_name = (device_name or "").strip()[:100] or None
    checkin = _insert_checkin(dict(
        fair_id=fair.id, user_id=person.id, badge_id=badge.id if badge else None,
        kind="entry", checked_in_at=at or utcnow(), scanned_by_id=staff_user.id,
        device_name=device_name, nonce=nonce))
    if checkin is None:
        first = _by_nonce(fair, nonce)
        if first is not None:  # this very scan, retried: its first answer
            return _result("checked_in", fair, first.user, first)
        existing = live_checkin(fair, person)
        if existing is None and nonce:
            # Not this person's row: the nonce was used at another fair. Scan without it.
            return _check_in(fair, person, badge, staff_user, device_name, None, at=at)
        return _result("already_checked_in", fair, person, existing)
    offline = {"offline": True} if at is not None else {}
    _audit("checkin.entry", staff_user, fair, checkin, device=checkin.device_name,
           badge_id=checkin.badge_id, **offline)
    return _result("checked_in", fair, person, checkin)


def _refused(status, fair, nonce):
    """A refusal, unless this scan is a retry of one that checked someone in (its badge
    revoked since, say): the retry gets its first answer."""
    first = _by_nonce(fair, nonce)
    if first is not None:
        return _result("checked_in", fair, first.user, first)
    return ScanResult(status)


def scan(fair, token, staff_user, device_name=None, nonce=None, at=None):
    """The answer to one scan of ``token`` (a bare token or a badge URL) at ``fair``;
    ``at``: when it was scanned, for a scan decided offline and uploaded later."""
    if not is_live(fair):
        return ScanResult("fair_not_live")
    token = extract_token(token)
    # The holder and what the answer shows of them come in the same query as the badge.
    # So does whether a candidate's cohort is invited (not a load of the fair's cohorts).
    invited = exists().where(Candidate.user_id == Badge.user_id,
                             fair_cohorts.c.cohort_id == Candidate.cohort_id,
                             fair_cohorts.c.fair_id == fair.id)
    row = db.session.execute(
        select(Badge, invited).where(Badge.token == token)
        .options(joinedload(Badge.user).joinedload(User.candidate)
                 .joinedload(Candidate.cohort).joinedload(Cohort.track))
    ).first() if looks_like_token(token) else None
    badge, cohort_invited = row if row is not None else (None, None)
    if badge is None:
        return _refused("unknown_badge", fair, nonce)
    if badge.revoked_at is not None:
        return _refused("revoked_badge", fair, nonce)
    if badge.fair_id != fair.id or not is_expected(fair, badge.user, cohort_invited):
        return _refused("not_registered", fair, nonce)
    return _check_in(fair, badge.user, badge, staff_user, device_name, nonce, at=at)


def check_in_person(fair, user_id, staff_user, device_name=None, nonce=None):
    """The name-search path: the same rules, without a badge (its live badge is recorded)."""
    if not is_live(fair):
        return ScanResult("fair_not_live")
    person = db.session.get(User, user_id)
    if not is_expected(fair, person):
        return _refused("not_registered", fair, nonce)
    badge = db.session.scalars(select(Badge).where(
        Badge.fair_id == fair.id, Badge.user_id == person.id, Badge.revoked_at.is_(None))).first()
    return _check_in(fair, person, badge, staff_user, device_name, nonce)


# --- Undo -------------------------------------------------------------------------------


def can_undo(checkin, user, now=None):
    now = now or utcnow()
    return (checkin is not None and checkin.undone_at is None
            and now - checkin.checked_in_at <= UNDO_WINDOW
            and (user.role == "organizer" or checkin.scanned_by_id == user.id))


def undo(checkin, user, now=None):
    """Cancel a mistaken check-in: by its scanner (or an organizer), within five minutes."""
    now = now or utcnow()
    if user.role != "organizer" and checkin.scanned_by_id != user.id:
        raise DomainError(_l("Only the staff member who checked this person in can undo it."))
    if checkin.undone_at is not None:
        raise DomainError(_l("This check-in was already undone."))
    if now - checkin.checked_in_at > UNDO_WINDOW:
        raise DomainError(_l("A check-in can only be undone within five minutes."))
    # Conditional: of two undos at once (a double click), one changes the row, one is told.
    undone = db.session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.undone_at.is_(None))
        .values(undone_at=now, undone_by_id=user.id))
    if undone.rowcount != 1:
        raise DomainError(_l("This check-in was already undone."))
    _audit("checkin.undo", user, db.session.get(Fair, checkin.fair_id), checkin,
           checked_in_at=checkin.checked_in_at.isoformat(), device=checkin.device_name,
           scanned_by_id=checkin.scanned_by_id)
    return checkin


# --- Name search ------------------------------------------------------------------------


def search_people(fair, query, limit=20):
    """Candidates of the fair's cohorts and representatives of its approved companies whose
    name holds every word of ``query``, accents and case aside; the database filters."""
    words = fold(query).split()
    if not words:
        return []
    cohort_ids = select(fair_cohorts.c.cohort_id).where(fair_cohorts.c.fair_id == fair.id)
    company_ids = select(Participation.company_id).where(
        Participation.fair_id == fair.id, Participation.status == "approved")
    return db.session.scalars(
        select(User)
        .outerjoin(Candidate, Candidate.user_id == User.id)
        .where(User.is_enabled.is_(True), or_(
            (User.role == "candidate") & Candidate.cohort_id.in_(cohort_ids),
            (User.role == "company_rep") & User.company_id.in_(company_ids)),
            *(User.folded_name.contains(word, autoescape=True) for word in words))
        .order_by(User.last_name, User.first_name, User.id)
        .limit(limit)
    ).all()


def checked_in_ids(fair, people):
    ids = [p.id for p in people]
    if not ids:
        return set()
    return set(db.session.scalars(select(CheckIn.user_id).where(
        CheckIn.fair_id == fair.id, CheckIn.user_id.in_(ids), CheckIn.kind == "entry",
        CheckIn.undone_at.is_(None))))
