"""What a company sees of a candidate: the one rule for every company-side page and export.

A company sees a candidate's full name, e-mail, phone, LinkedIn, GitHub and CV only while the
candidate has a live consent for the fair (given, not withdrawn, and the fair's retention
period not over). Otherwise it sees what the fair's settings allow: the first name (default)
or the full name; the track and cohort always. Pages ask ``company_view(candidate, fair_id)``;
the consents of a fair are read once per request (one query, whatever the number of rows).
"""
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..fairs import lifecycle
from ..models import Consent, Fair, FairPrivacy, Participation, fair_cohorts
from ..timeutil import local_today

DEFAULT_RETENTION_MONTHS = 12
ERASED_NAME = _l("Anonymised candidate")


@dataclass(frozen=True)
class Settings:
    retention_months: int = DEFAULT_RETENTION_MONTHS
    shown_without_consent: str = "first_name"


@dataclass(frozen=True)
class CompanyView:
    """What one company page may show of one candidate."""

    name: str
    first_name: str
    last_name: str
    consented: bool
    email: str = ""
    phone: str = ""
    linkedin_url: str = ""
    github_url: str = ""
    has_cv: bool = False


def settings_for(fair_id):
    row = db.session.get(FairPrivacy, fair_id) if fair_id else None
    if row is None:
        return Settings()
    return Settings(row.retention_months, row.shown_without_consent)


def settings_for_many(fair_ids):
    """{fair_id: Settings} in one query (defaults for fairs without a row)."""
    rows = {row.fair_id: row for row in db.session.scalars(
        select(FairPrivacy).where(FairPrivacy.fair_id.in_(fair_ids)))} if fair_ids else {}
    return {fair_id: Settings(rows[fair_id].retention_months, rows[fair_id].shown_without_consent)
            if fair_id in rows else Settings() for fair_id in fair_ids}


def retention_deadline(fair_day, months):
    """The first day on which the fair's candidates' CVs and contact details are gone."""
    return fair_day + relativedelta(months=months)


def consent_is_live(fair_day, months, today=None):
    return (today or local_today()) < retention_deadline(fair_day, months)


def _consenting_ids(fair_id):
    """Ids of the candidates with a live consent for the fair (a set)."""
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        return frozenset()
    settings = _cached(("settings", fair_id), lambda: settings_for(fair_id))
    if not consent_is_live(fair.day, settings.retention_months):
        return frozenset()
    return frozenset(db.session.scalars(
        select(Consent.candidate_id).where(Consent.fair_id == fair_id,
                                           Consent.withdrawn_at.is_(None))))


def _cached(key, compute):
    if not has_request_context():
        return compute()
    cache = g.setdefault("privacy_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def has_live_consent(candidate_id, fair_id):
    return candidate_id in _cached(("consents", fair_id), lambda: _consenting_ids(fair_id))


def company_view(candidate, fair_id):
    """A ``CompanyView`` of ``candidate`` for a company page of fair ``fair_id``."""
    user = candidate.user
    if not (user.first_name or user.last_name):  # anonymised (erasure)
        return CompanyView(name=str(ERASED_NAME), first_name="", last_name="", consented=False)
    if has_live_consent(candidate.id, fair_id):
        return CompanyView(
            name=user.full_name, first_name=user.first_name, last_name=user.last_name,
            consented=True, email=user.email, phone=candidate.phone or "",
            linkedin_url=candidate.linkedin_url or "", github_url=candidate.github_url or "",
            has_cv=bool(candidate.cv_filename))
    settings = _cached(("settings", fair_id), lambda: settings_for(fair_id))
    if settings.shown_without_consent == "full_name":
        return CompanyView(name=user.full_name, first_name=user.first_name,
                           last_name=user.last_name, consented=False)
    return CompanyView(name=user.first_name, first_name=user.first_name, last_name="",
                       consented=False)


def company_cv_fair(user, candidate, today=None):
    """The fair through which company representative ``user`` may read the candidate's CV:
    approved at a public fair inviting the candidate's cohort, and consented for it; or None."""
    if user.role != "company_rep" or user.company_id is None or candidate.cohort_id is None:
        return None
    fairs = db.session.scalars(
        select(Fair)
        .join(Participation, Participation.fair_id == Fair.id)
        .join(fair_cohorts, fair_cohorts.c.fair_id == Fair.id)
        .join(Consent, (Consent.fair_id == Fair.id) & (Consent.candidate_id == candidate.id)
              & Consent.withdrawn_at.is_(None))
        .where(Participation.company_id == user.company_id,
               Participation.status == "approved",
               fair_cohorts.c.cohort_id == candidate.cohort_id)
        .order_by(Fair.day.desc())
    ).all()
    for fair in fairs:
        months = settings_for(fair.id).retention_months
        if lifecycle.is_public(fair) and consent_is_live(fair.day, months, today):
            return fair
    return None


def is_erased(user):
    return not (user.first_name or user.last_name) and user.email.endswith(ERASED_EMAIL_DOMAIN)


ERASED_EMAIL_DOMAIN = "@erased.invalid"


def init_app(app):
    app.add_template_global(company_view, "company_view")

