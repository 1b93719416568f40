"""The round's pages: the organizer's round, the candidate's wishes, the company's shortlist.

Each view reaches its objects through a loader that filters by the current user (the
booking module's own candidate and fair loaders, the schedule's own participation loader):
anything else is a 404. Rules are in services.py; a POST answers with a 303 (the rule's
message flashed on refusal), and every page works without JavaScript.
"""
import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import format_percent, ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit import services as audit
from ..auth.access import role_required
from ..booking.views import fair_or_404 as candidate_fair_or_404
from ..booking.views import own_candidate_or_404
from ..errors import DomainError
from ..extensions import db
from ..leads import exports as leads_exports
from ..models import AssignmentRun, Candidate, Fair, RoundInvitation, utcnow
from ..schedule.access import own_participation_or_404
from ..text import slugify
from ..timeutil import local_to_utc, utc_to_local
from . import exports, figures, queries, services
from .forms import AnswerForm, DecisionForm, PublishForm, RoundForm, RunForm, SearchForm, WishesForm

bp = Blueprint("round", __name__)


def _refused(error):
    db.session.rollback()
    flash(str(error.message), "error")


# --- Organizer -------------------------------------------------------------------------------


def _fair_or_404(fair_id):
    fair = db.session.scalar(select(Fair).where(Fair.id == fair_id)
                             .options(selectinload(Fair.cohorts)))
    if fair is None:
        abort(404)
    return fair


def _round_form(fair, booking_round):
    if request.method == "POST":
        return RoundForm()
    if booking_round is None:
        return RoundForm(formdata=None, wishes_open_at=utc_to_local(utcnow()).replace(
            minute=0, second=0, microsecond=0),
            wishes_close_at=utc_to_local(fair.booking_opens_at), publish_at=utc_to_local(
                fair.booking_opens_at), max_wishes=5)
    return RoundForm(formdata=None, obj=booking_round, **{
        name: utc_to_local(getattr(booking_round, name))
        for name in ("wishes_open_at", "wishes_close_at", "publish_at")})


def _utc(local):
    return local_to_utc(local.date(), local.time())


@bp.route("/organizer/fairs/<int:fair_id>/round", methods=["GET", "POST"])
@role_required("organizer")
def organizer_round(fair_id):
    fair = _fair_or_404(fair_id)
    booking_round = services.round_of(fair)
    form = _round_form(fair, booking_round)
    if form.validate_on_submit():
        try:
            services.set_round(fair, _utc(form.wishes_open_at.data),
                               _utc(form.wishes_close_at.data), _utc(form.publish_at.data),
                               form.max_wishes.data, current_user)
            db.session.commit()
            flash(_("The booking round is saved."), "success")
            return redirect(url_for(".organizer_round", fair_id=fair.id), code=303)
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field or "max_wishes").errors.append(str(error.message))
            booking_round = services.round_of(fair)
    runs = queries.runs(booking_round) if booking_round else []
    latest = runs[0] if runs else None
    return render_template(
        "round/organizer.html", fair=fair, booking_round=booking_round, form=form,
        state=services.state(booking_round) if booking_round else None,
        counts=queries.round_counts(booking_round) if booking_round else None,
        runs=runs, latest=latest, run_form=RunForm(formdata=None),
        publish_form=PublishForm(formdata=None, run_id=latest.id if latest else ""),
        percent=format_percent, dimensions=figures.DIMENSIONS,
        group_label=exports.group_label)


@bp.route("/organizer/fairs/<int:fair_id>/round/run", methods=["POST"])
@role_required("organizer")
def run(fair_id):
    fair = _fair_or_404(fair_id)
    form = RunForm()
    target = redirect(url_for(".organizer_round", fair_id=fair.id) + "#run", code=303)
    booking_round = services.round_of(fair)
    if booking_round is None:
        flash(_("Set the booking round first."), "error")
        return target
    if not form.validate():
        flash(" ".join(form.seed.errors), "error")
        return target
    seed = form.seed.data if form.seed.data is not None else secrets.randbelow(2 ** 31)
    try:
        done = services.run_assignment(booking_round, current_user, seed,
                                       current_app.config.get("ROUND_TIME_LIMIT", 30))
    except DomainError as error:
        _refused(error)
        return target
    if done.status == "empty":
        flash(_("The solver found no assignment within its time limit: nothing changed. "
                "Run it again."), "error")
    else:
        flash(_("The assignment is ready: check its figures, then publish it."), "success")
    return target


@bp.route("/organizer/fairs/<int:fair_id>/round/publish", methods=["POST"])
@role_required("organizer")
def publish(fair_id):
    fair = _fair_or_404(fair_id)
    form = PublishForm()
    target = redirect(url_for(".organizer_round", fair_id=fair.id), code=303)
    booking_round = services.round_of(fair)
    run_id = form.run_id.data if form.validate() else None
    chosen = db.session.get(AssignmentRun, int(run_id)) if (run_id or "").isdigit() else None
    if booking_round is None or chosen is None or chosen.round_id != booking_round.id:
        flash(_("Run the assignment first, then publish it."), "error")
        return target
    try:
        made = services.publish(booking_round, chosen, current_user)
        db.session.commit()
    except DomainError as error:
        _refused(error)
        return target
    flash(ngettext("Published: %(num)d interview booked, emails queued.",
                   "Published: %(num)d interviews booked, emails queued.", len(made)), "success")
    return target


def _figures_download(fair_id, extension):
    fair = _fair_or_404(fair_id)
    booking_round = services.round_of(fair)
    latest = queries.runs(booking_round, limit=1) if booking_round else []
    if not latest or latest[0].status == "empty":
        flash(_("Run the assignment first: its figures can then be downloaded."), "error")
        return redirect(url_for(".organizer_round", fair_id=fair.id), code=303)
    run = latest[0]
    data = exports.to_csv(run) if extension == "csv" else exports.to_xlsx(run)
    audit.record_download(current_user, "round-figures", extension, fair=fair.id, obj=run,
                          seed=run.seed)
    return leads_exports.attachment(
        data, f"round-figures-{slugify(fair.name) or fair.id}-{run.id}.{extension}", extension)


@bp.route("/organizer/fairs/<int:fair_id>/round/figures.csv")
@role_required("organizer")
def figures_csv(fair_id):
    return _figures_download(fair_id, "csv")


@bp.route("/organizer/fairs/<int:fair_id>/round/figures.xlsx")
@role_required("organizer")
def figures_xlsx(fair_id):
    return _figures_download(fair_id, "xlsx")


# --- Candidate -------------------------------------------------------------------------------


def _wishes_form(booking_round, candidate, participations):
    if request.method == "POST":
        form = WishesForm()
    else:
        current = services.candidate_wishes(booking_round, candidate.id)
        form = WishesForm(formdata=None, data={"wishes": [w.participation_id for w in current]})
    form.set_choices([(p.id, p.company.name) for p in participations], booking_round.max_wishes,
                     lambda number: _("Wish %(num)d", num=number))
    return form


@bp.route("/me/fairs/<int:fair_id>/wishes", methods=["GET", "POST"])
@role_required("candidate")
def wishes(fair_id):
    candidate = own_candidate_or_404()
    fair = candidate_fair_or_404(fair_id, candidate)
    booking_round = services.round_of(fair)
    if booking_round is None:
        if request.method == "POST":
            flash(_("This fair has no booking round."), "error")
            return redirect(url_for(".wishes", fair_id=fair.id), code=303)
        return render_template("round/wishes.html", fair=fair, booking_round=None)
    participations = queries.companies(fair.id)
    form = _wishes_form(booking_round, candidate, participations)
    if request.method == "POST":
        if form.validate():
            try:
                services.save_wishes(booking_round, candidate, form.chosen())
                db.session.commit()
                flash(_("Your wishes are saved. You can change them until the window closes."),
                      "success")
            except DomainError as error:
                _refused(error)
        else:
            flash(_("Choose companies from the list."), "error")
        return redirect(url_for(".wishes", fair_id=fair.id), code=303)
    return render_template(
        "round/wishes.html", fair=fair, booking_round=booking_round, form=form,
        state=services.state(booking_round), participations=participations,
        demand=queries.demand(booking_round, fair.id),
        invitations=queries.invitations_for(booking_round, candidate.id),
        answer_form=AnswerForm(formdata=None))


@bp.route("/me/fairs/<int:fair_id>/wishes/invitations/<int:participation_id>", methods=["POST"])
@role_required("candidate")
def answer(fair_id, participation_id):
    candidate = own_candidate_or_404()
    fair = candidate_fair_or_404(fair_id, candidate)
    target = redirect(url_for(".wishes", fair_id=fair.id) + "#invitations", code=303)
    booking_round = services.round_of(fair)
    invitation = booking_round and db.session.scalar(
        select(RoundInvitation).where(RoundInvitation.round_id == booking_round.id,
                                      RoundInvitation.participation_id == participation_id,
                                      RoundInvitation.candidate_id == candidate.id))
    form = AnswerForm()
    if not invitation or not form.validate():
        flash(_("There is no invitation from this company to answer."), "error")
        return target
    try:
        services.answer_invitation(booking_round, candidate, invitation,
                                   accept=form.answer.data == "accept")
        db.session.commit()
        flash(_("Your answer is saved."), "success")
    except DomainError as error:
        _refused(error)
    return target


# --- Company representative --------------------------------------------------------------------


@bp.route("/company/fairs/<int:participation_id>/round")
@role_required("company_rep")
def company_round(participation_id):
    participation = own_participation_or_404(participation_id)
    fair = participation.fair
    booking_round = services.round_of(fair)
    context = {"participation": participation, "fair": fair, "booking_round": booking_round}
    if booking_round is not None:
        search = SearchForm(formdata=request.args)
        listed = queries.wishers(booking_round, participation)
        invited = queries.invited_by(booking_round, participation)
        known = {c.id for c, _mark in listed} | {i.candidate_id for i in invited}
        found = [c for c in queries.search_candidates(fair, search.q.data or "")
                 if c.id not in known]
        context.update(state=services.state(booking_round), wishers=listed, invited=invited,
                       search=search, found=found, decision_form=DecisionForm(formdata=None))
    return render_template("round/company.html", **context)


def _company_target(participation, anchor=""):
    return redirect(url_for(".company_round", participation_id=participation.id) + anchor,
                    code=303)


@bp.route("/company/fairs/<int:participation_id>/round/marks/<int:candidate_id>",
          methods=["POST"])
@role_required("company_rep")
def mark(participation_id, candidate_id):
    participation = own_participation_or_404(participation_id)
    booking_round = services.round_of(participation.fair)
    form = DecisionForm()
    if booking_round is None or not form.validate():
        flash(_("This fair has no booking round."), "error")
        return _company_target(participation)
    try:
        services.mark(booking_round, participation, candidate_id, form.decision.data,
                      current_user)
        db.session.commit()
        flash(_("Your answer is saved."), "success")
    except DomainError as error:
        _refused(error)
    return _company_target(participation, f"#candidate-{candidate_id}")


@bp.route("/company/fairs/<int:participation_id>/round/invitations/<int:candidate_id>",
          methods=["POST"])
@role_required("company_rep")
def invite(participation_id, candidate_id):
    participation = own_participation_or_404(participation_id)
    booking_round = services.round_of(participation.fair)
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        abort(404)
    if booking_round is None:
        flash(_("This fair has no booking round."), "error")
        return _company_target(participation)
    try:
        services.invite(booking_round, participation, candidate, current_user)
        db.session.commit()
        flash(_("Invitation sent: the candidate will see it in their wishes."), "success")
    except DomainError as error:
        _refused(error)
    return _company_target(participation, "#invited")
