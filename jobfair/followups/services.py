"""Candidate follow-ups after a fair: scheduling, signed links, answers, history, conflicts.

Return shapes used by other parts (the insertion dashboard, exports):

``latest_answers(fair_ids=None)`` → ``dict[(fair_id, candidate_id), FollowUpAnswer]``: for every
(fair, candidate) that has at least one answer, the answer that counts — the latest by
``answered_at`` (ties: the highest id). One query (a ``row_number()`` window, SQLite ≥ 3.25 and
PostgreSQL). ``latest_answers_query(fair_ids=None)`` is the same as a ``select(FollowUpAnswer)``
to join or filter further in SQL.

``conflicts(fair_id)`` → ``list[Conflict]`` (ordered by candidate name), each with
``candidate`` (Candidate, user loaded), ``kind`` (``"hired_not_employed"``: a company says hired,
the latest answer is seeking / not_seeking / no_answer; ``"employed_not_retained"``: the latest
answer says employed at company X, X's outcome is not_retained / candidate_declined),
``answer`` (the latest FollowUpAnswer) and ``outcome`` (the company's Outcome, participation and
company loaded). A conflict is settled once an organizer records an answer newer than the
company's outcome (``resolve_conflict``): that answer is then the latest, and counts.

Who is followed up: the candidates of the fair's INVITED COHORTS (the denominator of the
knowledge and in-field rates is everyone of the group, not only those who booked).
"""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from .. import mail
from ..errors import DomainError
from ..extensions import db
from ..fairs import lifecycle
from ..insertion import table as insertion_table
from ..models import (
    Candidate,
    Company,
    Fair,
    FollowUpAnswer,
    FollowUpRequest,
    Outcome,
    Participation,
    User,
    fair_cohorts,
    utcnow,
)
from ..models.outcomes import FOLLOW_UP_DAYS, HIRED_CONTRADICTED_BY, REFUSED_OUTCOMES
from ..timeutil import local_today

LINK_MAX_AGE_DAYS = 60
# A bucket is due from its day until the next bucket's day; the last one for 365 days after
# the fair. A run that missed days catches up; nobody gets three emails at once for an old fair.
DUE_UNTIL = {30: 90, 90: 180, 180: 365}
CANDIDATE_STATUSES = ("employed", "own_business", "education", "seeking", "not_seeking")
EMPLOYMENT_FIELDS = ("contract_type", "employer_company_id", "employer_name", "in_field",
                     "full_time", "start_date")


class LinkRefused(DomainError):
    """A follow-up link that cannot be used; ``candidate`` is known when it merely expired."""

    def __init__(self, message, candidate=None):
        super().__init__(message)
        self.candidate = candidate


# --- Scheduling -----------------------------------------------------------------------------


def due_bucket(fair_day, today):
    """The follow-up (30, 90 or 180) due for a fair held on ``fair_day``, or None."""
    elapsed = (today - fair_day).days
    for day in FOLLOW_UP_DAYS:
        if day <= elapsed < DUE_UNTIL[day]:
            return day
    return None


def _candidates_to_ask(fair, day):
    """Candidates of the fair's invited cohorts (enabled accounts) not yet asked for ``day``."""
    already = exists().where(FollowUpRequest.fair_id == fair.id,
                             FollowUpRequest.candidate_id == Candidate.id,
                             FollowUpRequest.day == day)
    return db.session.scalars(
        select(Candidate)
        .join(fair_cohorts, fair_cohorts.c.cohort_id == Candidate.cohort_id)
        .join(User, User.id == Candidate.user_id)
        .where(fair_cohorts.c.fair_id == fair.id, User.is_enabled.is_(True), ~already)
        .options(joinedload(Candidate.user))
        .order_by(Candidate.id)
    ).all()


def send_follow_ups(today=None, after_each=None):
    """Queue every due follow-up once: ``{30: n, 90: n, 180: n}`` sent by this run.

    The request row is inserted first, in a savepoint: the UNIQUE (fair, candidate, day) makes a
    second run, or a run at the same time, skip it (IntegrityError) and send nothing more.
    ``after_each``: called after each email is queued (the CLI commits there, so a long run holds
    no lock for long and what was sent stays sent if it stops half-way).
    """
    today = today or local_today()
    sent = dict.fromkeys(FOLLOW_UP_DAYS, 0)
    fairs = db.session.scalars(select(Fair).where(Fair.day <= today - timedelta(days=30))
                               .order_by(Fair.day, Fair.id)).all()
    for fair in fairs:
        day = due_bucket(fair.day, today)
        if day is None or not lifecycle.is_public(fair):
            continue
        for candidate in _candidates_to_ask(fair, day):
            request = FollowUpRequest(fair_id=fair.id, candidate_id=candidate.id, day=day)
            try:
                with db.session.begin_nested():
                    db.session.add(request)
            except IntegrityError:
                continue
            _queue_email(fair, candidate, request)
            sent[day] += 1
            if after_each is not None:
                after_each()
    return sent


def _queue_email(fair, candidate, request):
    mail.queue(
        candidate.user.email,
        "follow_up",
        locale=candidate.user.locale,
        user=candidate.user,
        fair=fair,
        day=request.day,
        max_age_days=link_max_age_days(),
        link=mail.absolute_url("followups.answer_link", token=link_token(request)),
    )


# --- Signed links -----------------------------------------------------------------------------


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="follow-up")


def link_max_age_days():
    return current_app.config.get("FOLLOW_UP_LINK_MAX_AGE_DAYS", LINK_MAX_AGE_DAYS)


def link_token(request):
    return _serializer().dumps({"r": request.id, "c": request.candidate_id})


def _request_from(data):
    if not isinstance(data, dict):
        return None
    request = db.session.get(FollowUpRequest, data.get("r")) if isinstance(data.get("r"), int) else None
    if request is None or request.candidate_id != data.get("c"):
        return None
    return request


def request_for_token(token):
    """The FollowUpRequest a link stands for; LinkRefused when tampered with or expired."""
    serializer = _serializer()
    try:
        data = serializer.loads(token, max_age=link_max_age_days() * 86400)
    except SignatureExpired as error:
        # The signature is genuine: the candidate is known, so the page speaks their language.
        request = None
        try:
            request = _request_from(serializer.load_payload(error.payload))
        except BadSignature:
            pass
        raise LinkRefused(
            _l("This link has expired. Log in to jobfair to tell us about your situation."),
            candidate=db.session.get(Candidate, request.candidate_id) if request else None,
        ) from None
    except BadSignature:
        raise LinkRefused(_l("This link is not valid. Check that you copied it completely.")) from None
    request = _request_from(data)
    if request is None:
        raise LinkRefused(_l("This link is not valid. Check that you copied it completely."))
    return request


# --- Answers ----------------------------------------------------------------------------------


def situation_open(fair, today=None):
    """A candidate may report their situation once a public fair's day has come."""
    return lifecycle.is_public(fair) and fair.day <= (today or local_today())


def fair_companies(fair_id):
    """The companies approved at the fair, by name: the employer choices."""
    return db.session.scalars(
        select(Company).join(Participation, Participation.company_id == Company.id)
        .where(Participation.fair_id == fair_id, Participation.status == "approved")
        .order_by(Company.name)
    ).all()


def record_answer(fair, candidate, source, status, request=None, **employment):
    """Keep a new answer (the history is never overwritten); it becomes the latest."""
    allowed = CANDIDATE_STATUSES + (("no_answer",) if source != "candidate" else ())
    if status not in allowed:
        raise DomainError(_l("Choose your situation."), field="status")
    values = dict.fromkeys(EMPLOYMENT_FIELDS)
    if status == "employed":
        values.update({k: employment.get(k) for k in EMPLOYMENT_FIELDS})
        company_id = values["employer_company_id"] or None
        if company_id is not None:
            # Organizers settle conflicts with the company's own outcome: trusted as it is.
            if source == "candidate" and company_id not in {c.id for c in fair_companies(fair.id)}:
                raise DomainError(_l("Choose an employer from the list or type its name."),
                                  field="employer_company_id")
            values["employer_name"] = None
        else:
            values["employer_name"] = (values["employer_name"] or "").strip() or None
        values["employer_company_id"] = company_id
        if company_id is None and values["employer_name"] is None and source == "candidate":
            raise DomainError(_l("Choose your employer from the list or type its name."),
                              field="employer_name")
    answer = FollowUpAnswer(
        fair_id=fair.id, candidate_id=candidate.id, request_id=request.id if request else None,
        source=source, status=status, answered_at=utcnow(), **values,
    )
    db.session.add(answer)
    db.session.flush()
    insertion_table.refresh(fair.id, candidate.id)
    return answer


def history(fair_id, candidate_id):
    """Every answer of a candidate for a fair, newest first."""
    return db.session.scalars(
        select(FollowUpAnswer)
        .where(FollowUpAnswer.fair_id == fair_id, FollowUpAnswer.candidate_id == candidate_id)
        .options(joinedload(FollowUpAnswer.employer_company))
        .order_by(FollowUpAnswer.answered_at.desc(), FollowUpAnswer.id.desc())
    ).all()


def latest_answers_query(fair_ids=None):
    """``select(FollowUpAnswer)`` of the latest answer per (fair, candidate)."""
    ranked = select(
        FollowUpAnswer.id.label("id"),
        func.row_number().over(
            partition_by=(FollowUpAnswer.fair_id, FollowUpAnswer.candidate_id),
            order_by=(FollowUpAnswer.answered_at.desc(), FollowUpAnswer.id.desc()),
        ).label("rank"),
    )
    if fair_ids is not None:
        ranked = ranked.where(FollowUpAnswer.fair_id.in_(list(fair_ids)))
    ranked = ranked.subquery()
    return (select(FollowUpAnswer)
            .join(ranked, and_(ranked.c.id == FollowUpAnswer.id, ranked.c.rank == 1)))


def latest_answers(fair_ids=None):
    """``{(fair_id, candidate_id): FollowUpAnswer}``: the answer that counts, per candidate."""
    if fair_ids is not None and not list(fair_ids):
        return {}
    return {(a.fair_id, a.candidate_id): a
            for a in db.session.scalars(latest_answers_query(fair_ids))}


# --- Conflicts ------------------------------------------------------------------------------


@dataclass
class Conflict:
    candidate: Candidate
    kind: str
    answer: FollowUpAnswer
    outcome: Outcome


CONFLICT_LABELS = {
    "hired_not_employed": _l("The company says hired; the candidate says they are not employed."),
    "employed_not_retained": _l("The candidate says employed there; the company did not hire them."),
}


def conflicts(fair_id):
    """Where the company's outcome and the candidate's latest answer disagree (see the top)."""
    latest = aliased(FollowUpAnswer, latest_answers_query([fair_id]).subquery())
    hired_vs_not = and_(
        Outcome.status == "hired",
        latest.status.in_(HIRED_CONTRADICTED_BY),
    )
    employed_vs_refused = and_(
        latest.status == "employed",
        latest.employer_company_id == Participation.company_id,
        Outcome.status.in_(REFUSED_OUTCOMES),
    )
    settled = and_(latest.source == "organizer", latest.answered_at >= Outcome.updated_at)
    rows = db.session.execute(
        select(Outcome, latest)
        .join(Participation, Participation.id == Outcome.participation_id)
        .join(latest, latest.candidate_id == Outcome.candidate_id)
        .join(Candidate, Candidate.id == Outcome.candidate_id)
        .join(User, User.id == Candidate.user_id)
        .where(Participation.fair_id == fair_id, or_(hired_vs_not, employed_vs_refused), ~settled)
        .options(joinedload(Outcome.participation).joinedload(Participation.company),
                 joinedload(Outcome.candidate).joinedload(Candidate.user))
        .order_by(User.last_name, User.first_name, Outcome.id)
    ).all()
    return [Conflict(candidate=outcome.candidate, answer=answer, outcome=outcome,
                     kind="hired_not_employed" if outcome.status == "hired"
                     else "employed_not_retained")
            for outcome, answer in rows]


def resolve_conflict(fair, candidate_id, outcome_id, decision):
    """The organizer decides who is right; an organizer answer is recorded and becomes the latest.

    ``decision``: "company" (the company's outcome stands) or "candidate" (the candidate's answer
    stands). Raises DomainError when this conflict no longer exists.
    """
    found = next((c for c in conflicts(fair.id)
                  if c.candidate.id == candidate_id and c.outcome.id == outcome_id), None)
    if found is None:
        raise DomainError(_l("This conflict was already settled."))
    if decision == "candidate":
        kept = {k: getattr(found.answer, k) for k in EMPLOYMENT_FIELDS}
        return record_answer(fair, found.candidate, "organizer", found.answer.status, **kept)
    if decision != "company":
        raise DomainError(_l("Choose who is right."), field="decision")
    if found.kind == "hired_not_employed":
        return record_answer(
            fair, found.candidate, "organizer", "employed",
            contract_type=found.outcome.contract_type,
            employer_company_id=found.outcome.participation.company_id,
            start_date=found.outcome.start_date,
        )
    return record_answer(fair, found.candidate, "organizer", "seeking")
