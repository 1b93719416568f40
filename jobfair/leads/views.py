"""At the booth: badge scan, quick lead form, attendance, the company's leads and exports.

Every view is for company representatives and reaches only their own company's APPROVED
participations (others: 404). The rules are in services.py.
"""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..actions import attempt
from ..auth.access import role_required
from ..booking import services as booking_services
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import is_live
from ..htmx import is_htmx, render
from ..models import Participation
from ..privacy.visibility import company_view
from ..queues import services as queue_services
from . import exports, services
from .forms import BoothScanForm, LeadForm

bp = Blueprint("leads", __name__)


def own_participation_or_404(participation_id):
    participation = db.session.scalar(
        select(Participation)
        .where(Participation.id == participation_id,
               Participation.company_id == current_user.company_id,
               Participation.status == "approved")
        .options(joinedload(Participation.fair), joinedload(Participation.company),
                 joinedload(Participation.booth))
    )
    if participation is None or current_user.company_id is None:
        abort(404)
    return participation


SCAN_MESSAGES = {
    "attended": ("success", lambda name: _("%(name)s: attended, on time for the interview.", name=name)),
    "already_attended": ("info", lambda name: _("%(name)s was already marked attended.", name=name)),
    "walk_in": ("info", lambda name: _("%(name)s: walk-in, added to your leads.", name=name)),
}


def _lead_form(lead):
    form = LeadForm(obj=None)
    if request.method == "GET" and lead is not None:
        form.rating.data = str(lead.rating) if lead.rating else None
        form.notes.data = lead.notes
        form.next_step.data = lead.next_step or ""
    return form


@bp.route("/company/fairs/<int:participation_id>/booth-scan", methods=["GET", "POST"])
@role_required("company_rep")
def booth_scan(participation_id):
    participation = own_participation_or_404(participation_id)
    form = BoothScanForm()
    context = {"participation": participation, "live": is_live(participation.fair)}
    if form.validate_on_submit():
        with attempt(form, default="code") as done:
            result = services.booth_scan(participation, form.code.data, current_user)
        if done.ok:
            category, message = SCAN_MESSAGES[result.kind]
            text = message(company_view(result.candidate, participation.fair_id).name)
            if is_htmx():
                return render("leads/booth_scan.html", block="scan_result", form=BoothScanForm(
                    formdata=None), result=result, result_message=text, result_category=category,
                    lead_form=_lead_form(result.lead), **context)
            flash(text, category)
            return redirect(url_for("leads.lead", participation_id=participation.id,
                                    candidate_id=result.candidate.id), code=303)
    return render("leads/booth_scan.html", block="scan_result", form=form, result=None,
                  lead_form=None, **context)


@bp.route("/company/fairs/<int:participation_id>/leads/<int:candidate_id>",
          methods=["GET", "POST"])
@role_required("company_rep")
def lead(participation_id, candidate_id):
    participation = own_participation_or_404(participation_id)
    candidate = services.candidate_met(participation, candidate_id)
    if candidate is None:
        abort(404)
    existing = services.lead_of(participation, candidate.id)
    form = _lead_form(existing)
    saved = False
    if form.validate_on_submit():
        with attempt(form, default="notes") as done:
            lead_ = existing or services.lead_for(participation, candidate, current_user)
            services.save_lead(lead_, current_user, form.rating_value(), form.notes.data,
                               form.next_step.data)
        if done.ok:
            if not is_htmx():
                flash(_("Notes on %(name)s saved.",
                        name=company_view(candidate, participation.fair_id).name), "success")
                return redirect(url_for("leads.booth_scan", participation_id=participation.id),
                                code=303)
            saved = True
    return render("leads/lead.html", block="lead_form", participation=participation,
                  candidate=candidate, lead_form=form, saved=saved)


@bp.route("/company/fairs/<int:participation_id>/attendance", methods=["GET"])
@role_required("company_rep")
def attendance(participation_id):
    participation = own_participation_or_404(participation_id)
    return render("leads/attendance.html", participation=participation,
                  **services.attendance(participation))


@bp.route("/company/fairs/<int:participation_id>/attendance/<int:booking_id>",
          methods=["POST"])
@role_required("company_rep")
def mark(participation_id, booking_id):
    participation = own_participation_or_404(participation_id)
    try:
        booking = booking_services.mark_attendance(participation, booking_id,
                                                   request.form.get("status"))
    except LookupError:
        abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        name = company_view(booking.candidate, participation.fair_id).name
        flash(_("%(name)s: attended.", name=name) if booking.status == "attended"
              else _("%(name)s: no-show.", name=name), "success")
    return redirect(url_for("leads.attendance", participation_id=participation.id), code=303)


@bp.route("/company/fairs/<int:participation_id>/leads", methods=["GET"])
@role_required("company_rep")
def leads(participation_id):
    participation = own_participation_or_404(participation_id)
    return render("leads/leads.html", participation=participation,
                  queue=queue_services.figures([participation.id])[participation.id],
                  rows=services.company_leads(participation),
                  next_step_labels=services.NEXT_STEP_LABELS,
                  status_label=exports.booking_status_label)


@bp.route("/company/fairs/<int:participation_id>/leads.csv", methods=["GET"])
@role_required("company_rep")
def leads_csv(participation_id):
    participation = own_participation_or_404(participation_id)
    return exports.download("leads", participation,
                            exports.to_csv(services.company_leads(participation),
                                           participation.fair_id), "csv")


@bp.route("/company/fairs/<int:participation_id>/leads.xlsx", methods=["GET"])
@role_required("company_rep")
def leads_xlsx(participation_id):
    participation = own_participation_or_404(participation_id)
    return exports.download("leads", participation,
                            exports.to_xlsx(services.company_leads(participation),
                                            participation.fair_id), "xlsx")
