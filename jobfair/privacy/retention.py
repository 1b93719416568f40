"""Retention: a candidate's CV and contact details go once every fair that invited them is past
its retention period (``months`` after the fair, set per fair; 12 by default).

A month before that day the candidate gets one warning email (``RetentionWarning`` makes it
once per date). Run daily by ``flask jobfair retention``; each deletion and warning is in the
audit log. The account, bookings, outcomes and follow-up answers stay (the figures need them).
"""
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from .. import mail
from ..audit import services as audit
from ..candidate.services import detach_cv
from ..extensions import db
from ..models import Candidate, Fair, FairPrivacy, RetentionWarning, fair_cohorts
from .visibility import DEFAULT_RETENTION_MONTHS, retention_deadline

WARNING_AHEAD = relativedelta(months=1)
CONTACT_FIELDS = ("phone", "linkedin_url", "github_url")


@dataclass
class Result:
    warned: int = 0
    deleted: int = 0
    cv_files: list = field(default_factory=list)  # to delete once committed


def deadlines_by_cohort():
    """{cohort_id: the last deletion day among the fairs inviting that cohort}."""
    rows = db.session.execute(
        select(fair_cohorts.c.cohort_id, Fair.day, FairPrivacy.retention_months)
        .join(Fair, Fair.id == fair_cohorts.c.fair_id)
        .outerjoin(FairPrivacy, FairPrivacy.fair_id == Fair.id))
    deadlines = {}
    for cohort_id, day, months in rows:
        due = retention_deadline(day, months or DEFAULT_RETENTION_MONTHS)
        deadlines[cohort_id] = max(deadlines.get(cohort_id, due), due)
    return deadlines


def _holding_data(cohort_ids):
    return db.session.scalars(
        select(Candidate).options(joinedload(Candidate.user))
        .where(Candidate.cohort_id.in_(cohort_ids),
               or_(Candidate.cv_filename.is_not(None),
                   *[getattr(Candidate, name).is_not(None) for name in CONTACT_FIELDS]))
        .order_by(Candidate.id)).all()


def _delete(candidate, due_on, result):
    for name in CONTACT_FIELDS:
        setattr(candidate, name, None)
    cv_file = detach_cv(candidate)
    if cv_file:
        result.cv_files.append(cv_file)
    audit.record("privacy.retention_deleted", None, object_type="candidate",
                 object_id=candidate.id, candidate_id=candidate.id, due_on=due_on)
    result.deleted += 1


def _warn(candidate, due_on, result):
    already = db.session.scalar(select(RetentionWarning.id).where(
        RetentionWarning.candidate_id == candidate.id, RetentionWarning.due_on == due_on))
    if already is not None:
        return
    db.session.add(RetentionWarning(candidate_id=candidate.id, due_on=due_on))
    user = candidate.user
    mail.queue(user.email, "retention_warning", locale=user.locale, user=user, due_on=due_on,
               link=mail.absolute_url("privacy.my_data"))
    audit.record("privacy.retention_warned", None, object_type="candidate",
                 object_id=candidate.id, candidate_id=candidate.id, due_on=due_on)
    result.warned += 1


def run(today):
    """Warn and delete what is due on ``today`` (a local date); the caller commits, then
    deletes ``result.cv_files``."""
    result = Result()
    deadlines = deadlines_by_cohort()
    soon = [cohort for cohort, due in deadlines.items() if today >= due - WARNING_AHEAD]
    if not soon:
        return result
    for candidate in _holding_data(soon):
        due_on = deadlines[candidate.cohort_id]
        if today >= due_on:
            _delete(candidate, due_on, result)
        else:
            _warn(candidate, due_on, result)
    return result
