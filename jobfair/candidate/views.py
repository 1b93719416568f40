"""The candidate's pages."""
import os

from flask import Blueprint, abort, current_app, render_template, send_from_directory
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.access import role_required
from ..demo import slugify
from ..extensions import db
from ..models import Candidate, Cohort, Fair, Participation, fair_cohorts
from .services import missing_profile_items

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


# --- A candidate's CV, for the people who need it ---------------------------------


def may_read_cv(user, candidate):
    """The candidate, organizers, and companies approved at a fair that invited the candidate's cohort."""
    if user.role == "organizer" or candidate.user_id == user.id:
        return True
    if user.role != "company_rep" or user.company_id is None or candidate.cohort_id is None:
        return False
    return db.session.scalar(
        select(Participation.id)
        .join(fair_cohorts, fair_cohorts.c.fair_id == Participation.fair_id)
        .where(Participation.company_id == user.company_id,
               Participation.status == "approved",
               fair_cohorts.c.cohort_id == candidate.cohort_id)
        .limit(1)
    ) is not None


@role_required("organizer", "company_rep", "staff", "candidate")
def cv(candidate_id):
    """The stored PDF as a download; 404 for anyone else (no hint that it exists)."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or not candidate.cv_filename or not may_read_cv(current_user, candidate):
        abort(404)
    response = send_from_directory(
        os.path.join(current_app.instance_path, "cvs"), candidate.cv_filename,
        as_attachment=True, mimetype="application/pdf",
        download_name=f"cv-{slugify(candidate.user.full_name) or candidate.id}.pdf",
        max_age=0,
    )
    # Personal data: never kept by a shared cache or the browser's history.
    response.headers["Cache-Control"] = "private, no-store"
    return response


# The URL sits outside this blueprint's /me prefix (it names another person's CV);
# the endpoint stays "candidate.cv".
bp.record_once(lambda state: state.app.add_url_rule(
    "/candidates/<int:candidate_id>/cv", endpoint="candidate.cv", view_func=cv))
