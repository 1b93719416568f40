"""Walk-in queues: the candidate's place (the booth's QR poster opens it), the representative's
line, the organizer's figures and limit. The rules are in services.py; pages poll with htmx
and every form works without JavaScript (POST → 303)."""
from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..actions import attempt
from ..auth.access import role_required
from ..errors import DomainError
from ..booking.views import fair_or_404, own_candidate_or_404
from ..extensions import db
from ..fairs.lifecycle import is_live
from ..htmx import render
from ..leads.views import own_participation_or_404
from ..models import Fair, Participation
from ..privacy.visibility import company_view
from ..mail import absolute_url
from . import services
from .poster import QUIET, qr_svg_path
from .forms import CallNextForm, FinishForm, QueueLimitForm

bp = Blueprint("queues", __name__)


def fair_participation_or_404(fair, company_id):
    """The company's participation in the fair, whatever its status (a clear "not at the
    fair" beats a 404 for a poster left up); no participation at all: 404."""
    participation = db.session.scalar(
        select(Participation)
        .where(Participation.fair_id == fair.id, Participation.company_id == company_id)
        .options(joinedload(Participation.company), joinedload(Participation.booth),
                 joinedload(Participation.fair))
        .order_by(Participation.status != "approved", Participation.id.desc()).limit(1))
    if participation is None:
        abort(404)
    return participation


# --- The candidate -------------------------------------------------------------------------


@bp.route("/me/fairs/<int:fair_id>/companies/<int:company_id>/queue")
@role_required("candidate")
def my_place(fair_id, company_id):
    candidate = own_candidate_or_404()
    fair = fair_or_404(fair_id, candidate)
    participation = fair_participation_or_404(fair, company_id)
    # Polled every 5 s by each phone in a line: the candidate's live entries in one query
    # (this booth's among them), no form object (the page's forms need only the CSRF token).
    entries = services.my_entries(candidate, fair)
    entry = next((e for e in entries if e.participation_id == participation.id), None)
    position, minutes = services.place(entry) if entry else (None, None)
    return render("queues/place.html", block="place", fair=fair, participation=participation,
                  entry=entry, position=position, minutes=minutes,
                  soon=services.interview_soon(candidate, fair), live=is_live(fair),
                  at_fair=participation.status == "approved",
                  others=[e for e in entries if e.participation_id != participation.id])


def _candidate_change(fair_id, company_id, change, message):
    """Join or leave: the service, then back to the candidate's place (303)."""
    candidate = own_candidate_or_404()
    fair = fair_or_404(fair_id, candidate)
    participation = fair_participation_or_404(fair, company_id)
    with attempt() as done:
        change(participation, candidate)
    if done.ok:
        flash(message % {"company": participation.company.name}, "success")
    return redirect(url_for(".my_place", fair_id=fair.id, company_id=company_id), code=303)


@bp.route("/me/fairs/<int:fair_id>/companies/<int:company_id>/queue/join", methods=["POST"])
@role_required("candidate")
def join(fair_id, company_id):
    return _candidate_change(fair_id, company_id, services.join,
                             _("You joined the queue of %(company)s."))


@bp.route("/me/fairs/<int:fair_id>/companies/<int:company_id>/queue/leave", methods=["POST"])
@role_required("candidate")
def leave(fair_id, company_id):
    return _candidate_change(fair_id, company_id, services.leave,
                             _("You left the queue of %(company)s."))


# --- The representative ----------------------------------------------------------------------


def _line_page(participation, form=None, block="line"):
    line = services.line(participation)
    return render("queues/line.html", block=block, participation=participation,
                  fair=participation.fair, line=line, form=form or CallNextForm(),
                  finish=FinishForm(), live=is_live(participation.fair),
                  figures=services.figures([participation.id])[participation.id],
                  places={e.id: n for n, e in enumerate(
                      [e for e in line if e.status == "waiting"], start=1)})


@bp.route("/company/fairs/<int:participation_id>/queue")
@role_required("company_rep")
def line(participation_id):
    return _line_page(own_participation_or_404(participation_id))


@bp.route("/company/fairs/<int:participation_id>/queue/poster")
@role_required("company_rep")
def poster(participation_id):
    """A page to print and put up at the booth: the candidates' join link as a QR code."""
    participation = own_participation_or_404(participation_id)
    join_url = absolute_url("queues.my_place", fair_id=participation.fair_id,
                            company_id=participation.company_id)
    side, path = qr_svg_path(join_url)
    return render("queues/poster.html", participation=participation, join_url=join_url,
                  side=side, path=path, quiet=QUIET)


@bp.route("/company/fairs/<int:participation_id>/queue/next", methods=["POST"])
@role_required("company_rep")
def call_next(participation_id):
    participation = own_participation_or_404(participation_id)
    form = CallNextForm()
    if form.validate_on_submit():
        with attempt(form) as done:
            entry = services.call_next(participation, current_user, form.called_to.data)
        if done.ok:
            name = company_view(entry.candidate, participation.fair_id).name
            flash(_("%(name)s is called to %(place)s.", name=name, place=entry.called_to),
                  "success")
        if not form.errors:  # called, or told (flashed) that nobody is waiting
            return redirect(url_for(".line", participation_id=participation.id), code=303)
    return _line_page(participation, form, block=None)  # the form says what is missing


@bp.route("/company/fairs/<int:participation_id>/queue/done", methods=["POST"])
@role_required("company_rep")
def finish(participation_id):
    participation = own_participation_or_404(participation_id)
    form = FinishForm()
    entry_id = form.entry_id.data or ""
    with attempt(form) as done:
        if not entry_id.isdigit() or len(entry_id) > 12:
            raise DomainError(_("This candidate is no longer called."))
        services.finish(participation, int(entry_id), form.outcome.data or "")
    if done.ok:
        flash(_("Saved."), "success")
    return redirect(url_for(".line", participation_id=participation.id), code=303)


# --- The organizer -----------------------------------------------------------------------------


@bp.route("/organizer/fairs/<int:fair_id>/queues", methods=["GET", "POST"])
@role_required("organizer")
def organizer_queues(fair_id):
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    form = QueueLimitForm()
    if form.validate_on_submit():
        with attempt(form) as done:
            services.set_queue_limit(fair, form.limit.data)
        if done.ok:
            flash(_("Saved."), "success")
            return redirect(url_for(".organizer_queues", fair_id=fair.id), code=303)
    elif not form.is_submitted():
        form.limit.data = services.queue_limit(fair)
    participations = db.session.scalars(
        select(Participation).where(Participation.fair_id == fair.id,
                                    Participation.status == "approved")
        .options(joinedload(Participation.company), joinedload(Participation.booth))).all()
    participations.sort(key=lambda p: p.company.name.casefold())
    figures = services.figures([p.id for p in participations])
    return render("queues/organizer.html", fair=fair, form=form, participations=participations,
                  figures=figures, total=services.fair_figures(fair))

