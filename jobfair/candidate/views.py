"""The candidate's pages."""
from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.access import role_required
from ..extensions import db
from ..models import Candidate, Cohort, Fair, fair_cohorts

bp = Blueprint("candidate", __name__, url_prefix="/me")


def own_profile_or_404():
    candidate = db.session.scalar(
        select(Candidate)
        .where(Candidate.user_id == current_user.id)
        .options(joinedload(Candidate.cohort).joinedload(Cohort.track),
                 joinedload(Candidate.cohort).joinedload(Cohort.operator))
    )
    if candidate is None:
        abort(404)
    return candidate


def missing_profile_items(candidate):
    """What a candidate must still fill in before booking, in the order of the form."""
    checks = [
        (candidate.phone, _l("phone number")),
        (candidate.city, _l("city")),
        (candidate.cohort_id, _l("cohort")),
        (candidate.cv_filename, _l("CV (PDF)")),
    ]
    return [label for value, label in checks if not value]


@bp.route("/")
@role_required("candidate")
def home():
    candidate = own_profile_or_404()
    fairs = []
    if candidate.cohort_id:
        fairs = db.session.scalars(
            select(Fair)
            .join(fair_cohorts, fair_cohorts.c.fair_id == Fair.id)
            .where(fair_cohorts.c.cohort_id == candidate.cohort_id, Fair.status != "draft")
            .order_by(Fair.day)
        ).all()
    return render_template(
        "candidate/home.html",
        candidate=candidate,
        fairs=fairs,
        missing=missing_profile_items(candidate),
    )
