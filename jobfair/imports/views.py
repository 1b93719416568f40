"""The organizer's candidates: the list, and the import of a training operator's list in two
steps (upload → preview → confirm). Rules are in services.py, file reading in parsing.py."""
import os

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from ..actions import attach_error, attempt
from ..auth.access import role_required
from ..candidate.services import format_phone
from ..errors import DomainError
from ..extensions import db
from ..htmx import render
from ..models import Cohort, User
from . import services, uploads
from .forms import CandidateFilterForm, ConfirmImportForm, ImportForm
from .parsing import MAX_FILE_BYTES

bp = Blueprint("imports", __name__, url_prefix="/organizer")

PER_PAGE = 50
# The preview lists at most this many lines per kind; the counts are always complete.
PREVIEW_ROWS = 200


def _folder():
    return os.path.join(current_app.instance_path, "imports")


def _cohort_label(cohort):
    return f"{cohort.name} · {cohort.operator.name} · {cohort.track.name}"


# --- The list ----------------------------------------------------------------------------


@bp.route("/candidates")
@role_required("organizer")
def candidates():
    form = CandidateFilterForm(formdata=request.args)
    cohorts = services.cohort_choices()
    form.cohort.choices = [SelectChoice(0, _("All cohorts"))] + [
        SelectChoice(c.id, _cohort_label(c)) for c in cohorts
    ]
    # A search changes nothing: odd values are ignored rather than refused.
    search = (form.q.data or "")[:100]
    cohort_id = form.cohort.data if form.cohort.data in {c.id for c in cohorts} else 0
    pagination = db.paginate(
        services.candidates_query(search, cohort_id),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render(
        "imports/candidates.html",
        block="results",
        form=form,
        pagination=pagination,
        search=search,
        cohort_id=cohort_id,
        has_cohorts=bool(cohorts),
        format_phone=format_phone,
    )


@bp.route("/candidates/<int:user_id>/invitation", methods=["POST"])
@role_required("organizer")
def reinvite(user_id):
    user = db.session.get(User, user_id)
    if user is None or user.role != "candidate":
        abort(404)
    with attempt(category="info") as done:
        services.reinvite(user, current_user)
    if done.ok:
        flash(_("A new activation link was sent to %(email)s.", email=user.email), "success")
    return redirect(request.form.get("next") if _is_local(request.form.get("next"))
                    else url_for("imports.candidates"), code=303)


def _is_local(target):
    return bool(target) and target.startswith("/organizer/candidates") and "//" not in target


# --- Import: upload ------------------------------------------------------------------------


def _import_form():
    form = ImportForm()
    form.cohort_id.choices = [SelectChoice(0, _("Cohort column of the file"))] + [
        SelectChoice(c.id, _cohort_label(c)) for c in services.cohort_choices()
    ]
    return form


def _uploaded_name(storage):
    # Shown and audited only; the stored file gets a random name.
    name = (storage.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name.strip()[:200] or "import"


@bp.route("/candidates/import", methods=["GET", "POST"])
@role_required("organizer")
def upload():
    form = _import_form()
    plan = None
    if form.validate_on_submit():
        data = form.file.data.read(MAX_FILE_BYTES + 1)
        cohort = db.session.get(Cohort, form.cohort_id.data) if form.cohort_id.data else None
        try:
            plan = services.plan_import(data, cohort)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            if not plan.problems:
                token = uploads.save(
                    _folder(), data, plan.parsed.kind,
                    filename=_uploaded_name(form.file.data),
                    owner_id=current_user.id,
                    cohort_id=cohort.id if cohort else None,
                )
                return redirect(url_for("imports.preview", token=token), code=303)
            db.session.rollback()
    return render_template(
        "imports/upload.html", form=form, plan=plan,
        filename=_uploaded_name(form.file.data) if plan else None,
    )


# --- Import: preview and confirmation ------------------------------------------------------


def _upload_or_404(token):
    """The current organizer's stored upload and its chosen cohort; 404 for anything else."""
    stored = uploads.load(_folder(), token, current_user.id)
    if stored is None:
        abort(404)
    data, meta = stored
    cohort = None
    if meta.get("cohort_id"):
        cohort = db.session.get(Cohort, meta["cohort_id"])
        if cohort is None:
            abort(404)
    return data, meta, cohort


def _preview_page(token, meta, plan, form=None, status=200):
    form = form or ConfirmImportForm()
    form.fingerprint.data = plan.fingerprint()
    return render_template(
        "imports/preview.html",
        token=token,
        filename=meta.get("filename"),
        plan=plan,
        form=form,
        limit=PREVIEW_ROWS,
        format_phone=format_phone,
    ), status


def _plan_or_back(data, cohort):
    try:
        return services.plan_import(data, cohort)
    except DomainError as error:
        # The file was read once already; only a change in the database gets here.
        flash(error.message, "error")
        return None


@bp.route("/candidates/import/<token>")
@role_required("organizer")
def preview(token):
    data, meta, cohort = _upload_or_404(token)
    plan = _plan_or_back(data, cohort)
    if plan is None:
        return redirect(url_for("imports.upload"), code=303)
    return _preview_page(token, meta, plan)


@bp.route("/candidates/import/<token>/confirm", methods=["POST"])
@role_required("organizer")
def confirm(token):
    data, meta, cohort = _upload_or_404(token)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    plan = _plan_or_back(data, cohort)
    if plan is None:
        return redirect(url_for("imports.upload"), code=303)
    if plan.problems:
        flash(_("Nothing was imported: correct the lines listed below, then upload the file again."), "error")
        return _preview_page(token, meta, plan, form)
    if not plan.has_changes:
        uploads.discard(_folder(), token)
        flash(_("Nothing to import: every line matches the existing candidates."), "info")
        return redirect(url_for("imports.candidates"), code=303)
    if plan.fingerprint() != form.fingerprint.data:
        flash(_("The candidates changed since this preview. Check it again, then import."), "warning")
        return _preview_page(token, meta, plan, form)
    try:
        counts = services.apply_import(plan, current_user, meta.get("filename"), request.remote_addr)
        db.session.commit()
    except (DomainError, IntegrityError):
        # Another import created some of these candidates meanwhile.
        db.session.rollback()
        flash(_("The candidates changed while importing; nothing was imported. Check the preview again."), "error")
        return redirect(url_for("imports.preview", token=token), code=303)
    uploads.discard(_folder(), token)
    flash(
        ngettext("%(num)d candidate created (an activation email is on its way)",
                 "%(num)d candidates created (an activation email is on its way to each)",
                 counts["created"])
        + " · "
        + ngettext("%(num)d updated", "%(num)d updated", counts["updated"])
        + " · "
        + ngettext("%(num)d unchanged", "%(num)d unchanged", counts["unchanged"]),
        "success",
    )
    target = {"cohort": cohort.id} if cohort else {}
    return redirect(url_for("imports.candidates", **target), code=303)


@bp.route("/candidates/import/<token>/cancel", methods=["POST"])
@role_required("organizer")
def cancel(token):
    _upload_or_404(token)
    uploads.discard(_folder(), token)
    flash(_("The import was cancelled: nothing was imported."), "info")
    return redirect(url_for("imports.upload"), code=303)
