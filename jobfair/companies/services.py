"""Bringing companies into fairs: invitations without duplicates, requests, decisions.

No Flask request here. Every rule raises ``DomainError`` (with the form field
it belongs to); the views turn it into an error next to that field.
Duplicate detection itself lives in ``matching.py``.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..audit import services as audit
from ..auth import services as auth_services
from ..booking import services as booking_services
from ..errors import DomainError
from ..extensions import db
from ..fairs import lifecycle
from ..models import Booking, Booth, Company, Invitation, Participation, User, utcnow
from .matching import (
    company_with_normalised_name,
    email_domain,
    find_matches,
    normalise_company_name,
    unique_slug,
)


class MatchesFound(DomainError):
    """The name may be a company that exists: the organizer must choose."""

    def __init__(self, matches, message=None):
        if message is None:
            message = _l("This company may already be registered: choose it below, or say that it is a new one.")
        super().__init__(message, field="company_name")
        self.matches = matches


class ExistingRepresentative(DomainError):
    """The address belongs to a representative: their company can be added directly."""

    def __init__(self, user):
        super().__init__(
            _l("%(email)s already has an account, as a representative of %(company)s.",
               email=user.email, company=user.company.name),
            field="email",
        )
        self.user = user


class ConfirmationNeeded(DomainError):
    """Withdrawing would cancel bookings: the organizer must confirm first."""

    def __init__(self, active_bookings):
        super().__init__(
            _l("This company has active bookings: withdrawing it cancels them and emails each candidate."),
            field="reason",
        )
        self.active_bookings = active_bookings


def _clean(text):
    return " ".join((text or "").split())


# --- Invitations ---------------------------------------------------------------


def _pending_invitations(**filters):
    query = select(Invitation).where(Invitation.used_at.is_(None), Invitation.expires_at > utcnow())
    for column, value in filters.items():
        query = query.where(getattr(Invitation, column) == value)
    return db.session.scalars(query).all()


def pending_invitation_for_email(email):
    email = auth_services.normalise_email(email)
    return db.session.scalar(
        select(Invitation).where(
            func.lower(Invitation.email) == email,
            Invitation.used_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    )


def check_not_in_fair(fair, company=None, company_name=None):
    """Refuse a company invited twice to ``fair`` (participation or pending invitation)."""
    normalised = company.normalized_name if company else normalise_company_name(company_name)
    if company is not None:
        participation = db.session.scalar(
            select(Participation).where(
                Participation.fair_id == fair.id, Participation.company_id == company.id
            )
        )
        if participation is not None:
            raise DomainError(
                _l("%(company)s already takes part in this fair (or asked to): see the fair's companies.",
                   company=company.name),
                field="company_name",
            )
    for invitation in _pending_invitations(fair_id=fair.id, role="company_rep"):
        same_company = company is not None and invitation.company_id == company.id
        if invitation.company is not None:
            invited_name, invited_normalised = invitation.company.name, invitation.company.normalized_name
        else:
            invited_name = invitation.company_name or ""
            invited_normalised = normalise_company_name(invited_name)
        if same_company or invited_normalised == normalised:
            raise DomainError(
                _l("%(company)s is already invited to this fair (invitation sent to %(email)s).",
                   company=invited_name, email=invitation.email),
                field="company_name",
            )


def invite_company(fair, email, invited_by, company_name=None, company=None, new_company=False):
    """Invite a company's representative to ``fair``; returns (invitation, token).

    ``company`` is an existing company the organizer chose; otherwise
    ``company_name`` names a new one, created when the invitation is accepted.
    Raises ``MatchesFound`` when the name (or the address's domain) looks like
    an existing company and the organizer has not said it is a new one.
    """
    if fair is None or not lifecycle.accepts_companies(fair):
        raise DomainError(_l("Choose a fair that still accepts companies."), field="fair_id")
    email = auth_services.normalise_email(email)
    existing = auth_services.user_by_email(email)
    if existing is not None:
        if existing.role == "company_rep" and existing.company is not None:
            raise ExistingRepresentative(existing)
        raise DomainError(_l("An account already exists for this email address."), field="email")
    if pending_invitation_for_email(email) is not None:
        raise DomainError(
            _l("An invitation to this address is already waiting to be accepted."), field="email"
        )
    if company is None:
        company_name = _clean(company_name)
        if not normalise_company_name(company_name):
            raise DomainError(_l("Enter the company's name."), field="company_name")
        matches = find_matches(company_name, email)
        if matches and not new_company:
            raise MatchesFound(matches)
        if company_with_normalised_name(company_name) is not None:
            raise MatchesFound(
                matches,
                _l("A company with this name already exists: choose it in the list."),
            )
    check_not_in_fair(fair, company=company, company_name=company_name)
    return auth_services.create_invitation(
        email,
        "company_rep",
        invited_by=invited_by,
        company=company,
        company_name=None if company else company_name,
        fair=fair,
        template="company_invitation",
    )


def get_or_create_company(name, domain=None):
    """The company called ``name`` (normalised), created if none: the unique index decides."""
    existing = company_with_normalised_name(name)
    if existing is not None:
        return existing
    company = Company(
        name=_clean(name),
        normalized_name=normalise_company_name(name),
        slug=unique_slug(name),
        email_domain=domain,
    )
    if not _insert(company):
        # Another request created it (or took the slug) since we looked.
        existing = company_with_normalised_name(name)
        if existing is None:
            raise DomainError(_l("The company could not be created. Try again."))
        return existing
    return company


def _insert(row):
    """Insert ``row`` in a savepoint; False if a unique constraint refused it.

    Whatever else is pending is flushed first, outside the savepoint, so that
    rolling the savepoint back drops ``row`` only. Build ``row`` with ids, not
    relationships, so it is not in the session before this.
    """
    db.session.flush()
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def _participation(fair, company):
    return db.session.scalar(
        select(Participation).where(
            Participation.fair_id == fair.id, Participation.company_id == company.id
        )
    )


def accept_company_invitation(invitation, user):
    """The company side of accepting an invitation (called by ``auth.services``).

    A company invited by name is created now, or, if its normalised name was
    taken meanwhile, the representative joins that company. The invitation's
    fair gets an approved participation, unless the organizers decided
    otherwise after sending the invitation.
    """
    company = invitation.company
    if company is None and invitation.company_name:
        company = get_or_create_company(invitation.company_name, email_domain(invitation.email))
    if company is None:
        return None
    user.company = company
    fair = invitation.fair
    if fair is None or not lifecycle.accepts_companies(fair):
        return company
    now = utcnow()
    participation = _participation(fair, company)
    if participation is None:
        participation = Participation(
            fair_id=fair.id, company_id=company.id, status="approved", requested_at=now,
            decided_at=now, decided_by_id=invitation.invited_by_id,
        )
        if _insert(participation):
            return company
        participation = _participation(fair, company)
    decided_later = participation.decided_at and participation.decided_at > invitation.created_at
    if participation.status != "approved" and not decided_later:
        participation.status = "approved"
        participation.decided_at = now
        participation.decided_by_id = invitation.invited_by_id
        participation.reason = None
    return company


def add_company_to_fair(fair, company, by_user):
    """An organizer adds an existing company to ``fair``, approved; its representatives are told."""
    if fair is None or not lifecycle.accepts_companies(fair):
        raise DomainError(_l("Choose a fair that still accepts companies."), field="fair_id")
    already = DomainError(
        _l("%(company)s already takes part in this fair (or asked to): see the fair's companies.",
           company=company.name),
        field="company_name",
    )
    if _participation(fair, company) is not None:
        raise already
    now = utcnow()
    participation = Participation(
        fair_id=fair.id, company_id=company.id, status="approved", requested_at=now,
        decided_at=now, decided_by_id=by_user.id,
    )
    if not _insert(participation):
        raise already
    audit.record("participation.added", by_user, fair, participation, company=company.name)
    notify_representatives(participation)
    return participation


# --- Participation requests and decisions ----------------------------------------


def request_participation(fair, company):
    """A company asks to take part in a published fair: one request per fair and company."""
    if not lifecycle.accepts_participation_requests(fair):
        raise DomainError(_l("This fair does not take requests to take part any more."))
    existing = _participation(fair, company)
    already = DomainError(
        _l("Your company has already asked to take part in this fair; the organizers will answer by email.")
    )
    if existing is not None:
        if existing.status == "requested":
            raise already
        raise DomainError(
            _l("Your company is already listed for this fair (%(status)s).",
               status=_status_label(existing.status))
        )
    participation = Participation(fair_id=fair.id, company_id=company.id, status="requested")
    if not _insert(participation):
        raise already
    return participation


def _status_label(status):
    from ..labels import PARTICIPATION_STATUS

    return PARTICIPATION_STATUS[status]


# action → (new status, statuses it may come from, a reason is required)
DECISIONS = {
    "approve": ("approved", ("requested", "declined", "withdrawn"), False),
    "decline": ("declined", ("requested",), True),
    "withdraw": ("withdrawn", ("approved",), True),
}


def active_bookings(participation):
    return db.session.scalars(
        select(Booking)
        .where(Booking.participation_id == participation.id, Booking.status == "active")
        .order_by(Booking.id)
    ).all()


def decide(participation, action, by_user, reason=None, confirmed=False):
    """Approve, decline or withdraw a participation; emails every representative.

    Withdrawing frees the company's booth. If the company has active
    bookings, withdrawing raises ``ConfirmationNeeded`` until ``confirmed``,
    then cancels each of them (the candidate is emailed by the booking package's
    ``cancel_by_company``).
    """
    new_status, allowed, needs_reason = DECISIONS[action]
    if not lifecycle.accepts_companies(participation.fair):
        raise DomainError(_l("This fair is closed: its companies can no longer change."))
    if participation.status not in allowed:
        raise DomainError(_l("This decision is not possible any more: reload the page."))
    reason = (reason or "").strip() or None
    if needs_reason and not reason:
        raise DomainError(_l("Give the reason: the company will read it."), field="reason")
    bookings = active_bookings(participation) if action == "withdraw" else []
    if bookings and not confirmed:
        raise ConfirmationNeeded(len(bookings))
    # A conditional UPDATE: of two organizers deciding at once, one wins.
    changed = db.session.execute(
        update(Participation)
        .where(Participation.id == participation.id, Participation.status.in_(allowed))
        .values(status=new_status, decided_at=utcnow(), decided_by_id=by_user.id,
                reason=reason if needs_reason else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise DomainError(_l("This decision is not possible any more: reload the page."))
    old_status = participation.status
    db.session.refresh(participation)
    booth = participation.booth.number if action == "withdraw" and participation.booth else None
    audit.record(f"participation.{new_status}", by_user, participation.fair_id, participation,
                 company=participation.company.name, old=old_status, new=new_status,
                 reason=reason if needs_reason else None, cancelled_bookings=len(bookings),
                 booth=booth)
    if action == "withdraw":
        for booking in bookings:
            booking_services.cancel_by_company(booking, reason, by_user)
        db.session.execute(
            update(Booth)
            .where(Booth.participation_id == participation.id)
            .values(participation_id=None)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(participation, ["booth"])
    notify_representatives(participation)
    return participation


def representatives(company):
    return db.session.scalars(
        select(User)
        .where(User.company_id == company.id, User.role == "company_rep", User.is_enabled.is_(True))
        .order_by(User.id)
    ).all()


def notify_representatives(participation):
    """Queue the email of the participation's status to each representative, in their language."""
    template = f"participation_{participation.status}"
    link = mail.absolute_url("company.home")
    for user in representatives(participation.company):
        mail.queue(
            user.email, template, locale=user.locale, user=user, participation=participation,
            fair=participation.fair, company=participation.company, link=link,
        )
