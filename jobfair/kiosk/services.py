"""The self check-in kiosk's rules: device accounts, the candidates' kiosk codes, who is at the
kiosk. Check-ins go through ``checkin.services`` like the staff scanner's.

A kiosk code is not stored: it is an HMAC (SECRET_KEY) of the person's active badge token, 6
characters of an alphabet without look-alikes (no 0/O, 1/I/L). Reissuing the badge changes it.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..audit import services as audit
from ..badges import services as badges
from ..booking.services import live_bookings
from ..checkin import services as checkin
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import is_live
from ..models import Badge, Booth, InterviewTable, Kiosk, User, utcnow
from ..text import fold

LINK_LIFETIME = timedelta(hours=24)
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
NOT_LIVE = _l("The check-in is not open: this fair is not live. Ask at the desk.")
NO_MATCH = _l("This name and code do not match. Check the code in your email, or scan your badge.")
REPLACED = _l("This badge was replaced by a newer one: use your latest badge or email, or ask "
              "at the desk.")


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


# --- Device accounts ---------------------------------------------------------------------


def create_kiosk(fair, name, created_by):
    """A kiosk of ``fair`` and its one-time sign-in token (shown once, only its hash kept)."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_l("Give the kiosk a name, e.g. “Entrée A — borne 1”."), field="name")
    if len(name) > 100:
        raise DomainError(_l("At most 100 characters."), field="name")
    user = User(role="kiosk", email=f"kiosk-{secrets.token_hex(12)}@kiosk.invalid",
                first_name=name, password_hash=None)
    token = secrets.token_urlsafe(32)
    kiosk = Kiosk(fair_id=fair.id, user=user, name=name, link_hash=_digest(token),
                  link_expires_at=utcnow() + LINK_LIFETIME, created_by_id=created_by.id)
    db.session.add_all([user, kiosk])
    db.session.flush()
    audit.record("kiosk.created", created_by, fair, kiosk, name=name)
    return kiosk, token


def open_kiosk(token):
    """The kiosk whose one-time link this is, spent now (a conditional UPDATE: once)."""
    now = utcnow()
    digest = _digest(token or "")
    spent = db.session.execute(
        update(Kiosk).where(Kiosk.link_hash == digest, Kiosk.revoked_at.is_(None),
                            Kiosk.link_expires_at > now)
        .values(link_hash=None, opened_at=now).returning(Kiosk.id)).scalar()
    if spent is None:
        raise DomainError(_l("This kiosk link was already used, has expired or was revoked. "
                             "An organizer can create a new kiosk."))
    return db.session.get(Kiosk, spent)


def revoke_kiosk(kiosk, actor):
    """The kiosk stops working: its user is disabled and its sessions end (new nonce)."""
    if kiosk.revoked_at is not None:
        raise DomainError(_l("This kiosk was already revoked."))
    kiosk.revoked_at = utcnow()
    kiosk.link_hash = None
    kiosk.user.is_enabled = False
    kiosk.user.end_sessions()
    audit.record("kiosk.revoked", actor, kiosk.fair_id, kiosk, name=kiosk.name)


def kiosks_of(fair):
    return db.session.scalars(select(Kiosk).where(Kiosk.fair_id == fair.id)
                              .order_by(Kiosk.revoked_at.is_not(None), Kiosk.name)).all()


def kiosk_of_user(user):
    """The live kiosk signed in as ``user``, or None."""
    return db.session.scalars(select(Kiosk).where(Kiosk.user_id == user.id,
                                                  Kiosk.revoked_at.is_(None))
                              .options(joinedload(Kiosk.fair))).first()


# --- Kiosk codes -------------------------------------------------------------------------


def kiosk_code(badge_token):
    mac = hmac.new(current_app.config["SECRET_KEY"].encode(), b"kiosk-code:" + badge_token.encode(),
                   hashlib.sha256).digest()
    number, code = int.from_bytes(mac, "big"), []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        code.append(CODE_ALPHABET[index])
    return "".join(code)


def normalise_code(typed):
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def send_codes(fair):
    """Email every candidate of ``fair`` their kiosk code (badges made where missing)."""
    from ..mail import queue

    people = [p for p in badges.holders(fair) if p.kind == "candidate"]
    badges.attach_badges(fair, people, create=True)
    for person in people:
        queue(person.user.email, "kiosk_code", locale=person.user.locale, fair=fair,
              person=person.user, code=kiosk_code(person.badge.token))
    return len(people)


# --- Who is at the kiosk -------------------------------------------------------------------


@dataclass
class Visitor:
    person: User
    badge: Badge


def _check_live(fair):
    if not is_live(fair):
        raise DomainError(NOT_LIVE)


def identify_by_badge(fair, code):
    """The holder of the badge scanned (or its code typed) at ``fair``'s kiosk."""
    _check_live(fair)
    token = checkin.extract_token(code)
    badge = db.session.scalars(select(Badge).where(Badge.token == token)).first() \
        if checkin.looks_like_token(token) else None
    if badge is None:
        raise DomainError(_l("Unknown badge: scan it again, or type your name and kiosk code."),
                          field="code")
    if badge.revoked_at is not None:
        raise DomainError(REPLACED, field="code")
    if badge.fair_id != fair.id or not checkin.is_expected(fair, badge.user):
        raise DomainError(_l("This badge is not for this fair."), field="code")
    return Visitor(badge.user, badge)


def _whole_words_match(typed, person):
    words = set(person.folded_name.split())
    return all(word in words for word in typed)


def identify_by_code(fair, name, code):
    """The person of ``fair`` with this name (every word typed is one of theirs) and code."""
    _check_live(fair)
    typed, code = fold(name or "").split(), normalise_code(code)
    if not typed or len(code) != CODE_LENGTH:
        raise DomainError(NO_MATCH, field="kiosk_code")
    people = [p for p in checkin.search_people(fair, " ".join(typed))
              if _whole_words_match(typed, p)]
    if not people:
        raise DomainError(NO_MATCH, field="kiosk_code")
    held = db.session.scalars(select(Badge).where(
        Badge.fair_id == fair.id, Badge.user_id.in_([p.id for p in people]))).all()
    by_id = {p.id: p for p in people}
    for badge in held:
        if hmac.compare_digest(kiosk_code(badge.token), code):
            if badge.revoked_at is not None:
                raise DomainError(REPLACED, field="kiosk_code")
            return Visitor(by_id[badge.user_id], badge)
    raise DomainError(NO_MATCH, field="kiosk_code")


@dataclass
class KioskInterview:
    starts_at: object  # naive UTC; shown with |time in Africa/Casablanca
    ends_at: object
    company: str
    table: str
    booth: str | None


def day_interviews(fair, person):
    """The person's live interviews at ``fair``: time, company, table, booth."""
    if person.role != "candidate" or person.candidate is None:
        return []
    bookings = live_bookings(person.candidate.id, fair.id)
    if not bookings:
        return []
    booths = {b.participation_id: b.number for b in db.session.scalars(
        select(Booth).where(Booth.fair_id == fair.id, Booth.participation_id.is_not(None)))}
    tables = dict(db.session.execute(select(InterviewTable.id, InterviewTable.name).where(
        InterviewTable.id.in_({b.slot.table_id for b in bookings}))).all())
    return [KioskInterview(b.slot.starts_at, b.slot.ends_at, b.participation.company.name,
                           tables[b.slot.table_id], booths.get(b.participation_id))
            for b in sorted(bookings, key=lambda b: b.slot.starts_at)]


def check_in(fair, kiosk, person_id, nonce=None):
    """Check the person in as the scanner does (already checked in is fine: a reprint)."""
    result = checkin.check_in_person(fair, person_id, kiosk.user, kiosk.name, nonce)
    if result.status not in ("checked_in", "already_checked_in"):
        raise DomainError(checkin.STATUS_LABELS[result.status])
    return result
