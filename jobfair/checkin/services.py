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
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from ..audit import services as audit
from ..database import write_from_here
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import is_live
from ..models import (
    Badge,
    Candidate,
    CheckIn,
    Fair,
    Participation,
    User,
    fair_cohorts,
    utcnow,
)
from ..models.people import fold
from . import statements

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
class Person:
    """What a scan's answer shows of the person (read as plain columns on the scan's path)."""
    id: int
    role: str
    full_name: str
    candidate_id: int | None = None


@dataclass
class Entry:
    """A check-in just written (Core INSERT … RETURNING): what the answer and undo read."""
    id: int
    fair_id: int
    user_id: int
    badge_id: int | None
    checked_in_at: datetime
    scanned_by_id: int
    device_name: str | None
    undone_at: datetime | None = None


@dataclass
class ScanResult:
    status: str
    person: Person | None = None
    checkin: Entry | CheckIn | None = None
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


def is_expected(fair, person):
    """A candidate of an invited cohort, or a representative of an approved company."""
    if person is None or not person.is_enabled:
        return False
    if person.role == "candidate":
        cohort_id = person.candidate.cohort_id if person.candidate else None
        return cohort_id is not None and cohort_id in {c.id for c in fair.cohorts}
    if person.role == "company_rep":
        return person.company_id is not None and person.company_id in _approved_company_ids(fair)
    return False


def _affiliation(person):
    if person.role == "candidate" and person.candidate and person.candidate.cohort:
        cohort = person.candidate.cohort
        return f"{cohort.track.name} · {cohort.name}"
    if person.role == "company_rep" and person.company:
        return person.company.name
    return None


def _person(user):
    """A loaded ``User`` as the answer shows it (the name-search and replay paths)."""
    candidate = user.candidate if user.role == "candidate" else None
    return Person(user.id, user.role, user.full_name, candidate.id if candidate else None)


def _interviews(fair, person):
    if person.role != "candidate" or person.candidate_id is None:
        return []
    rows = db.session.connection().execute(
        statements.interviews(), {"candidate_id": person.candidate_id, "fair_id": fair.id})
    return [Interview(*row) for row in rows]


def _result(status, fair, person=None, checkin=None, affiliation=None, interviews=None):
    if person is None:
        return ScanResult(status)
    if interviews is None:
        interviews = _interviews(fair, person) if status in ("checked_in",
                                                             "already_checked_in") else []
    return ScanResult(status, person, checkin, interviews, affiliation)


def _replayed(fair, first):
    """The first answer of a retried scan (its check-in found by nonce)."""
    return _result("checked_in", fair, _person(first.user), first, _affiliation(first.user))


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
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the new check-in, or None when a unique
    index refused it (the nonce, or "one live entry check-in per person and fair")."""
    row = db.session.connection().execute(statements.insert_checkin(), values).first()
    return Entry(*row) if row is not None else None


def _check_in(fair, person, badge_id, staff_user, device_name, nonce, at=None,
              affiliation=None, interviews=None):
    """Check ``person`` in unless they already are; the first answer for a known nonce.

    The insert comes first: a first scan (the common case) costs no look-up; only a refused
    insert looks up why (this very scan retried, or someone checked them in already).
    ``at``: when a scan decided offline was made (offline.upload), else now. On SQLite, a
    ``reads_first`` request takes the write lock here, after its reads (database.py).
    """
    nonce = (nonce or "").strip()[:64] or None
    device_name = (device_name or "").strip()[:100] or None
    write_from_here(db.session())
    now = utcnow()
    checkin = _insert_checkin(dict(
        fair_id=fair.id, user_id=person.id, badge_id=badge_id, kind="entry",
        checked_in_at=at or now, recorded_at=now, scanned_by_id=staff_user.id,
        device_name=device_name, nonce=nonce))
    if checkin is None:
        first = _by_nonce(fair, nonce)
        if first is not None:  # this very scan, retried: its first answer
            return _replayed(fair, first)
        existing = live_checkin(fair, person)
        if existing is None and nonce:
            # Not this person's row: the nonce was used at another fair. Scan without it.
            return _check_in(fair, person, badge_id, staff_user, device_name, None, at,
                             affiliation, interviews)
        return _result("already_checked_in", fair, person, existing, affiliation, interviews)
    offline = {"offline": True} if at is not None else {}
    audit.insert("checkin.entry", staff_user, fair, "checkin", checkin.id,
                 user_id=checkin.user_id, device=checkin.device_name,
                 badge_id=checkin.badge_id, **offline)
    return _result("checked_in", fair, person, checkin, affiliation, interviews)


def _refused(status, fair, nonce):
    """A refusal, unless this scan is a retry of one that checked someone in (its badge
    revoked since, say): the retry gets its first answer."""
    first = _by_nonce(fair, nonce)
    if first is not None:
        return _replayed(fair, first)
    return ScanResult(status)


def scan(fair, token, staff_user, device_name=None, nonce=None, at=None):
    """The answer to one scan of ``token`` (a bare token or a badge URL) at ``fair``;
    ``at``: when it was scanned, for a scan decided offline and uploaded later."""
    if not is_live(fair):
        return ScanResult("fair_not_live")
    token = extract_token(token)
    row = db.session.connection().execute(
        statements.badge(), {"token": token, "fair_id": fair.id}
    ).first() if looks_like_token(token) else None
    if row is None:
        return _refused("unknown_badge", fair, nonce)
    (badge_id, badge_fair_id, revoked_at, user_id, role, enabled, first_name, last_name, email,
     candidate_id, track, cohort, company, invited, approved) = row
    if revoked_at is not None:
        return _refused("revoked_badge", fair, nonce)
    expected = enabled and (invited if role == "candidate" else
                            role == "company_rep" and approved)
    if badge_fair_id != fair.id or not expected:
        return _refused("not_registered", fair, nonce)
    person = Person(user_id, role, f"{first_name} {last_name}".strip() or email,
                    candidate_id if role == "candidate" else None)
    affiliation = (f"{track} · {cohort}" if role == "candidate" and cohort is not None
                   else company if role == "company_rep" else None)
    # The interviews are read before the check-in is written: on SQLite, outside the lock.
    return _check_in(fair, person, badge_id, staff_user, device_name, nonce, at, affiliation,
                     _interviews(fair, person))


def check_in_person(fair, user_id, staff_user, device_name=None, nonce=None):
    """The name-search path: the same rules, without a badge (its live badge is recorded)."""
    if not is_live(fair):
        return ScanResult("fair_not_live")
    user = db.session.get(User, user_id)
    if not is_expected(fair, user):
        return _refused("not_registered", fair, nonce)
    badge_id = db.session.scalar(select(Badge.id).where(
        Badge.fair_id == fair.id, Badge.user_id == user.id, Badge.revoked_at.is_(None)))
    return _check_in(fair, _person(user), badge_id, staff_user, device_name, nonce,
                     affiliation=_affiliation(user))


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
