"""Everything the app holds about a candidate, as a ZIP: ``data.json`` and ``cv.pdf``.

The names inside the archive are fixed here (never a stored or uploaded name), so an old
upload's hostile name ("../../x", "C:\\x", "/etc/x") can neither escape the folder it is
unpacked into nor make this code read a file outside the CV folder.
"""
import io
import json
import os
import zipfile
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from werkzeug.security import safe_join

from ..extensions import db
from ..models import (
    AuditEvent,
    Badge,
    Booking,
    CheckIn,
    Consent,
    CvAccess,
    ErasureRequest,
    Fair,
    FollowUpAnswer,
    InterviewTable,
    Lead,
    Outcome,
    Participation,
    Slot,
)

FORMAT_VERSION = 1


def _when(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _profile(user, candidate):
    cohort = candidate.cohort
    return {
        "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
        "locale": user.locale, "created_at": _when(user.created_at),
        "last_login_at": _when(user.last_login_at),
        "phone": candidate.phone, "city": candidate.city,
        "linkedin_url": candidate.linkedin_url, "github_url": candidate.github_url,
        "skills": candidate.skills, "pitch": candidate.pitch,
        "cohort": cohort.name if cohort else None,
        "track": cohort.track.name if cohort and cohort.track else None,
        "training_operator": cohort.operator.name if cohort and cohort.operator else None,
        "cv_uploaded_at": _when(candidate.cv_uploaded_at),
    }


def _bookings(candidate):
    rows = db.session.execute(
        select(Booking, Slot, Fair.name, Participation)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(InterviewTable, InterviewTable.id == Slot.table_id)
        .join(Participation, Participation.id == Booking.participation_id)
        .join(Fair, Fair.id == Participation.fair_id)
        .options(joinedload(Participation.company))
        .where(Booking.candidate_id == candidate.id).order_by(Slot.starts_at))
    return [{"fair": fair, "company": part.company.name, "starts_at_utc": _when(slot.starts_at),
             "ends_at_utc": _when(slot.ends_at), "status": booking.status,
             "booked_at": _when(booking.created_at), "cancel_reason": booking.cancel_reason}
            for booking, slot, fair, part in rows]


def _company_rows(model, candidate, fields):
    rows = db.session.execute(
        select(model, Fair.name, Participation)
        .join(Participation, Participation.id == model.participation_id)
        .join(Fair, Fair.id == Participation.fair_id)
        .options(joinedload(Participation.company))
        .where(model.candidate_id == candidate.id).order_by(model.id))
    return [{"fair": fair, "company": part.company.name, **fields(row)}
            for row, fair, part in rows]


def _lead(lead):
    # That a company met the candidate, and when; its rating and notes are the company's own.
    return {"met_at": _when(lead.created_at)}


def _outcome(outcome):
    return {"status": outcome.status, "contract_type": outcome.contract_type,
            "start_date": _when(outcome.start_date), "updated_at": _when(outcome.updated_at)}


def _fair_names():
    return dict(db.session.execute(select(Fair.id, Fair.name)).all())


def _audit_events(user, candidate):
    needles = [f'"candidate_id": {candidate.id}{end}' for end in (",", "}")]
    needles += [f'"user_id": {user.id}{end}' for end in (",", "}")]
    events = db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor)).where(or_(
            AuditEvent.actor_id == user.id,
            (AuditEvent.object_type == "candidate") & (AuditEvent.object_id == candidate.id),
            *[AuditEvent.details.contains(needle) for needle in needles],
        )).order_by(AuditEvent.created_at, AuditEvent.id))
    return [{"at": _when(e.created_at), "action": e.action,
             "by": "you" if e.actor_id == user.id else (e.actor.role if e.actor else None),
             "details": json.loads(e.details) if e.details else None} for e in events]


def gather(user, cv_folder):
    """``(data, cv_bytes or None)`` for the candidate behind ``user``."""
    candidate = user.candidate
    fairs = _fair_names()
    data = {
        "format_version": FORMAT_VERSION,
        "profile": _profile(user, candidate),
        "bookings": _bookings(candidate),
        "check_ins": [{"fair": fairs.get(c.fair_id), "kind": c.kind,
                       "at": _when(c.checked_in_at), "undone": c.undone_at is not None}
                      for c in db.session.scalars(select(CheckIn).where(
                          CheckIn.user_id == user.id).order_by(CheckIn.id))],
        "badges": [{"fair": fairs.get(b.fair_id), "issued_at": _when(b.created_at),
                    "revoked_at": _when(b.revoked_at)}
                   for b in db.session.scalars(select(Badge).where(
                       Badge.user_id == user.id).order_by(Badge.id))],
        "leads": _company_rows(Lead, candidate, _lead),
        "outcomes": _company_rows(Outcome, candidate, _outcome),
        "follow_up_answers": [
            {"fair": fairs.get(a.fair_id), "answered_at": _when(a.answered_at),
             "source": a.source, "status": a.status, "contract_type": a.contract_type,
             "employer": a.employer_name, "in_field": a.in_field, "full_time": a.full_time,
             "start_date": _when(a.start_date)}
            for a in db.session.scalars(select(FollowUpAnswer).where(
                FollowUpAnswer.candidate_id == candidate.id).order_by(FollowUpAnswer.id))],
        "consents": [{"fair": fairs.get(c.fair_id), "text_version": c.text_version,
                      "language": c.locale, "given_at": _when(c.given_at),
                      "withdrawn_at": _when(c.withdrawn_at)}
                     for c in db.session.scalars(select(Consent).where(
                         Consent.candidate_id == candidate.id).order_by(Consent.id))],
        "cv_accesses": [{"company": a.company.name if a.company else None,
                         "fair": fairs.get(a.fair_id), "at": _when(a.accessed_at)}
                        for a in cv_accesses(candidate)],
        "erasure_requests": [{"status": r.status, "requested_at": _when(r.requested_at),
                              "decided_at": _when(r.decided_at)}
                             for r in db.session.scalars(select(ErasureRequest).where(
                                 ErasureRequest.candidate_id == candidate.id))],
        "audit_events": _audit_events(user, candidate),
    }
    return data, read_cv(cv_folder, candidate.cv_filename)


def cv_accesses(candidate):
    return db.session.scalars(
        select(CvAccess).options(joinedload(CvAccess.company))
        .where(CvAccess.candidate_id == candidate.id)
        .order_by(CvAccess.accessed_at.desc(), CvAccess.id.desc())).all()


def read_cv(folder, stored_name):
    """The CV's bytes; None for a name that would leave ``folder`` (as send_from_directory)."""
    path = safe_join(folder, stored_name) if stored_name else None
    if path is None or not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def to_zip(data, cv_bytes):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        if cv_bytes is not None:
            archive.writestr("cv.pdf", cv_bytes)
    return buffer.getvalue()
