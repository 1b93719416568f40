"""Hiring outcomes: companies record them per fair; organizers follow who has answered.

Company views reach only their own company's APPROVED participations (others: 404); the rules
are in services.py.
"""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..actions import attempt
from ..auth.access import role_required
from ..errors import DomainError
from ..extensions import db
from ..htmx import is_htmx, render
from ..leads.exports import booking_status_label, download
from ..leads.views import own_participation_or_404
from ..models import Fair
from ..privacy.visibility import company_view
from . import exports, services
from .forms import BulkForm, FilterForm, OutcomeForm

bp = Blueprint("outcomes", __name__)


# --- Company representatives ---------------------------------------------------------------


def _row_form(row, positions, formdata=None):
    outcome = row["outcome"]
    form = OutcomeForm(row["candidate"].id, positions, formdata=formdata)
    if formdata is None and outcome is not None:
        form.status.data = outcome.status
        form.contract_type.data = outcome.contract_type or ""
        form.position_id.data = str(outcome.position_id) if outcome.position_id else ""
        form.start_date.data = outcome.start_date
    return form


def _page(participation, bound=None, bulk_form=None, selected=(), status=200):
    """The whole page; ``bound``: (candidate_id, form) of a row that failed to save."""
    positions = services.positions_of(participation.company_id)
    all_rows = services.met_rows(participation)
    filters = FilterForm(services.tracks_of(all_rows), formdata=request.args)
    rows = services.filter_rows(all_rows, **filters.values())
    forms = {}
    for row in rows:
        cid = row["candidate"].id
        forms[cid] = bound[1] if bound and bound[0] == cid else _row_form(row, positions)
    return render("outcomes/company.html", participation=participation, rows=rows,
                  total=len(all_rows), forms=forms, filters=filters,
                  bulk_form=bulk_form or BulkForm(formdata=None), selected=set(selected),
                  editable=services.outcomes_open(participation.fair),
                  booking_label=booking_status_label), status


@bp.route("/company/fairs/<int:participation_id>/outcomes", methods=["GET"])
@role_required("company_rep")
def company_outcomes(participation_id):
    return _page(own_participation_or_404(participation_id))


@bp.route("/company/fairs/<int:participation_id>/outcomes/<int:candidate_id>", methods=["POST"])
@role_required("company_rep")
def save_row(participation_id, candidate_id):
    participation = own_participation_or_404(participation_id)
    candidate = services.candidate_met(participation, candidate_id)
    if candidate is None:
        abort(404)
    positions = services.positions_of(participation.company_id)
    form = OutcomeForm(candidate.id, positions)
    saved = meanwhile = False
    if form.validate_on_submit():
        try:
            services.save_outcome(participation, candidate, current_user, form.status.data,
                                  form.contract_type.data, form.position_value(),
                                  form.start_date.data, positions=positions)
        except services.SavedMeanwhile as error:
            db.session.rollback()
            meanwhile = error.message
            if not is_htmx():  # the page shows what was saved, with why
                flash(meanwhile, "error")
                return redirect(url_for("outcomes.company_outcomes",
                                        participation_id=participation.id,
                                        _anchor=f"row-{candidate.id}"), code=303)
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field or "status").errors.append(error.message)
        else:
            db.session.commit()
            if not is_htmx():
                flash(_("Outcome of %(name)s saved.",
                        name=company_view(candidate, participation.fair_id).name), "success")
                return redirect(url_for("outcomes.company_outcomes",
                                        participation_id=participation.id,
                                        _anchor=f"row-{candidate.id}"), code=303)
            saved = True
    if not is_htmx():
        return _page(participation, bound=(candidate.id, form))
    row = next(r for r in services.met_rows(participation) if r["candidate"].id == candidate.id)
    if saved or meanwhile:
        form = _row_form(row, positions)
    if meanwhile:
        form.status.errors = [meanwhile]
    return render("outcomes/_row.html", participation=participation, row=row, form=form,
                  saved=saved, editable=True, selected=set(),
                  booking_label=booking_status_label)


@bp.route("/company/fairs/<int:participation_id>/outcomes/bulk", methods=["POST"])
@role_required("company_rep")
def bulk(participation_id):
    participation = own_participation_or_404(participation_id)
    form = BulkForm()
    selected = request.form.getlist("candidate_ids")
    if form.validate_on_submit():
        with attempt(form, default="status") as done:
            count = services.bulk_set_status(participation, selected, form.status.data,
                                             current_user)
        if done.ok:
            flash(ngettext("%(num)d outcome changed.", "%(num)d outcomes changed.", count),
                  "success")
            return redirect(url_for("outcomes.company_outcomes",
                                    participation_id=participation.id), code=303)
    kept = {int(value) for value in selected if value.isdigit()}
    return _page(participation, bulk_form=form, selected=kept)


@bp.route("/company/fairs/<int:participation_id>/outcomes.csv", methods=["GET"])
@role_required("company_rep")
def export_csv(participation_id):
    participation = own_participation_or_404(participation_id)
    return download("outcomes", participation,
                    exports.to_csv(services.met_rows(participation), participation.fair_id), "csv")


@bp.route("/company/fairs/<int:participation_id>/outcomes.xlsx", methods=["GET"])
@role_required("company_rep")
def export_xlsx(participation_id):
    participation = own_participation_or_404(participation_id)
    return download("outcomes", participation,
                    exports.to_xlsx(services.met_rows(participation), participation.fair_id),
                    "xlsx")


# --- Organizers -----------------------------------------------------------------------------


def _fair_or_404(fair_id):
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    return fair


@bp.route("/organizer/fairs/<int:fair_id>/outcomes", methods=["GET"])
@role_required("organizer")
def organizer_fair(fair_id):
    fair = _fair_or_404(fair_id)
    rows = services.company_progress(fair)
    return render("outcomes/organizer.html", fair=fair, rows=rows,
                  open_=services.outcomes_open(fair),
                  any_missing=any(r["missing"] for r in rows))


def _remind(fair, participation_ids):
    try:
        companies, emails = services.remind(fair, participation_ids, current_user)
    except LookupError:
        abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Reminder queued: %(emails)d emails to %(companies)d companies.",
                emails=emails, companies=companies), "success")
    return redirect(url_for("outcomes.organizer_fair", fair_id=fair.id), code=303)


@bp.route("/organizer/fairs/<int:fair_id>/outcomes/remind/<int:participation_id>",
          methods=["POST"])
@role_required("organizer")
def remind(fair_id, participation_id):
    return _remind(_fair_or_404(fair_id), {participation_id})


@bp.route("/organizer/fairs/<int:fair_id>/outcomes/remind-all", methods=["POST"])
@role_required("organizer")
def remind_all(fair_id):
    return _remind(_fair_or_404(fair_id), None)
