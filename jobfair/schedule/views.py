"""The company's interview schedule: tables, slot generator, copy, and the timeline.

Every view is for company representatives and reaches only their own company's
APPROVED participations (others: 404). The rules are in services.py. A change
posted by htmx gets the re-rendered table block back; without JavaScript the
same form posts normally and gets a 303 to the page (or the page again, with
the error or the confirmation next to the table, status 200).

Past 400 lines on purpose: one page's views (tables, generator, copy, slot
changes) share the loaders and the htmx/no-JS response helpers below.
"""
from datetime import timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_time, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from ..actions import attach_error
from ..auth.access import role_required
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import schedule_editable
from ..htmx import is_htmx, render
from ..models import (
    Booking,
    Candidate,
    Cohort,
    Fair,
    InterviewTable,
    Participation,
    Slot,
)
from ..timeutil import LOCAL_TZ
from . import services
from .forms import ChangeForm, CopyForm, GeneratorForm, MoveForm, TableForm
from .services import ConfirmationRequired

bp = Blueprint("schedule", __name__)

PAGE = "schedule/schedule.html"


# --- Loaders: the only way to reach a participation, table or slot -------------


def _own_participations():
    return (Participation.company_id == current_user.company_id,
            Participation.status == "approved")


def own_participation_or_404(participation_id):
    participation = db.session.scalar(
        select(Participation)
        .where(Participation.id == participation_id, *_own_participations())
        .options(joinedload(Participation.fair).selectinload(Fair.cohorts).joinedload(Cohort.track),
                 joinedload(Participation.booth), joinedload(Participation.company))
    )
    if participation is None:
        abort(404)
    return participation


def own_table_or_404(table_id):
    table = db.session.scalar(
        select(InterviewTable)
        .join(Participation, InterviewTable.participation_id == Participation.id)
        .where(InterviewTable.id == table_id, *_own_participations())
        .options(joinedload(InterviewTable.participation).joinedload(Participation.fair))
    )
    if table is None:
        abort(404)
    return table


def own_slot_or_404(slot_id):
    slot = db.session.scalar(
        select(Slot)
        .join(InterviewTable, Slot.table_id == InterviewTable.id)
        .join(Participation, InterviewTable.participation_id == Participation.id)
        .where(Slot.id == slot_id, *_own_participations())
        .options(joinedload(Slot.table).joinedload(InterviewTable.participation)
                 .joinedload(Participation.fair))
    )
    if slot is None:
        abort(404)
    return slot


def load_tables(participation_id, table_id=None):
    """The tables with everything the timeline shows, in a fixed number of queries."""
    bookings = selectinload(InterviewTable.slots).selectinload(
        Slot.bookings.and_(Booking.status != "cancelled"))
    query = (
        select(InterviewTable)
        .where(InterviewTable.participation_id == participation_id)
        .order_by(InterviewTable.id)
        .options(
            bookings.joinedload(Booking.candidate).joinedload(Candidate.user),
            bookings.joinedload(Booking.candidate).joinedload(Candidate.cohort)
            .joinedload(Cohort.track),
            selectinload(InterviewTable.slots).selectinload(Slot.eligible_tracks),
            selectinload(InterviewTable.slots).selectinload(Slot.eligible_cohorts),
        )
        .execution_options(populate_existing=True)
    )
    if table_id is not None:
        query = query.where(InterviewTable.id == table_id)
    return db.session.scalars(query).all()


# --- Responses ----------------------------------------------------------------


def _context(participation, states=None, add_form=None, tables=None):
    fair = participation.fair
    return {
        "participation": participation,
        "fair": fair,
        "tables": load_tables(participation.id) if tables is None else tables,
        "editable": schedule_editable(fair),
        "states": states or {},
        "add_form": add_form or TableForm(formdata=None),
        "rename_form_for": _rename_form,
        "move_form_for": _move_form,
    }


# Forms repeated once per table or slot get a prefix, so their field ids stay unique.
def _rename_form(table, posted=False):
    if not posted:
        return TableForm(formdata=None, prefix=f"table{table.id}", name=table.name)
    return TableForm(prefix=f"table{table.id}")


def _move_form(slot, posted=False):
    if not posted:
        return MoveForm(formdata=None, prefix=f"slot{slot.id}", start=local_time(slot.starts_at))
    return MoveForm(prefix=f"slot{slot.id}")


def local_time(utc_naive):
    """The local (Casablanca) clock time of a stored naive-UTC instant."""
    return utc_naive.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).time()


def _schedule_url(participation_id, table_id=None):
    anchor = f"table-{table_id}" if table_id else None
    return url_for(".participation_schedule", participation_id=participation_id, _anchor=anchor)


def _table_response(participation, table_id, state):
    """htmx: this table's block; otherwise the whole page showing ``state`` at that table."""
    states = {table_id: state}
    if is_htmx():
        tables = load_tables(participation.id, table_id)
        if not tables:
            return _tables_response(participation, state.get("notice"))
        return render(PAGE, block="table_block", table=tables[0],
                      **_context(participation, states, tables=tables))
    return render(PAGE, **_context(participation, states))


def _tables_response(participation, notice=None, add_form=None):
    """htmx: the block of all tables (after adding or deleting one); otherwise the page."""
    return render(PAGE, block="tables", notice=notice,
                  **_context(participation, add_form=add_form))


def _done(participation, table_id, message, whole_list=False):
    """Success: the fresh block for htmx, a 303 to the page otherwise."""
    if is_htmx():
        if whole_list:
            return _tables_response(participation, message)
        return _table_response(participation, table_id, {"notice": message})
    flash(message, "success")
    return redirect(_schedule_url(participation.id, None if whole_list else table_id), code=303)


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
        return render(PAGE, block="timeline", table=tables[0],
                      **_context(participation, tables=tables))
    return render_template(PAGE, **_context(participation))


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
            _attach(form, error)
        else:
            message = _("Table “%(name)s” added.", name=table.name)
            if is_htmx():
                return _tables_response(participation, message)
            flash(message, "success")
            return redirect(_schedule_url(participation.id, table.id), code=303)
    return _tables_response(participation, add_form=form)


@bp.route("/company/tables/<int:table_id>/rename", methods=["POST"])
@role_required("company_rep")
def rename_table(table_id):
    table = own_table_or_404(table_id)
    participation = table.participation
    form = _rename_form(table, posted=True)
    if form.validate_on_submit():
        try:
            services.rename_table(table, form.name.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            return _done(participation, table_id, _("Table renamed “%(name)s”.", name=table.name))
    return _table_response(participation, table_id, {"rename_form": form})


@bp.route("/company/tables/<int:table_id>/delete", methods=["POST"])
@role_required("company_rep")
def delete_table(table_id):
    table = own_table_or_404(table_id)
    participation, name = table.participation, table.name
    form = ChangeForm()
    if not form.validate_on_submit():
        bookings = services.active_bookings(_slot_ids(table_id))
        return _table_response(participation, table_id,
                               _confirm_state("delete_table", form, bookings, table=table))
    try:
        cancelled = services.delete_table(table, form.reason.data, current_user, form.seen_ids())
        db.session.commit()
    except ConfirmationRequired as needed:
        db.session.rollback()
        return _ask_confirmation(participation, table_id, "delete_table", form, needed, table=table)
    except DomainError as error:
        db.session.rollback()
        return _table_response(participation, table_id, {"error": error.message})
    message = _("Table “%(name)s” deleted.", name=name)
    if cancelled:
        message += " " + _cancelled_message(cancelled)
    return _done(participation, table_id, message, whole_list=True)


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
                return redirect(_schedule_url(participation.id, table_id), code=303)
            services.check_editable(fair)
            context["plan"] = services.plan_slots(table, settings)
        except DomainError as error:
            db.session.rollback()
            _attach(form, error)
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
            _attach(form, error)
        else:
            for result in results:
                if result.created:
                    flash(ngettext("%(num)d slot copied to “%(name)s”.",
                                   "%(num)d slots copied to “%(name)s”.", result.created,
                                   name=result.table.name), "success")
                else:
                    flash(_("Nothing copied to “%(name)s”: these slots would overlap its slots "
                            "or fall outside the fair's hours: %(times)s.",
                            name=result.table.name, times=_ranges_text(result.problems)),
                          "warning")
            return redirect(_schedule_url(participation.id, table_id), code=303)
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
            return _table_response(participation, table_id, {"error": error.message})
        return _done(participation, table_id, _("Slot %(time)s open again.", time=_slot_text(slot)))
    return _table_response(participation, table_id, {})


def _change_slot(slot_id, action, form_class):
    slot = own_slot_or_404(slot_id)
    table = slot.table
    participation, table_id = table.participation, table.id
    before = _slot_text(slot)
    form = form_class()
    if not form.validate_on_submit():
        if action == "move" and form.start.errors:
            return _table_response(participation, table_id,
                                   {"move": {"slot_id": slot_id, "form": form}})
        bookings = services.active_bookings([slot_id])
        return _table_response(participation, table_id,
                               _confirm_state(action, form, bookings, slot=slot))
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
                        before=before, after=_slot_text(slot))
        db.session.commit()
    except ConfirmationRequired as needed:
        db.session.rollback()
        return _ask_confirmation(participation, table_id, action, form, needed, slot=slot)
    except DomainError as error:
        db.session.rollback()
        if action == "move" and error.field == "start":
            form.start.errors.append(error.message)
            return _table_response(participation, table_id,
                                   {"move": {"slot_id": slot_id, "form": form}})
        return _table_response(participation, table_id, {"error": error.message})
    if cancelled:
        message += " " + _cancelled_message(cancelled)
    return _done(participation, table_id, message)


# --- Confirmation before bookings are cancelled ----------------------------------


CONFIRM_ENDPOINTS = {
    "block": ".block_slot", "delete": ".delete_slot", "move": ".move_slot",
    "delete_table": ".delete_table",
}


def _confirm_state(action, form, bookings, slot=None, table=None):
    url_values = {"slot_id": slot.id} if slot is not None else {"table_id": table.id}
    return {"confirm": {
        "action": action, "form": form, "bookings": bookings, "slot": slot,
        "url": url_for(CONFIRM_ENDPOINTS[action], **url_values),
        "seen": ",".join(str(b.id) for b in bookings),
    }}


def _ask_confirmation(participation, table_id, action, form, needed, slot=None, table=None):
    if form.confirm.data:
        # Confirmed without a reason, or new bookings came in meanwhile: say so next to the field.
        form.reason.errors.append(needed.message)
    state = _confirm_state(action, form, needed.bookings, slot=slot, table=table)
    return _table_response(participation, table_id, state)


# --- Small helpers ------------------------------------------------------------------


def _attach(form, error):
    attach_error(form, error, unplaced="form")


def _slot_ids(table_id):
    return db.session.scalars(select(Slot.id).where(Slot.table_id == table_id)).all()


def _slot_text(slot):
    return f"{format_time(slot.starts_at, 'short')}–{format_time(slot.ends_at, 'short')}"


def _ranges_text(ranges):
    return ", ".join(f"{format_time(s, 'short')}–{format_time(e, 'short')}" for s, e in ranges)


def _cancelled_message(count):
    return ngettext(
        "%(num)d booking cancelled: the candidate was emailed.",
        "%(num)d bookings cancelled: each candidate was emailed.", count)

