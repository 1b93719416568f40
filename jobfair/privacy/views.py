"""Personal-data pages: the candidate's "My data" and consents; the organizers' erasure queue,
CV access log and each fair's settings.

Candidates reach only their own data (``own_profile_or_404``) and fairs that invite their
cohort (``invited_fair_or_404``); organizers reach the rest. Every change is a POST → 303.
"""
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..audit import services as audit
from ..auth.access import role_required
from ..candidate.services import delete_cv_file
from ..candidate.views import cv_folder, own_profile_or_404
from ..errors import DomainError
from ..extensions import db
from ..fairs import lifecycle
from ..models import Candidate, Consent, CvAccess, ErasureRequest, Fair, Participation
from ..models import fair_cohorts
from . import export, services, visibility
from .forms import ActionForm, ErasureForm, FairPrivacyForm

bp = Blueprint("privacy", __name__)


# --- The candidate ------------------------------------------------------------------------------


def _invited_fairs(candidate):
    if candidate.cohort_id is None:
        return []
    fairs = db.session.scalars(
        select(Fair).join(fair_cohorts, fair_cohorts.c.fair_id == Fair.id)
        .where(fair_cohorts.c.cohort_id == candidate.cohort_id).order_by(Fair.day.desc())).all()
    return [fair for fair in fairs if lifecycle.is_public(fair)]


def invited_fair_or_404(candidate, fair_id):
    fair = db.session.get(Fair, fair_id)
    if fair is None or not services.may_consent_for(candidate, fair):
        abort(404)
    return fair


def _fair_rows(candidate):
    """(fair, live consent or None, retention deadline) of each fair inviting the candidate."""
    fairs = _invited_fairs(candidate)
    consents = {c.fair_id: c for c in db.session.scalars(select(Consent).where(
        Consent.candidate_id == candidate.id, Consent.withdrawn_at.is_(None)))}
    settings = visibility.settings_for_many([fair.id for fair in fairs])
    return [(fair, consents.get(fair.id),
             visibility.retention_deadline(fair.day, settings[fair.id].retention_months))
            for fair in fairs]


@bp.route("/me/data", methods=["GET"])
@role_required("candidate")
def my_data():
    candidate = own_profile_or_404()
    return _my_data_page(candidate, ErasureForm(formdata=None))


def _my_data_page(candidate, erasure_form, status=200):
    return render_template(
        "privacy/my_data.html", candidate=candidate, fairs=_fair_rows(candidate),
        accesses=export.cv_accesses(candidate), erasure=services.open_erasure(candidate),
        erasure_form=erasure_form, action_form=ActionForm(formdata=None),
    ), status


@bp.route("/me/data/export.zip", methods=["GET"])
@role_required("candidate")
def export_zip():
    candidate = own_profile_or_404()
    data, cv_bytes = export.gather(candidate.user, cv_folder())
    body = export.to_zip(data, cv_bytes)
    audit.record_download(current_user, "my-data", "zip", obj=candidate)
    response = Response(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="my-data-jobfair.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/me/fairs/<int:fair_id>/consent", methods=["GET"])
@role_required("candidate")
def consent(fair_id):
    candidate = own_profile_or_404()
    fair = invited_fair_or_404(candidate, fair_id)
    settings = visibility.settings_for(fair.id)
    companies = db.session.scalars(
        select(Participation).options(joinedload(Participation.company))
        .where(Participation.fair_id == fair.id, Participation.status == "approved")).all()
    return render_template(
        "privacy/consent.html", fair=fair, settings=settings,
        companies=sorted(p.company.name for p in companies),
        consent=services.live_consent(candidate, fair),
        until=visibility.retention_deadline(fair.day, settings.retention_months),
        downloaded_by=services.companies_that_downloaded(candidate, fair.id),
        version=services.CONSENT_TEXT_VERSION, form=ActionForm(formdata=None))


def _act(action, fair_id, success):
    candidate = own_profile_or_404()
    fair = invited_fair_or_404(candidate, fair_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        changed = action(candidate, fair)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        if changed:
            flash(success, "success")
    return redirect(url_for("privacy.consent", fair_id=fair.id), code=303)


@bp.route("/me/fairs/<int:fair_id>/consent", methods=["POST"])
@role_required("candidate")
def give_consent(fair_id):
    return _act(lambda candidate, fair: services.give_consent(
        candidate, fair, current_user, str(get_locale() or "fr")), fair_id,
        _("Your consent is recorded: the fair's companies can see your CV and contact details."))


@bp.route("/me/fairs/<int:fair_id>/consent/withdraw", methods=["POST"])
@role_required("candidate")
def withdraw_consent(fair_id):
    return _act(lambda candidate, fair: services.withdraw_consent(candidate, fair, current_user),
                fair_id,
                _("Your consent is withdrawn: companies no longer see your CV and contact details."))


@bp.route("/me/data/erasure", methods=["POST"])
@role_required("candidate")
def request_erasure():
    candidate = own_profile_or_404()
    form = ErasureForm()
    if not form.validate_on_submit():
        return _my_data_page(candidate, form, status=422)
    try:
        services.request_erasure(current_user)
    except DomainError as error:  # asked already: the page says so, nothing to correct
        db.session.rollback()
        flash(error.message, "info")
    else:
        db.session.commit()
        flash(_("Your request is sent: an organizer will confirm the erasure."), "success")
    return redirect(url_for("privacy.my_data"), code=303)


# --- The organizers ----------------------------------------------------------------------------

ACCESS_LOG_ROWS = 100


def _access_log(fair_id=None):
    query = (select(CvAccess)
             .options(joinedload(CvAccess.company), joinedload(CvAccess.user),
                      joinedload(CvAccess.fair))
             .order_by(CvAccess.accessed_at.desc(), CvAccess.id.desc()).limit(ACCESS_LOG_ROWS))
    if fair_id is not None:
        query = query.where(CvAccess.fair_id == fair_id)
    accesses = db.session.scalars(query).all()
    ids = {a.candidate_id for a in accesses}
    people = {c.id: c.user for c in db.session.scalars(
        select(Candidate).where(Candidate.id.in_(ids)).options(joinedload(Candidate.user)))
    } if ids else {}
    return [(access, people.get(access.candidate_id)) for access in accesses]


@bp.route("/organizer/privacy", methods=["GET"])
@role_required("organizer")
def organizer_requests():
    requests = db.session.scalars(
        select(ErasureRequest)
        .options(joinedload(ErasureRequest.candidate).joinedload(Candidate.user))
        .where(ErasureRequest.status == "requested").order_by(ErasureRequest.requested_at)).all()
    fairs = db.session.scalars(select(Fair).order_by(Fair.day.desc())).all()
    return render_template("privacy/organizer.html", requests=requests, fairs=fairs,
                           accesses=_access_log(), form=ActionForm(formdata=None))


@bp.route("/organizer/privacy/erasures/<int:erasure_id>/confirm", methods=["POST"])
@role_required("organizer")
def confirm_erasure(erasure_id):
    request_ = db.session.get(ErasureRequest, erasure_id)
    if request_ is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        cv_file = services.confirm_erasure(request_, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        delete_cv_file(cv_folder(), cv_file)
        flash(_("The candidate's data is erased; their figures stay, anonymised."), "success")
    return redirect(url_for("privacy.organizer_requests"), code=303)


@bp.route("/organizer/fairs/<int:fair_id>/privacy", methods=["GET", "POST"])
@role_required("organizer")
def fair_settings(fair_id):
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    settings = visibility.settings_for(fair.id)
    form = FairPrivacyForm(data={"retention_months": settings.retention_months,
                                 "shown_without_consent": settings.shown_without_consent})
    if form.validate_on_submit():
        try:
            services.update_settings(fair, form.retention_months.data,
                                     form.shown_without_consent.data, current_user)
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field).errors = [error.message]
        else:
            db.session.commit()
            flash(_("The fair's personal-data settings are saved."), "success")
            return redirect(url_for("privacy.fair_settings", fair_id=fair.id), code=303)
    consents = db.session.scalar(select(func.count()).select_from(Consent).where(
        Consent.fair_id == fair.id, Consent.withdrawn_at.is_(None)))
    return render_template(
        "privacy/fair_settings.html", fair=fair, form=form, consents=consents,
        until=visibility.retention_deadline(fair.day, settings.retention_months),
        accesses=_access_log(fair.id)), 422 if form.errors else 200
