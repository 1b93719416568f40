"""Fair rules: set-up, lifecycle changes, staff. No Flask request here (reads for pages: queries.py)."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit import services as audit
from ..auth import services as auth_services
from ..booths import services as booth_services
from ..text import slugify
from ..errors import DomainError
from ..extensions import db
from ..insertion import table as insertion_table
from ..models import REGIONS, Booth, Fair, Invitation, InterviewTable, Participation, Slot, utcnow
from ..timeutil import local_to_utc, local_today, utc_to_local
from . import lifecycle


class FairInvalid(DomainError):
    """Every problem of a fair form at once: ``errors`` maps field names to messages."""

    def __init__(self, errors):
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors


# --- Set-up ------------------------------------------------------------------


FAIR_FIELDS = (
    "name", "city", "region", "venue", "description", "day", "opens_at", "closes_at",
    "booking_opens_at", "booking_closes_at", "cancellation_deadline",
    "max_bookings_per_candidate", "min_gap_minutes", "hall_rows", "hall_cols",
)


def _clean(text):
    return " ".join((text or "").split())


def check_fair(values, fair=None, today=None):
    """Raise FairInvalid listing every rule ``values`` breaks.

    ``values`` holds the fair's fields; the three instants (booking window and
    cancellation deadline) are local times, as the organizer typed them.
    """
    today = today or local_today()
    errors = {}

    def fail(field, message):
        errors.setdefault(field, message)

    for field, message in (
        ("name", _l("Enter the fair's name.")),
        ("city", _l("Enter the city.")),
        ("venue", _l("Enter the venue.")),
    ):
        if not _clean(values.get(field)):
            fail(field, message)
    if values.get("region") not in REGIONS:
        fail("region", _l("Choose the region."))

    day, opens, closes = values.get("day"), values.get("opens_at"), values.get("closes_at")
    if day is None:
        fail("day", _l("Enter the date of the fair."))
    elif day < today and (fair is None or day != fair.day):
        fail("day", _l("This date is in the past. Choose today or a later date."))
    if opens is None:
        fail("opens_at", _l("Enter the opening time."))
    if closes is None:
        fail("closes_at", _l("Enter the closing time."))
    elif opens is not None and closes <= opens:
        fail("closes_at", _l("The fair must close after it opens."))

    booking_opens = values.get("booking_opens_at")
    booking_closes = values.get("booking_closes_at")
    deadline = values.get("cancellation_deadline")
    if booking_opens is None:
        fail("booking_opens_at", _l("Enter when booking opens."))
    if booking_closes is None:
        fail("booking_closes_at", _l("Enter when booking closes."))
    if deadline is None:
        fail("cancellation_deadline", _l("Enter the cancellation deadline."))
    if day is not None and opens is not None and closes is not None:
        # Compared in local time, as typed and as the fair's hours are.
        starts, ends = datetime.combine(day, opens), datetime.combine(day, closes)
        if booking_opens is not None and booking_opens >= ends:
            fail("booking_opens_at", _l("Booking must open before the fair closes."))
        elif booking_opens is not None and booking_opens >= starts:
            fail("booking_opens_at", _l("Booking must open before the fair starts."))
        if booking_closes is not None and booking_closes > starts:
            fail("booking_closes_at", _l("Booking must close at the latest when the fair starts."))
        if deadline is not None and deadline > starts:
            fail(
                "cancellation_deadline",
                _l("The cancellation deadline must be at the latest when the fair starts."),
            )
    if booking_opens is not None and booking_closes is not None and booking_closes <= booking_opens:
        fail("booking_closes_at", _l("Booking must close after it opens."))

    max_bookings = values.get("max_bookings_per_candidate")
    if max_bookings is None or max_bookings < 1:
        fail("max_bookings_per_candidate", _l("Allow at least 1 booking per candidate."))
    gap = values.get("min_gap_minutes")
    if gap is None or gap < 0:
        fail("min_gap_minutes", _l("The gap cannot be negative; enter 0 for no gap."))

    for field, largest in (("hall_rows", booth_services.MAX_HALL_ROWS),
                           ("hall_cols", booth_services.MAX_HALL_COLS)):
        size = values.get(field) or 0
        if size < 0 or size > largest:
            fail(field, _l("Enter a number from 0 to %(max)d.", max=largest))
    if fair is not None and not errors:
        _check_against_existing(fair, values, fail)
    if errors:
        raise FairInvalid(errors)


def _check_against_existing(fair, values, fail):
    """A changed fair must still hold its slots, and a plan once it has booths.

    Shrinking a plan that has booths is the booths part's rule (set_hall_size,
    applied when saving): empty booths left outside go, placed ones refuse.
    """
    has_booths = db.session.scalar(select(Booth.id).where(Booth.fair_id == fair.id).limit(1))
    if has_booths is not None:
        for field in ("hall_rows", "hall_cols"):
            if not values.get(field):
                fail(field, _l("This fair has booths: its floor plan needs at least 1 row and 1 column."))
    starts = local_to_utc(values["day"], values["opens_at"])
    ends = local_to_utc(values["day"], values["closes_at"])
    outside = db.session.scalar(
        select(func.count(Slot.id))
        .join(InterviewTable, Slot.table_id == InterviewTable.id)
        .join(Participation, InterviewTable.participation_id == Participation.id)
        .where(Participation.fair_id == fair.id, (Slot.starts_at < starts) | (Slot.ends_at > ends))
    )
    if outside:
        fail(
            "closes_at" if values["day"] == fair.day else "day",
            _l("%(num)d interview slot(s) would lie outside the fair's day and hours. Move or delete them first.", num=outside),
        )


def unique_slug(name, fair=None):
    """The name's slug, with -2, -3 … when another fair already has it."""
    base = (slugify(name) or "fair")[:190]
    taken = set(
        db.session.scalars(
            select(Fair.slug).where(
                (Fair.slug == base) | Fair.slug.like(base + "-%"),
                Fair.id != (fair.id if fair is not None else -1),
            )
        )
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def save_fair(fair, values, cohorts, today=None, actor=None):
    """Create (``fair`` None) or update a fair from local values; instants are stored in UTC.

    The slug follows the name while the fair is a draft; once it has a public
    page its address no longer changes. The audit log gets what changed (old → new).
    """
    check_fair(values, fair=fair, today=today)
    creating = fair is None
    before = {} if creating else _audited_values(fair)
    if creating:
        fair = Fair(status="draft")
        db.session.add(fair)
    for field in ("name", "city", "venue"):
        setattr(fair, field, _clean(values[field]))
    fair.description = (values.get("description") or "").strip() or None
    fair.region = values["region"]
    fair.day, fair.opens_at, fair.closes_at = values["day"], values["opens_at"], values["closes_at"]
    for field in ("booking_opens_at", "booking_closes_at", "cancellation_deadline"):
        local = values[field]
        setattr(fair, field, local_to_utc(local.date(), local.time()))
    fair.max_bookings_per_candidate = values["max_bookings_per_candidate"]
    fair.min_gap_minutes = values["min_gap_minutes"]
    rows, cols = values.get("hall_rows") or 0, values.get("hall_cols") or 0
    if not creating and rows and cols and (rows, cols) != (fair.hall_rows, fair.hall_cols):
        try:
            booth_services.set_hall_size(fair, rows, cols)
        except DomainError as error:
            field = {"cols": "hall_cols"}.get(error.field, "hall_rows")
            raise FairInvalid({field: error.message}) from None
    fair.hall_rows, fair.hall_cols = rows, cols
    fair.cohorts = list(cohorts)
    if creating or not lifecycle.is_public(fair):
        with db.session.no_autoflush:
            fair.slug = unique_slug(fair.name, fair if not creating else None)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Another fair took the same address between our check and our write.
        raise FairInvalid({"name": _l("Another fair was just saved with this name. Save again.")}) from None
    if creating:
        audit.record("fair.created", actor, fair, fair, name=fair.name, day=fair.day,
                     city=fair.city)
    else:
        changed = audit.changes(before, _audited_values(fair))
        if changed:
            audit.record("fair.updated", actor, fair, fair, changes=changed)
        if before.get("day") != fair.day:
            insertion_table.refresh_fair(fair.id)  # the 30/90/180-day tests count from it
        elif before.get("cohort_ids") != sorted(c.id for c in fair.cohorts):
            insertion_table.refresh_membership(fair_id=fair.id)  # who is invited counts
    if creating and fair.cohorts:
        insertion_table.refresh_membership(fair_id=fair.id)
    return fair


def _audited_values(fair):
    """What the fair form changes, as the form shows it (instants in local time)."""
    values = local_values(fair)
    values["cohort_ids"] = sorted(c.id for c in fair.cohorts)
    return values


def local_values(fair):
    """A fair's fields as the form shows them: instants back in local time."""
    values = {field: getattr(fair, field) for field in FAIR_FIELDS}
    for field in ("booking_opens_at", "booking_closes_at", "cancellation_deadline"):
        values[field] = utc_to_local(values[field])
    return values


# --- Lifecycle ---------------------------------------------------------------


def change_status(fair, new_status, actor=None):
    lifecycle.check_transition(fair, new_status)
    old_status, fair.status = fair.status, new_status
    audit.record("fair.state_changed", actor, fair, fair, old=old_status, new=new_status)
    return fair


# --- Staff -------------------------------------------------------------------


def add_staff(fair, email, invited_by):
    """Add an existing staff account to the fair, or invite the address (email queued).

    Returns ``("added", user)`` or ``("invited", invitation)``.
    """
    email = auth_services.normalise_email(email)
    if not email:
        raise DomainError(_l("Enter an email address."), field="email")
    user = auth_services.user_by_email(email)
    if user is not None:
        if user.role != "staff":
            raise DomainError(
                _l("This address belongs to an account that is not on-site staff."), field="email"
            )
        if user in fair.staff:
            raise DomainError(_l("This person is already staff of this fair."), field="email")
        fair.staff.append(user)
        db.session.flush()
        return "added", user
    pending = db.session.scalar(
        select(Invitation.id).where(
            func.lower(Invitation.email) == email,
            Invitation.fair_id == fair.id,
            Invitation.used_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    )
    if pending is not None:
        raise DomainError(_l("An invitation to this fair is already pending for this address."), field="email")
    invitation, _token = auth_services.create_invitation(email, "staff", invited_by=invited_by, fair=fair)
    db.session.flush()
    return "invited", invitation


def remove_staff(fair, user):
    if user not in fair.staff:
        raise DomainError(_l("This person is not staff of this fair."))
    fair.staff.remove(user)
    db.session.flush()


def pending_staff_invitations(fair):
    return db.session.scalars(
        select(Invitation)
        .where(
            Invitation.fair_id == fair.id,
            Invitation.role == "staff",
            Invitation.used_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.created_at.desc())
    ).all()
