"""The rules of personal data: consent, a fair's settings, erasure, the CV access log.

Plain functions, no request: each raises ``DomainError`` with a message the user can read.
Every change writes the audit log in its own transaction (``audit.record``).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..audit import services as audit
from ..candidate.services import detach_cv
from ..database import reset_write_intent, set_write_intent
from ..errors import DomainError
from ..fairs import lifecycle
from ..models import (
    Badge,
    Company,
    Consent,
    CvAccess,
    ErasureRequest,
    FairPrivacy,
    Invitation,
    Lead,
    OutboxMessage,
    utcnow,
)
from ..models.privacy import SHOWN_WITHOUT_CONSENT
from ..extensions import db
from . import visibility

# The consent text shown to the candidate (privacy/consent.html): change the wording, change
# the version, so each consent says which text was agreed to.
CONSENT_TEXT_VERSION = "2026-12-v1"
MIN_RETENTION_MONTHS, MAX_RETENTION_MONTHS = 1, 120


# --- Consent ------------------------------------------------------------------------------------


def may_consent_for(candidate, fair):
    """A candidate consents for a public fair that invites their cohort."""
    return (candidate.cohort_id is not None and lifecycle.is_public(fair)
            and any(cohort.id == candidate.cohort_id for cohort in fair.cohorts))


def live_consent(candidate, fair):
    return db.session.scalar(select(Consent).where(
        Consent.candidate_id == candidate.id, Consent.fair_id == fair.id,
        Consent.withdrawn_at.is_(None)))


def give_consent(candidate, fair, actor, locale):
    """Record the candidate's consent for ``fair`` (a second click keeps the first)."""
    if actor is None or actor.id != candidate.user_id:
        # Nobody records a consent for someone else: not a company, not an organizer.
        raise DomainError(_l("Only the candidate can give their consent."))
    if not may_consent_for(candidate, fair):
        raise DomainError(_l("This fair does not invite your cohort."))
    settings = visibility.settings_for(fair.id)
    if not visibility.consent_is_live(fair.day, settings.retention_months):
        raise DomainError(_l("This fair's retention period is over: there is nothing to share."))
    existing = live_consent(candidate, fair)
    if existing is not None:
        return existing
    consent = Consent(candidate_id=candidate.id, fair_id=fair.id,
                      text_version=CONSENT_TEXT_VERSION, locale=(locale or "fr")[:5])
    try:
        with db.session.begin_nested():
            db.session.add(consent)
    except IntegrityError:  # the same consent given at the same instant in another tab
        return live_consent(candidate, fair)
    audit.record("privacy.consent_given", actor, fair, obj=consent,
                 candidate_id=candidate.id, version=CONSENT_TEXT_VERSION, locale=consent.locale)
    return consent


def companies_that_downloaded(candidate, fair_id=None):
    """Names of the companies that read the candidate's CV (through ``fair_id``, if given)."""
    query = (select(Company.name).join(CvAccess, CvAccess.company_id == Company.id)
             .where(CvAccess.candidate_id == candidate.id).distinct().order_by(Company.name))
    if fair_id is not None:
        query = query.where(CvAccess.fair_id == fair_id)
    return list(db.session.scalars(query))


def withdraw_consent(candidate, fair, actor):
    """Withdraw the live consent: companies stop seeing the CV and contact details at once.

    The audit event names the companies that already downloaded the CV (their copies).
    """
    if actor is None or actor.id != candidate.user_id:
        raise DomainError(_l("Only the candidate can withdraw their consent."))
    result = db.session.execute(
        update(Consent)
        .where(Consent.candidate_id == candidate.id, Consent.fair_id == fair.id,
               Consent.withdrawn_at.is_(None))
        .values(withdrawn_at=utcnow()))
    if result.rowcount == 0:
        return False
    audit.record("privacy.consent_withdrawn", actor, fair, object_type="candidate",
                 object_id=candidate.id, candidate_id=candidate.id,
                 downloaded_by=companies_that_downloaded(candidate, fair.id))
    return True


# --- A fair's settings ---------------------------------------------------------------------------


def update_settings(fair, retention_months, shown_without_consent, actor):
    if retention_months is None or not (
            MIN_RETENTION_MONTHS <= retention_months <= MAX_RETENTION_MONTHS):
        raise DomainError(_l("Keep the data between %(min)d and %(max)d months after the fair.",
                             min=MIN_RETENTION_MONTHS, max=MAX_RETENTION_MONTHS),
                          field="retention_months")
    if shown_without_consent not in SHOWN_WITHOUT_CONSENT:
        raise DomainError(_l("Choose what companies see without consent."),
                          field="shown_without_consent")
    row = db.session.get(FairPrivacy, fair.id)
    before = visibility.settings_for(fair.id)
    if row is None:
        row = FairPrivacy(fair_id=fair.id)
        db.session.add(row)
    row.retention_months, row.shown_without_consent = retention_months, shown_without_consent
    row.updated_by_id = actor.id
    changes = audit.changes(
        {"retention_months": before.retention_months,
         "shown_without_consent": before.shown_without_consent},
        {"retention_months": retention_months, "shown_without_consent": shown_without_consent})
    if changes:
        audit.record("privacy.settings_changed", actor, fair, changes=changes)
    return row


# --- Erasure --------------------------------------------------------------------------------------


def open_erasure(candidate):
    return db.session.scalar(select(ErasureRequest).where(
        ErasureRequest.candidate_id == candidate.id, ErasureRequest.status == "requested"))


def request_erasure(user):
    """The candidate asks for erasure; an organizer confirms it."""
    if user.role != "candidate" or user.candidate is None:
        raise DomainError(_l("Only a candidate's account can be erased here."))
    if visibility.is_erased(user):
        raise DomainError(_l("This account is already erased."))
    if open_erasure(user.candidate) is not None:
        raise DomainError(_l("You already asked for erasure: an organizer will confirm it."))
    request = ErasureRequest(candidate_id=user.candidate.id)
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:
        raise DomainError(
            _l("You already asked for erasure: an organizer will confirm it.")) from None
    audit.record("privacy.erasure_requested", user, obj=request, candidate_id=user.candidate.id)
    return request


def confirm_erasure(request, organizer):
    """The organizer confirms: the person is anonymised. Returns the CV file to delete once
    committed (or None). A second confirmation is refused (the first one did it)."""
    if organizer.role != "organizer":
        raise DomainError(_l("Only an organizer confirms an erasure."))
    claimed = db.session.execute(
        update(ErasureRequest)
        .where(ErasureRequest.id == request.id, ErasureRequest.status == "requested")
        .values(status="done", decided_at=utcnow(), decided_by_id=organizer.id))
    if claimed.rowcount == 0:
        raise DomainError(_l("This request is already settled."))
    db.session.refresh(request)
    return erase_account(request.candidate.user, organizer, request=request)


def erase_account(user, organizer, request=None):
    """Anonymise a candidate: identity, contact details and CV go; the rows stay (bookings,
    check-ins, outcomes, follow-up answers) so every figure keeps its count."""
    if user.role != "candidate" or user.candidate is None:
        raise DomainError(_l("Only a candidate's account can be erased; an organizer's or a "
                             "company's account is closed by an organizer instead."))
    if visibility.is_erased(user):
        raise DomainError(_l("This account is already erased."))
    candidate, old_email = user.candidate, user.email
    user.email = f"erased-{user.id}{visibility.ERASED_EMAIL_DOMAIN}"
    user.first_name, user.last_name = "", ""
    user.password_hash, user.locale, user.is_enabled = None, None, False
    user.end_sessions()
    for name in ("phone", "city", "linkedin_url", "github_url", "skills", "pitch"):
        setattr(candidate, name, None)
    cv_file = detach_cv(candidate)
    now = utcnow()
    db.session.execute(update(Consent).where(Consent.candidate_id == candidate.id,
                                             Consent.withdrawn_at.is_(None))
                       .values(withdrawn_at=now))
    # The companies' notes describe the person; the lead itself (a meeting) is a figure.
    db.session.execute(update(Lead).where(Lead.candidate_id == candidate.id).values(notes=None))
    db.session.execute(update(Badge).where(Badge.user_id == user.id, Badge.revoked_at.is_(None))
                       .values(revoked_at=now))
    db.session.execute(update(Invitation).where(
        (Invitation.user_id == user.id) | (Invitation.email == old_email)).values(email=user.email))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == old_email))
    audit.record("privacy.erased", organizer, object_type="candidate", object_id=candidate.id,
                 candidate_id=candidate.id, request_id=request.id if request else None)
    return cv_file


# --- The CV access log ---------------------------------------------------------------------------


def log_cv_access(user, candidate, fair):
    """Record that a company's representative read the CV, committed at once.

    The download is a GET (a read-only SQLite transaction): the row gets a write transaction
    of its own, as ``audit.record_download`` does.
    """
    db.session.commit()
    token = set_write_intent(True)
    try:
        db.session.add(CvAccess(candidate_id=candidate.id, user_id=user.id,
                                company_id=user.company_id, fair_id=fair.id if fair else None))
        db.session.commit()
    finally:
        reset_write_intent(token)
