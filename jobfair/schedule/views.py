"""The company's interview schedule: tables, slot generator, copy, and the timeline.

Every view is for company representatives and reaches only their own company's
APPROVED participations (others: 404). The rules are in services.py. A change
posted by htmx gets the re-rendered table block back; without JavaScript the
same form posts normally and gets a 303 to the page (or the page again, with
the error or the confirmation next to the table, status 200).

The page and its tables are here; the generator, copying and one-slot changes in
slot_views.py (same blueprint); loaders in access.py, answers in responses.py.
"""
from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import role_required
from ..errors import DomainError
from ..extensions import db
from ..htmx import is_htmx, render
from . import responses, services
from .access import load_tables, own_participation_or_404, own_table_or_404
from .forms import ChangeForm, TableForm
from .services import ConfirmationRequired

bp = Blueprint("schedule", __name__)


# --- The page and its tables --------------------------------------------------


@bp.route("/company/fairs/<int:participation_id>/schedule")
@role_required("company_rep")
def participation_schedule(participation_id):
    participation = own_participation_or_404(participation_id)
    table_id = request.args.get("table", type=int)
    if table_id is not None and is_htmx():
        # A timeline polling itself (every 10 s): only that table's block, with fresh bookings.
        tables = load_tables(participation.id, table_id)
        if not tables:
            return "", 286  # the table is gone: htmx stops polling
        return render(responses.PAGE, block="timeline", table=tables[0],
                      **responses.context(participation, tables=tables))
    return render_template(responses.PAGE, **responses.context(participation))


@bp.route("/company/fairs/<int:participation_id>/tables", methods=["POST"])
@role_required("company_rep")
def add_table(participation_id):
    participation = own_participation_or_404(participation_id)
    form = TableForm()
    if form.validate_on_submit():
        try:
            table = services.add_table(participation, form.name.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            responses.attach(form, error)
        else:
            message = _("Table “%(name)s” added.", name=table.name)
            if is_htmx():
                return responses.tables_response(participation, message)
            flash(message, "success")
            return redirect(responses.schedule_url(participation.id, table.id), code=303)
    return responses.tables_response(participation, add_form=form)


@bp.route("/company/tables/<int:table_id>/rename", methods=["POST"])
@role_required("company_rep")
def rename_table(table_id):
    table = own_table_or_404(table_id)
    participation = table.participation
    form = responses.rename_form(table, posted=True)
    if form.validate_on_submit():
        try:
            services.rename_table(table, form.name.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            responses.attach(form, error)
        else:
            return responses.done(participation, table_id, _("Table renamed “%(name)s”.", name=table.name))
    return responses.table_response(participation, table_id, {"rename_form": form})


@bp.route("/company/tables/<int:table_id>/delete", methods=["POST"])
@role_required("company_rep")
def delete_table(table_id):
    table = own_table_or_404(table_id)
    participation, name = table.participation, table.name
    form = ChangeForm()
    if not form.validate_on_submit():
        bookings = services.active_bookings(responses.slot_ids(table_id))
        return responses.table_response(participation, table_id,
                               responses.confirm_state("delete_table", form, bookings, table=table))
    try:
        cancelled = services.delete_table(table, form.reason.data, current_user, form.seen_ids())
        db.session.commit()
    except ConfirmationRequired as needed:
        db.session.rollback()
        return responses.ask_confirmation(participation, table_id, "delete_table", form, needed, table=table)
    except DomainError as error:
        db.session.rollback()
        return responses.table_response(participation, table_id, {"error": error.message})
    message = _("Table “%(name)s” deleted.", name=name)
    if cancelled:
        message += " " + responses.cancelled_message(cancelled)
    return responses.done(participation, table_id, message, whole_list=True)


from . import slot_views  # noqa: E402,F401  (its routes join this blueprint)
