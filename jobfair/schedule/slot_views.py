"""The schedule's slot views: the generator (preview, then create), copying a table's schedule,
and changes to one slot (block, unblock, move, delete — with confirmation when booked).
They are routes of the schedule blueprint (views.py imports this module)."""

from flask import flash, redirect, render_template, request
from flask_babel import ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from ..auth.access import role_required
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import schedule_editable
from ..htmx import render
from ..models import (
    InterviewTable,
    Slot,
)
from . import responses, services
from .access import own_slot_or_404, own_table_or_404
from .forms import ChangeForm, CopyForm, GeneratorForm, MoveForm
from .services import ConfirmationRequired
from .views import bp


# --- Slot generator -------------------------------------------------------------


@bp.route("/company/tables/<int:table_id>/slots/new", methods=["GET", "POST"])
@role_required("company_rep")
def generate_slots(table_id):
    table = own_table_or_404(table_id)
    participation, fair = table.participation, table.participation.fair
    tracks, cohorts = services.prerequisite_choices(fair)
    if request.method == "POST":
        form = GeneratorForm()
    else:
        form = GeneratorForm(formdata=None, start=fair.opens_at, end=fair.closes_at,
                             slot_minutes=20)
    form.set_prerequisite_choices(tracks, cohorts)
    context = {"table": table, "participation": participation, "fair": fair, "form": form,
               "editable": schedule_editable(fair), "plan": None}
    if form.validate_on_submit():
        creating = request.form.get("action") == "create"
        try:
            settings = form.settings()
            if creating:
                created = services.create_slots(
                    table, settings, form.tracks.data or (), form.cohorts.data or (),
                    expected=form.expected_count())
                db.session.commit()
                flash(ngettext("%(num)d slot created for “%(name)s”.",
                               "%(num)d slots created for “%(name)s”.", created,
                               name=table.name), "success")
                return redirect(responses.schedule_url(participation.id, table_id), code=303)
            services.check_editable(fair)
            context["plan"] = services.plan_slots(table, settings)
        except DomainError as error:
            db.session.rollback()
            responses.attach(form, error)
            if creating and error.field is None:
                # The table changed since the preview: show the fresh one.
                try:
                    context["plan"] = services.plan_slots(table, form.settings())
                except DomainError:
                    pass
    return render("schedule/generate.html", block="generator", **context)


# --- Copy a table's schedule ------------------------------------------------------


@bp.route("/company/tables/<int:table_id>/copy", methods=["GET", "POST"])
@role_required("company_rep")
def copy_schedule(table_id):
    table = own_table_or_404(table_id)
    participation = table.participation
    others = db.session.scalars(
        select(InterviewTable)
        .where(InterviewTable.participation_id == participation.id, InterviewTable.id != table_id)
        .order_by(InterviewTable.id)
    ).all()
    form = CopyForm()
    form.targets.choices = [SelectChoice(t.id, t.name) for t in others]
    slot_count = db.session.scalar(select(func.count(Slot.id)).where(Slot.table_id == table_id))
    if form.validate_on_submit():
        chosen = [t for t in others if t.id in set(form.targets.data or ())]
        try:
            results = services.copy_schedule(table, chosen)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            responses.attach(form, error)
        else:
            for result in results:
                if result.created:
                    flash(ngettext("%(num)d slot copied to “%(name)s”.",
                                   "%(num)d slots copied to “%(name)s”.", result.created,
                                   name=result.table.name), "success")
                else:
                    flash(_("Nothing copied to “%(name)s”: these slots would overlap its slots "
                            "or fall outside the fair's hours: %(times)s.",
                            name=result.table.name, times=responses.ranges_text(result.problems)),
                          "warning")
            return redirect(responses.schedule_url(participation.id, table_id), code=303)
    return render_template("schedule/copy.html", table=table, participation=participation,
                           fair=participation.fair, form=form, others=others,
                           slot_count=slot_count, editable=schedule_editable(participation.fair))


# --- One slot -----------------------------------------------------------------------


@bp.route("/company/slots/<int:slot_id>/block", methods=["POST"])
@role_required("company_rep")
def block_slot(slot_id):
    return _change_slot(slot_id, "block", ChangeForm)


@bp.route("/company/slots/<int:slot_id>/delete", methods=["POST"])
@role_required("company_rep")
def delete_slot(slot_id):
    return _change_slot(slot_id, "delete", ChangeForm)


@bp.route("/company/slots/<int:slot_id>/move", methods=["POST"])
@role_required("company_rep")
def move_slot(slot_id):
    return _change_slot(slot_id, "move", lambda: MoveForm(prefix=f"slot{slot_id}"))


@bp.route("/company/slots/<int:slot_id>/unblock", methods=["POST"])
@role_required("company_rep")
def unblock_slot(slot_id):
    slot = own_slot_or_404(slot_id)
    participation, table_id = slot.table.participation, slot.table_id
    form = ChangeForm()
    if form.validate_on_submit():
        try:
            services.unblock_slot(slot)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            return responses.table_response(participation, table_id, {"error": error.message})
        return responses.done(participation, table_id, _("Slot %(time)s open again.", time=responses.slot_text(slot)))
    return responses.table_response(participation, table_id, {})


def _change_slot(slot_id, action, form_class):
    slot = own_slot_or_404(slot_id)
    table = slot.table
    participation, table_id = table.participation, table.id
    before = responses.slot_text(slot)
    form = form_class()
    if not form.validate_on_submit():
        if action == "move" and form.start.errors:
            return responses.table_response(participation, table_id,
                                   {"move": {"slot_id": slot_id, "form": form}})
        bookings = services.active_bookings([slot_id])
        return responses.table_response(participation, table_id,
                               responses.confirm_state(action, form, bookings, slot=slot))
    try:
        if action == "block":
            cancelled = services.block_slot(slot, form.reason.data, current_user, form.seen_ids())
            message = _("Slot %(time)s blocked.", time=before)
        elif action == "delete":
            cancelled = services.delete_slot(slot, form.reason.data, current_user, form.seen_ids())
            message = _("Slot %(time)s deleted.", time=before)
        else:
            cancelled = services.move_slot(slot, form.start.data, form.reason.data, current_user,
                                           form.seen_ids())
            message = _("Slot %(before)s moved to %(after)s.",
                        before=before, after=responses.slot_text(slot))
        db.session.commit()
    except ConfirmationRequired as needed:
        db.session.rollback()
        return responses.ask_confirmation(participation, table_id, action, form, needed, slot=slot)
    except DomainError as error:
        db.session.rollback()
        if action == "move" and error.field == "start":
            form.start.errors.append(error.message)
            return responses.table_response(participation, table_id,
                                   {"move": {"slot_id": slot_id, "form": form}})
        return responses.table_response(participation, table_id, {"error": error.message})
    if cancelled:
        message += " " + responses.cancelled_message(cancelled)
    return responses.done(participation, table_id, message)
