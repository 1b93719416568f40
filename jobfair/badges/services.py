"""Badges: who has one, issuing and reissuing their unguessable tokens, their URL.

A badge's token is the only thing its QR code holds (inside a URL to ``/b/<token>``):
192 random bits from ``secrets``, never an id or an email. Reissuing revokes the old
token (``revoked_at``) and makes a new one; a token is never reused.

Who has a badge for a fair: candidates whose cohort is invited (``fair.cohorts``) and
representatives of companies whose participation is approved. Staff and organizers don't.
"""
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from ..errors import DomainError
from ..extensions import db
from ..models import Badge, Candidate, Cohort, Participation, User, utcnow

TOKEN_BYTES = 24  # 192 random bits; token_urlsafe gives 32 characters


def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


def badge_url(token):
    """The URL printed in the QR code: ``<BASE_URL>/b/<token>``."""
    from ..mail import absolute_url

    try:
        return absolute_url("checkin.badge", token=token)
    except BuildError:
        # Until the check-in helper's route `checkin.badge` (/b/<token>) is registered,
        # build the same URL from BASE_URL by hand.
        return current_app.config["BASE_URL"].rstrip("/") + "/b/" + token


def short_code(token):
    """The human-readable code printed under the QR: the token itself, in groups of 4."""
    return " ".join(token[i:i + 4] for i in range(0, len(token), 4))


# --- Who has a badge ----------------------------------------------------------------------


def is_invited_candidate(fair, user):
    """A candidate whose cohort is one of the fair's cohorts."""
    if user.role != "candidate" or user.candidate is None or user.candidate.cohort_id is None:
        return False
    return any(c.id == user.candidate.cohort_id for c in fair.cohorts)


def approved_participation(fair, user):
    """The approved participation of the representative's company in ``fair``, or None."""
    if user.role != "company_rep" or user.company_id is None:
        return None
    return db.session.scalar(
        select(Participation).where(
            Participation.fair_id == fair.id,
            Participation.company_id == user.company_id,
            Participation.status == "approved",
        )
    )


def may_have_badge(fair, user):
    if not user.is_enabled:
        return False
    return is_invited_candidate(fair, user) or approved_participation(fair, user) is not None


# --- Issuing ------------------------------------------------------------------------------


def active_badge(fair, user):
    return db.session.scalar(
        select(Badge).where(Badge.fair_id == fair.id, Badge.user_id == user.id,
                            Badge.revoked_at.is_(None))
    )


def issue_badge(fair, user):
    """The person's active badge for ``fair``, made now if there is none."""
    if not may_have_badge(fair, user):
        raise DomainError(_l("This person has no badge for this fair."))
    badge = active_badge(fair, user)
    if badge is None:
        badge = Badge(fair_id=fair.id, user_id=user.id, token=new_token())
        db.session.add(badge)
        db.session.flush()
    return badge


def reissue_badge(fair, user):
    """Revoke the active badge (if any) and make a new one, in the caller's transaction."""
    if not may_have_badge(fair, user):
        raise DomainError(_l("This person has no badge for this fair."))
    old = active_badge(fair, user)
    if old is not None:
        old.revoked_at = utcnow()
        # Flush the revocation first: the partial unique index allows one active badge.
        db.session.flush()
    badge = Badge(fair_id=fair.id, user_id=user.id, token=new_token())
    db.session.add(badge)
    db.session.flush()
    return badge


# --- Everyone's badges, for printing --------------------------------------------------------


@dataclass
class BadgeHolder:
    user: User
    kind: str  # "candidate" or "company_rep"
    subtitle: str  # cohort / track, or the company's name
    badge: Badge | None = None


def holders(fair, cohort_id=None, search=None):
    """Everyone with a badge for ``fair``, sorted by last then first name.

    ``cohort_id`` keeps only the candidates of that cohort (no representatives).
    ``search`` keeps the people whose name or email contains it.
    """
    people = []
    cohort_ids = [c.id for c in fair.cohorts]
    if cohort_id is not None:
        cohort_ids = [c for c in cohort_ids if c == cohort_id]
    if cohort_ids:
        rows = db.session.execute(
            select(User, Cohort)
            .join(Candidate, Candidate.user_id == User.id)
            .join(Cohort, Cohort.id == Candidate.cohort_id)
            .where(Candidate.cohort_id.in_(cohort_ids), User.is_enabled.is_(True))
            .options(selectinload(Cohort.track))
        ).all()
        for user, cohort in rows:
            people.append(BadgeHolder(user, "candidate", f"{cohort.name} · {cohort.track.name}"))
    if cohort_id is None:
        rows = db.session.execute(
            select(User, Participation)
            .join(Participation, Participation.company_id == User.company_id)
            .where(Participation.fair_id == fair.id, Participation.status == "approved",
                   User.role == "company_rep", User.is_enabled.is_(True))
            .options(selectinload(Participation.company))
        ).all()
        for user, participation in rows:
            people.append(BadgeHolder(user, "company_rep", participation.company.name))
    if search:
        needle = search.strip().casefold()
        people = [p for p in people
                  if needle in f"{p.user.first_name} {p.user.last_name} {p.user.email}".casefold()]
    people.sort(key=lambda p: (p.user.last_name.casefold(), p.user.first_name.casefold(),
                               p.user.id))
    return people


def attach_badges(fair, people, create=False):
    """Fill ``holder.badge`` with each person's active badge; make missing ones if ``create``."""
    active = {
        b.user_id: b
        for b in db.session.scalars(
            select(Badge).where(Badge.fair_id == fair.id, Badge.revoked_at.is_(None))
        )
    }
    made = False
    for person in people:
        person.badge = active.get(person.user.id)
        if person.badge is None and create:
            person.badge = Badge(fair_id=fair.id, user_id=person.user.id, token=new_token())
            db.session.add(person.badge)
            made = True
    if made:
        db.session.flush()
    return people


def holder_for(fair, user):
    """The BadgeHolder of one person (who may have a badge for ``fair``)."""
    if is_invited_candidate(fair, user):
        cohort = user.candidate.cohort
        return BadgeHolder(user, "candidate", f"{cohort.name} · {cohort.track.name}")
    participation = approved_participation(fair, user)
    return BadgeHolder(user, "company_rep", participation.company.name)


def documents(fair, people):
    """What the PDF draws for each holder (who must have ``badge`` set), in the holder's
    language: the badge is theirs, whoever prints it (an Arabic reader's badge is mirrored)."""
    from flask import current_app
    from flask_babel import get_locale
    from flask_babel import gettext as _

    from ..i18n import RTL_LANGUAGES, force_locale
    from .pdf import BadgeData, fair_date_label

    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    words = {}  # language → (kinds, day): translated once per language, not once per badge

    def words_for(language):
        if language not in words:
            with force_locale(language):
                words[language] = ({"candidate": _("Candidate"), "company_rep": _("Company")},
                                   fair_date_label(fair, str(get_locale())))
        return words[language]

    badges = []
    for p in people:
        language = p.user.locale if p.user.locale in languages else default
        kinds, day = words_for(language)
        badges.append(BadgeData(
            name=f"{p.user.first_name} {p.user.last_name}".strip() or p.user.email,
            subtitle=p.subtitle, kind=kinds[p.kind], fair_name=fair.name, fair_date=day,
            url=badge_url(p.badge.token), code=short_code(p.badge.token),
            rtl=language in RTL_LANGUAGES))
    return badges
