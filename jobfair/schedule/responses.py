"""The schedule page's answers: an htmx request gets the block that changed, a plain form post a
303 to the page (or the page again with the error or the confirmation, status 200)."""
from datetime import timezone

from flask import flash, redirect, url_for
from flask_babel import format_time, ngettext
from sqlalchemy import select

from ..actions import attach_error
from ..extensions import db
from ..fairs.lifecycle import schedule_editable
from ..htmx import is_htmx, render
from ..models import (
    Slot,
)
from ..timeutil import LOCAL_TZ
from .access import load_tables
from .forms import MoveForm, TableForm

PAGE = "schedule/schedule.html"


def context(participation, states=None, add_form=None, tables=None):
    fair = participation.fair
    return {
        "participation": participation,
        "fair": fair,
        "tables": load_tables(participation.id) if tables is None else tables,
        "editable": schedule_editable(fair),
        "states": states or {},
        "add_form": add_form or TableForm(formdata=None),
        "rename_form_for": rename_form,
        "move_form_for": move_form,
    }


# Forms repeated once per table or slot get a prefix, so their field ids stay unique.
def rename_form(table, posted=False):
    if not posted:
        return TableForm(formdata=None, prefix=f"table{table.id}", name=table.name)
    return TableForm(prefix=f"table{table.id}")


def move_form(slot, posted=False):
    if not posted:
        return MoveForm(formdata=None, prefix=f"slot{slot.id}", start=local_time(slot.starts_at))
    return MoveForm(prefix=f"slot{slot.id}")


def local_time(utc_naive):
    """The local (Casablanca) clock time of a stored naive-UTC instant."""
    return utc_naive.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).time()


def schedule_url(participation_id, table_id=None):
    anchor = f"table-{table_id}" if table_id else None
    return url_for(".participation_schedule", participation_id=participation_id, _anchor=anchor)


def table_response(participation, table_id, state):
    """htmx: this table's block; otherwise the whole page showing ``state`` at that table."""
    states = {table_id: state}
    if is_htmx():
        tables = load_tables(participation.id, table_id)
        if not tables:
            return tables_response(participation, state.get("notice"))
        return render(PAGE, block="table_block", table=tables[0],
                      **context(participation, states, tables=tables))
    return render(PAGE, **context(participation, states))


def tables_response(participation, notice=None, add_form=None):
    """htmx: the block of all tables (after adding or deleting one); otherwise the page."""
    return render(PAGE, block="tables", notice=notice,
                  **context(participation, add_form=add_form))


def done(participation, table_id, message, whole_list=False):
    """Success: the fresh block for htmx, a 303 to the page otherwise."""
    if is_htmx():
        if whole_list:
            return tables_response(participation, message)
        return table_response(participation, table_id, {"notice": message})
    flash(message, "success")
    return redirect(schedule_url(participation.id, None if whole_list else table_id), code=303)


# --- Confirmation before bookings are cancelled ----------------------------------


CONFIRM_ENDPOINTS = {
    "block": ".block_slot", "delete": ".delete_slot", "move": ".move_slot",
    "delete_table": ".delete_table",
}


def confirm_state(action, form, bookings, slot=None, table=None):
    url_values = {"slot_id": slot.id} if slot is not None else {"table_id": table.id}
    return {"confirm": {
        "action": action, "form": form, "bookings": bookings, "slot": slot,
        "url": url_for(CONFIRM_ENDPOINTS[action], **url_values),
        "seen": ",".join(str(b.id) for b in bookings),
    }}


def ask_confirmation(participation, table_id, action, form, needed, slot=None, table=None):
    if form.confirm.data:
        # Confirmed without a reason, or new bookings came in meanwhile: say so next to the field.
        form.reason.errors.append(needed.message)
    state = confirm_state(action, form, needed.bookings, slot=slot, table=table)
    return table_response(participation, table_id, state)


# --- Small helpers ------------------------------------------------------------------


def attach(form, error):
    attach_error(form, error, unplaced="form")


def slot_ids(table_id):
    return db.session.scalars(select(Slot.id).where(Slot.table_id == table_id)).all()


def slot_text(slot):
    return f"{format_time(slot.starts_at, 'short')}–{format_time(slot.ends_at, 'short')}"


def ranges_text(ranges):
    return ", ".join(f"{format_time(s, 'short')}–{format_time(e, 'short')}" for s, e in ranges)


def cancelled_message(count):
    return ngettext(
        "%(num)d booking cancelled: the candidate was emailed.",
        "%(num)d bookings cancelled: each candidate was emailed.", count)
