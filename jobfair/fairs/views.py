"""Fairs: the organizer's set-up and overview pages, and the public fair page."""
from datetime import time

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from .. import htmx
from ..actions import attach_error, attempt
from ..auth.access import role_required
from ..booths.services import floor_plan
from ..extensions import db
from ..labels import FAIR_STATUS
from ..models import Cohort, Track, TrainingOperator, User
from . import lifecycle, queries, services
from .forms import FairForm, StaffForm

bp = Blueprint("fairs", __name__)

# The button that moves a fair to each state.
TRANSITION_ACTIONS = {
    "published": _l("Publish the fair"),
    "draft": _l("Back to draft"),
    "live": _l("Start the fair (live)"),
    "closed": _l("Close the fair"),
}


def _fair_or_404(fair_id):
    fair = queries.fair_for_overview(fair_id)
    if fair is None:
        abort(404)
    return fair


# --- Create and edit ---------------------------------------------------------


def _fair_form(**kwargs):
    form = FairForm(**kwargs)
    cohorts = db.session.execute(
        select(Cohort.id, Cohort.name, TrainingOperator.name.label("operator"), Track.name.label("track"))
        .join(TrainingOperator, Cohort.operator_id == TrainingOperator.id)
        .join(Track, Cohort.track_id == Track.id)
        .order_by(Cohort.start_date.desc(), Cohort.name)
    ).all()
    form.cohort_ids.choices = [
        SelectChoice(c.id, f"{c.name} · {c.operator} · {c.track}") for c in cohorts
    ]
    return form


def _save(form, fair):
    """Validate and save; returns the saved fair or None (errors attached to the form)."""
    if not form.is_submitted():
        return None
    form_ok = form.validate()
    values = form.values()
    try:
        if not form_ok:
            # Show the rules broken by the other fields too, in one go.
            services.check_fair(values, fair=fair)
            return None
        cohorts = db.session.scalars(
            select(Cohort).where(Cohort.id.in_(form.cohort_ids.data or []))
        ).all()
        saved = services.save_fair(fair, values, cohorts, actor=current_user)
    except services.FairInvalid as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    db.session.commit()
    return saved


@bp.route("/organizer/fairs/new", methods=["GET", "POST"])
@role_required("organizer")
def new():
    form = _fair_form(data={"max_bookings_per_candidate": 3, "min_gap_minutes": 15})
    if request.method == "GET":
        form.opens_at.data, form.closes_at.data = time(9), time(17)
    fair = _save(form, None)
    if fair is not None:
        flash(_("Fair “%(name)s” created as a draft.", name=fair.name), "success")
        return redirect(url_for("fairs.overview", fair_id=fair.id), code=303)
    return render_template("fairs/form.html", form=form, fair=None)


@bp.route("/organizer/fairs/<int:fair_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def edit(fair_id):
    fair = _fair_or_404(fair_id)
    data = services.local_values(fair)
    data["cohort_ids"] = [c.id for c in fair.cohorts]
    form = _fair_form(data=data)
    saved = _save(form, fair)
    if saved is not None:
        flash(_("Fair “%(name)s” saved.", name=saved.name), "success")
        return redirect(url_for("fairs.overview", fair_id=saved.id), code=303)
    return render_template("fairs/form.html", form=form, fair=fair)


# --- Overview, lifecycle, staff ------------------------------------------------


def _overview_context(fair, staff_form=None, staff_notice=None):
    return {
        "fair": fair,
        "counts": queries.fair_counts(fair),
        "participations": queries.fair_participations(fair),
        "state_rules": lifecycle.STATE_RULES[fair.status],
        "next_states": [
            (status, TRANSITION_ACTIONS[status], lifecycle.STATE_RULES[status])
            for status in lifecycle.next_statuses(fair)
        ],
        "is_public": lifecycle.is_public(fair),
        "booking_open": lifecycle.booking_open(fair),
        "staff_form": staff_form or StaffForm(formdata=None),
        "staff_notice": staff_notice,
        "pending_staff": services.pending_staff_invitations(fair),
        "plan": floor_plan(fair),
    }


@bp.route("/organizer/fairs/<int:fair_id>")
@role_required("organizer")
def overview(fair_id):
    fair = _fair_or_404(fair_id)
    return render_template("fairs/overview.html", **_overview_context(fair))


@bp.route("/organizer/fairs/<int:fair_id>/status", methods=["POST"])
@role_required("organizer")
def change_status(fair_id):
    fair = _fair_or_404(fair_id)
    new_status = request.form.get("status", "")
    with attempt() as done:
        services.change_status(fair, new_status, actor=current_user)
    if done.ok:
        flash(_("The fair is now: %(status)s.", status=FAIR_STATUS[new_status]), "success")
    return redirect(url_for("fairs.overview", fair_id=fair_id), code=303)


def _staff_response(fair, form=None, notice=None):
    """The staff block for htmx, the whole overview page otherwise."""
    return htmx.render("fairs/overview.html", block="staff",
                       **_overview_context(fair, staff_form=form, staff_notice=notice))


@bp.route("/organizer/fairs/<int:fair_id>/staff", methods=["POST"])
@role_required("organizer")
def add_staff(fair_id):
    fair = _fair_or_404(fair_id)
    form = StaffForm()
    if form.validate_on_submit():
        with attempt(form, default="email") as done:
            outcome, _who = services.add_staff(fair, form.email.data, invited_by=current_user)
        if done.ok:
            if outcome == "added":
                notice = _("%(email)s is now staff of this fair.", email=form.email.data.strip())
            else:
                notice = _("Invitation sent to %(email)s.", email=form.email.data.strip())
            if htmx.is_htmx():
                return _staff_response(_fair_or_404(fair_id), notice=notice)
            flash(notice, "success")
            return redirect(url_for("fairs.overview", fair_id=fair_id, _anchor="staff"), code=303)
    fair = _fair_or_404(fair_id)
    return _staff_response(fair, form=form)


@bp.route("/organizer/fairs/<int:fair_id>/staff/<int:user_id>/remove", methods=["POST"])
@role_required("organizer")
def remove_staff(fair_id, user_id):
    fair = _fair_or_404(fair_id)
    user = db.session.get(User, user_id)
    if user is None or user not in fair.staff:
        abort(404)
    services.remove_staff(fair, user)
    db.session.commit()
    notice = _("%(name)s no longer works at this fair.", name=user.full_name)
    if htmx.is_htmx():
        return _staff_response(_fair_or_404(fair_id), notice=notice)
    flash(notice, "success")
    return redirect(url_for("fairs.overview", fair_id=fair_id, _anchor="staff"), code=303)


# --- The public page ---------------------------------------------------------


@bp.route("/fairs/<slug>")
def public(slug):
    fair = queries.public_fair_or_none(slug)
    if fair is None:
        abort(404)
    return render_template(
        "public/fair.html",
        fair=fair,
        exhibitors=queries.public_exhibitors(fair),
        is_over=lifecycle.is_over(fair),
        plan=floor_plan(fair),
    )
