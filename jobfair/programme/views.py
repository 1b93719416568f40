"""The organizer's programme pages: training operators, tracks and cohorts."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..actions import attempt
from ..auth.access import role_required
from ..extensions import db
from ..models import Cohort, Track, TrainingOperator
from . import services
from .forms import CohortForm, OperatorForm, TrackForm

bp = Blueprint("programme", __name__, url_prefix="/organizer")


def _or_404(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


@bp.route("/programme")
@role_required("organizer")
def index():
    operators, tracks, cohorts = services.programme_overview()
    return render_template(
        "programme/index.html",
        operators=operators,
        tracks=tracks,
        cohorts=cohorts,
        missing_tracks=services.missing_standard_tracks(),
    )


# --- Operators ---------------------------------------------------------------


def _operator_page(form, operator):
    if form.validate_on_submit():
        with attempt(form) as done:
            saved = services.save_operator(operator, form.name.data, form.city.data)
        if done.ok:
            flash(_("Training operator “%(name)s” saved.", name=saved.name), "success")
            return redirect(url_for("programme.index", _anchor="operators"), code=303)
    return render_template("programme/operator_form.html", form=form, operator=operator)


@bp.route("/operators/new", methods=["GET", "POST"])
@role_required("organizer")
def new_operator():
    return _operator_page(OperatorForm(), None)


@bp.route("/operators/<int:operator_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def edit_operator(operator_id):
    operator = _or_404(TrainingOperator, operator_id)
    return _operator_page(OperatorForm(obj=operator), operator)


# --- Tracks ------------------------------------------------------------------


def _track_page(form, track):
    if form.validate_on_submit():
        with attempt(form) as done:
            saved = services.save_track(track, form.name.data)
        if done.ok:
            flash(_("Track “%(name)s” saved.", name=saved.name), "success")
            return redirect(url_for("programme.index", _anchor="tracks"), code=303)
    return render_template("programme/track_form.html", form=form, track=track)


@bp.route("/tracks/new", methods=["GET", "POST"])
@role_required("organizer")
def new_track():
    return _track_page(TrackForm(), None)


@bp.route("/tracks/<int:track_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def edit_track(track_id):
    track = _or_404(Track, track_id)
    return _track_page(TrackForm(obj=track), track)


@bp.route("/tracks/standard", methods=["POST"])
@role_required("organizer")
def add_standard_tracks():
    with attempt() as done:
        added = services.add_standard_tracks()
    if done.ok:
        if added:
            flash(ngettext("%(num)d track added.", "%(num)d tracks added.", added), "success")
        else:
            flash(_("The standard tracks are already there."), "info")
    return redirect(url_for("programme.index", _anchor="tracks"), code=303)


# --- Cohorts -----------------------------------------------------------------


def _cohort_form(cohort=None):
    form = CohortForm(obj=cohort)
    operators = db.session.execute(
        select(TrainingOperator.id, TrainingOperator.name).order_by(TrainingOperator.name)
    ).all()
    tracks = db.session.execute(select(Track.id, Track.name).order_by(Track.name)).all()
    form.operator_id.choices = [SelectChoice(0, _("Choose an operator"))] + [
        SelectChoice(o.id, o.name) for o in operators
    ]
    form.track_id.choices = [SelectChoice(0, _("Choose a track"))] + [
        SelectChoice(t.id, t.name) for t in tracks
    ]
    return form, bool(operators), bool(tracks)


def _cohort_page(cohort):
    form, has_operators, has_tracks = _cohort_form(cohort)
    if form.validate_on_submit():
        with attempt(form) as done:
            saved = services.save_cohort(
                cohort,
                db.session.get(TrainingOperator, form.operator_id.data),
                db.session.get(Track, form.track_id.data),
                form.name.data,
                form.city.data,
                form.start_date.data,
                form.end_date.data,
            )
        if done.ok:
            flash(_("Cohort “%(name)s” saved.", name=saved.name), "success")
            return redirect(url_for("programme.index", _anchor="cohorts"), code=303)
    return render_template(
        "programme/cohort_form.html",
        form=form,
        cohort=cohort,
        has_operators=has_operators,
        has_tracks=has_tracks,
    )


@bp.route("/cohorts/new", methods=["GET", "POST"])
@role_required("organizer")
def new_cohort():
    return _cohort_page(None)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def edit_cohort(cohort_id):
    return _cohort_page(_or_404(Cohort, cohort_id))
