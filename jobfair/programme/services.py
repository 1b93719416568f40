"""The training side: operators, tracks (filières) and cohorts (promotions). No Flask request here."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..text import slugify
from ..errors import DomainError
from ..extensions import db
from ..models import Candidate, Cohort, Track, TrainingOperator

# The tracks of the programme (DOMAIN.md), offered in one click on an empty database.
STANDARD_TRACKS = (
    "Java/JEE", ".NET", "Data & IA", "Cloud & DevOps",
    "Cybersécurité", "Mobile", "Front-end", "Test & QA",
)


def _clean(text):
    return " ".join((text or "").split())


def _flush_or_fail(message, field):
    """Flush in a savepoint: a unique constraint another request won becomes a DomainError."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(message, field=field) from None


# --- Training operators ------------------------------------------------------


def save_operator(operator, name, city=None):
    """Create (``operator`` None) or update an operator; names are unique, whatever the case."""
    name = _clean(name)
    if not name:
        raise DomainError(_l("Enter the operator's name."), field="name")
    taken = db.session.scalar(
        select(TrainingOperator.id).where(func.lower(TrainingOperator.name) == name.lower())
    )
    if taken is not None and (operator is None or taken != operator.id):
        raise DomainError(_l("An operator with this name already exists."), field="name")
    if operator is None:
        operator = TrainingOperator()
        db.session.add(operator)
    operator.name = name
    operator.city = _clean(city) or None
    _flush_or_fail(_l("An operator with this name already exists."), "name")
    return operator


# --- Tracks ------------------------------------------------------------------


def save_track(track, name):
    """Create (``track`` None) or rename a track; names and their slugs are unique."""
    name = _clean(name)
    slug = slugify(name)
    if not slug:
        raise DomainError(_l("Enter a name with at least one letter or digit."), field="name")
    taken = db.session.scalar(
        select(Track.id).where((func.lower(Track.name) == name.lower()) | (Track.slug == slug))
    )
    if taken is not None and (track is None or taken != track.id):
        raise DomainError(_l("This track already exists."), field="name")
    if track is None:
        track = Track()
        db.session.add(track)
    track.name, track.slug = name, slug
    _flush_or_fail(_l("This track already exists."), "name")
    return track


def missing_standard_tracks():
    existing = set(db.session.scalars(select(Track.slug)))
    return [name for name in STANDARD_TRACKS if slugify(name) not in existing]


def add_standard_tracks():
    """Add the standard tracks that are missing; returns how many were added."""
    missing = missing_standard_tracks()
    db.session.add_all(Track(name=name, slug=slugify(name)) for name in missing)
    _flush_or_fail(_l("These tracks were just added by someone else. Reload the page."), None)
    return len(missing)


# --- Cohorts -----------------------------------------------------------------


def save_cohort(cohort, operator, track, name, city, start_date, end_date):
    """Create (``cohort`` None) or update a cohort; one name per operator, end after start."""
    name, city = _clean(name), _clean(city)
    if operator is None:
        raise DomainError(_l("Choose the training operator."), field="operator_id")
    if track is None:
        raise DomainError(_l("Choose the track."), field="track_id")
    if not name:
        raise DomainError(_l("Enter the cohort's name."), field="name")
    if not city:
        raise DomainError(_l("Enter the city."), field="city")
    if start_date and end_date and end_date <= start_date:
        raise DomainError(_l("The cohort must end after it starts."), field="end_date")
    taken = db.session.scalar(
        select(Cohort.id).where(
            Cohort.operator_id == operator.id, func.lower(Cohort.name) == name.lower()
        )
    )
    if taken is not None and (cohort is None or taken != cohort.id):
        raise DomainError(
            _l("This operator already has a cohort with this name."), field="name"
        )
    if cohort is None:
        cohort = Cohort()
        db.session.add(cohort)
    cohort.operator, cohort.track = operator, track
    cohort.name, cohort.city = name, city
    cohort.start_date, cohort.end_date = start_date, end_date
    _flush_or_fail(_l("This operator already has a cohort with this name."), "name")
    return cohort


def programme_overview():
    """Operators, tracks and cohorts (with their candidate counts) in three queries."""
    operators = db.session.scalars(select(TrainingOperator).order_by(TrainingOperator.name)).all()
    tracks = db.session.scalars(select(Track).order_by(Track.name)).all()
    candidates = (
        select(Candidate.cohort_id, func.count().label("n"))
        .group_by(Candidate.cohort_id)
        .subquery()
    )
    cohorts = db.session.execute(
        select(Cohort, TrainingOperator, Track, func.coalesce(candidates.c.n, 0))
        .join(TrainingOperator, Cohort.operator_id == TrainingOperator.id)
        .join(Track, Cohort.track_id == Track.id)
        .outerjoin(candidates, candidates.c.cohort_id == Cohort.id)
        .order_by(Cohort.start_date.desc(), TrainingOperator.name, Cohort.name)
    ).all()
    return operators, tracks, cohorts
