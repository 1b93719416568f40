"""A representative's own company: profile, open positions, colleagues. No Flask request here.

Every function takes the representative's company (from ``own_company_or_404``):
nothing here looks a company up by an id that came from a request.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth import services as auth_services
from ..companies.matching import company_with_normalised_name, normalise_company_name, unique_slug
from ..companies.services import pending_invitation_for_email
from ..errors import DomainError
from ..extensions import db
from ..models import CONTRACT_TYPES, SECTORS, SIZES, Outcome, Position, Track


def _clean(text):
    return " ".join((text or "").split())


def _text(value):
    value = (value or "").strip()
    return value or None


def update_profile(company, name, sector, city=None, size=None, description=None, website=None):
    """Change the profile; a new name must not be another company's (normalised)."""
    name = _clean(name)
    normalised = normalise_company_name(name)
    if not normalised:
        raise DomainError(_l("Enter the company's name."), field="name")
    if sector not in SECTORS:
        raise DomainError(_l("Choose a sector."), field="sector")
    if size and size not in SIZES:
        raise DomainError(_l("Choose a size."), field="size")
    website = _text(website)
    if website and not website.lower().startswith(("http://", "https://")):
        raise DomainError(
            _l("Enter a full web address, such as https://www.example.ma."), field="website"
        )
    taken = company_with_normalised_name(name, exclude_id=company.id)
    if taken is not None:
        raise DomainError(
            _l("Another company is already called %(name)s: if it is yours, contact the organizers.",
               name=taken.name),
            field="name",
        )
    if normalised != company.normalized_name:
        company.normalized_name = normalised
        company.slug = unique_slug(name, exclude_id=company.id)
    company.name = name
    company.sector = sector
    company.city = _clean(city) or None
    company.size = size or None
    company.description = _text(description)
    company.website = website
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Another company took the name between our check and this write.
        raise DomainError(
            _l("Another company has just taken this name. Choose another one."), field="name"
        ) from None
    return company


# --- Positions -------------------------------------------------------------------


def own_position(company, position_id):
    """The company's position ``position_id``, or None (the view answers 404)."""
    return db.session.scalar(
        select(Position).where(Position.id == position_id, Position.company_id == company.id)
    )


def save_position(company, position, title, contract_type, openings, track_id=None):
    """Create (``position`` None) or change one of the company's open positions."""
    title = _clean(title)
    if not title:
        raise DomainError(_l("Enter the position's title."), field="title")
    if contract_type not in CONTRACT_TYPES:
        raise DomainError(_l("Choose a contract type."), field="contract_type")
    if openings is None or openings < 1:
        raise DomainError(_l("A position has at least one opening."), field="openings")
    track = db.session.get(Track, track_id) if track_id else None
    if track_id and track is None:
        raise DomainError(_l("Choose a track from the list."), field="track_id")
    if position is None:
        position = Position(company_id=company.id)
        db.session.add(position)
    elif position.company_id != company.id:
        raise DomainError(_l("This position is not your company's."))
    position.title = title
    position.contract_type = contract_type
    position.openings = openings
    position.track = track
    return position


def set_position_open(position, is_open):
    position.is_open = is_open
    return position


def delete_position(position):
    """Delete a position no outcome refers to; otherwise it can only be closed."""
    used = db.session.scalar(select(Outcome.id).where(Outcome.position_id == position.id).limit(1))
    if used is not None:
        raise DomainError(
            _l("Outcomes were recorded for this position: close it instead of deleting it.")
        )
    db.session.delete(position)


# --- Colleagues ------------------------------------------------------------------------


def invite_colleague(company, email, invited_by):
    """Invite someone as another representative of ``company``; returns (invitation, token)."""
    if pending_invitation_for_email(email) is not None:
        raise DomainError(
            _l("An invitation to this address is already waiting to be accepted."), field="email"
        )
    return auth_services.create_invitation(
        email, "company_rep", invited_by=invited_by, company=company
    )
