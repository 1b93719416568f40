"""The candidate's pages: home, profile and CV; and the CV download for those allowed.

Every /me view loads the profile through ``own_profile_or_404()`` (the current user's), so a
candidate only ever reads or changes their own. CV files live in <instance>/cvs under names
the server chose, never under static/.
"""
import os

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from ..actions import attempt
from ..auth.access import role_required
from ..booking.rules import first_come_open, round_pending
from ..text import slugify
from ..errors import DomainError
from ..extensions import db
from ..fairs import lifecycle
from ..followups.services import situation_open
from ..models import Candidate, Cohort, Fair, fair_cohorts, utcnow
from ..privacy import visibility
from ..privacy.services import log_cv_access
from . import services
from .forms import CvForm, ProfileForm
from .services import missing_profile_items

bp = Blueprint("candidate", __name__, url_prefix="/me")

bp.add_app_template_filter(services.format_phone, "phone_number")
bp.add_app_template_global(services.skill_list, "skill_list")


def own_profile_or_404():
    candidate = db.session.scalar(
        select(Candidate)
        .where(Candidate.user_id == current_user.id)
        .options(joinedload(Candidate.user),
                 joinedload(Candidate.cohort).joinedload(Cohort.track),
                 joinedload(Candidate.cohort).joinedload(Cohort.operator))
    )
    if candidate is None:
        abort(404)
    return candidate


def cv_folder():
    return os.path.join(current_app.instance_path, "cvs")


@bp.route("/")
@role_required("candidate")
def home():
    candidate = own_profile_or_404()
    fairs, past_fairs = [], []
    if candidate.cohort_id:
        invited = db.session.scalars(
            select(Fair)
            .join(fair_cohorts, fair_cohorts.c.fair_id == Fair.id)
            .where(fair_cohorts.c.cohort_id == candidate.cohort_id)
            .order_by(Fair.day)
            .options(selectinload(Fair.booking_round))  # "My wishes" where there is a round
        ).all()
        fairs = [fair for fair in invited if lifecycle.is_public(fair) and not lifecycle.is_over(fair)]
        past_fairs = [fair for fair in invited if situation_open(fair)]
    now = utcnow()
    return render_template(
        "candidate/home.html",
        candidate=candidate,
        fairs=[(fair, first_come_open(fair, now), fair.booking_opens_at > now)
               for fair in fairs],
        missing=missing_profile_items(candidate),
        past_fairs=past_fairs, round_pending=round_pending,
    )


# --- Profile and CV ---------------------------------------------------------------------------


def _profile_form(candidate, from_request=True):
    """The profile form: what was posted, or the stored profile (phone shown nicely)."""
    stored = {
        "first_name": candidate.user.first_name,
        "last_name": candidate.user.last_name,
        "phone": services.format_phone(candidate.phone),
        "city": candidate.city,
        "cohort_id": candidate.cohort_id or 0,
        "linkedin_url": candidate.linkedin_url,
        "github_url": candidate.github_url,
        "skills": candidate.skills,
        "pitch": candidate.pitch,
    }
    form = ProfileForm(data=stored) if from_request else ProfileForm(formdata=None, data=stored)
    if candidate.cohort_id:
        # Set by the organizers' import (or once by the candidate): shown, not editable.
        del form.cohort_id
    else:
        cohorts = db.session.scalars(
            select(Cohort).options(joinedload(Cohort.track), joinedload(Cohort.operator))
            .order_by(Cohort.start_date.desc(), Cohort.name)
        ).all()
        form.cohort_id.choices = [SelectChoice(0, _("Choose your cohort"))] + [
            SelectChoice(c.id, f"{c.name} · {c.track.name} · {c.operator.name}") for c in cohorts
        ]
    return form


def _render_profile(candidate, form, cv_form):
    return render_template(
        "candidate/profile.html",
        candidate=candidate,
        form=form,
        cv_form=cv_form,
        missing=missing_profile_items(candidate),
    )


@bp.route("/profile", methods=["GET", "POST"])
@role_required("candidate")
def profile():
    candidate = own_profile_or_404()
    form = _profile_form(candidate)
    if form.validate_on_submit():
        cohort = None
        if "cohort_id" in form and form.cohort_id.data:
            cohort = db.session.get(Cohort, form.cohort_id.data)
        with attempt(form) as done:
            services.update_profile(
                candidate,
                first_name=form.first_name.data, last_name=form.last_name.data,
                phone=form.phone.data, city=form.city.data,
                linkedin_url=form.linkedin_url.data, github_url=form.github_url.data,
                skills=form.skills.data, pitch=form.pitch.data, cohort=cohort,
            )
        if done.ok:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("candidate.profile"), code=303)
    return _render_profile(candidate, form, CvForm(formdata=None))


@bp.route("/cv", methods=["POST"])
@role_required("candidate")
def upload_cv():
    candidate = own_profile_or_404()
    cv_form = CvForm()
    upload = cv_form.cv.data if cv_form.validate_on_submit() else None
    if upload is None:
        cv_form.cv.errors = list(cv_form.cv.errors) + [_("Choose your CV (a PDF file) first.")]
    else:
        # One byte more than allowed is enough to know the file is too large.
        data = upload.stream.read(services.MAX_CV_BYTES + 1)
        folder = cv_folder()
        try:
            previous = services.store_cv(candidate, data, folder)
        except DomainError as error:
            db.session.rollback()
            cv_form.cv.errors = list(cv_form.cv.errors) + [error.message]
        else:
            try:
                db.session.commit()
            except Exception:
                services.delete_cv_file(folder, candidate.cv_filename)
                raise
            services.delete_cv_file(folder, previous)
            flash(_("Your CV is saved."), "success")
            return redirect(url_for("candidate.profile", _anchor="cv"), code=303)
    return _render_profile(candidate, _profile_form(candidate, from_request=False), cv_form)


@bp.route("/cv/remove", methods=["POST"])
@role_required("candidate")
def remove_cv():
    candidate = own_profile_or_404()
    previous = services.detach_cv(candidate)
    db.session.commit()
    services.delete_cv_file(cv_folder(), previous)
    if previous:
        flash(_("Your CV is removed. Upload a new one before booking an interview."), "success")
    else:
        flash(_("You have no CV to remove."), "info")
    return redirect(url_for("candidate.profile", _anchor="cv"), code=303)


# --- A candidate's CV, for the people who need it ---------------------------------


def may_read_cv(user, candidate):
    """The candidate, organizers, and companies approved at a public fair inviting the
    candidate's cohort for which the candidate consented (jobfair/privacy/visibility.py).

    A draft fair is still the organizers' work in progress: its companies see no CV yet.
    """
    if user.role == "organizer" or candidate.user_id == user.id:
        return True
    return visibility.company_cv_fair(user, candidate) is not None


@role_required("organizer", "company_rep", "staff", "candidate")
def cv(candidate_id):
    """The stored PDF as a download; 404 for anyone else (no hint that it exists)."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or not candidate.cv_filename or not may_read_cv(current_user, candidate):
        abort(404)
    if current_user.role == "company_rep":  # the candidate and organizers see who read it
        log_cv_access(current_user, candidate, visibility.company_cv_fair(current_user, candidate))
    response = send_from_directory(
        cv_folder(), candidate.cv_filename,
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
