"""A booth's interview tables (one per interviewer): add, rename, delete (rules.py applies)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..errors import DomainError
from ..extensions import db
from ..models import (
    InterviewTable,
    Slot,
)
from .rules import (
    check_editable,
    delete_slots,
    drop_bookings,
    lock_table,
    refuse_if_interviews_recorded,
)


# --- Tables -----------------------------------------------------------------


def _clean_table_name(name):
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(
            _l("Give the table a name, for example the interviewer's name."), field="name"
        )
    if len(name) > 100:
        raise DomainError(_l("Keep the name under 100 characters."), field="name")
    return name


def _check_name_free(participation_id, name, except_id=None):
    query = select(InterviewTable.id).where(
        InterviewTable.participation_id == participation_id,
        func.lower(InterviewTable.name) == name.lower(),
    )
    if except_id is not None:
        query = query.where(InterviewTable.id != except_id)
    if db.session.scalar(query) is not None:
        raise DomainError(
            _l("Your booth already has a table named “%(name)s”.", name=name), field="name"
        )


def _flush_name(name):
    try:
        db.session.flush()
    except IntegrityError:
        # Two requests raced for the same name: the unique constraint decided.
        raise DomainError(
            _l("Your booth already has a table named “%(name)s”.", name=name), field="name"
        ) from None


def add_table(participation, name):
    check_editable(participation.fair)
    name = _clean_table_name(name)
    _check_name_free(participation.id, name)
    table = InterviewTable(participation=participation, name=name)
    db.session.add(table)
    _flush_name(name)
    return table


def rename_table(table, name):
    check_editable(table.participation.fair)
    name = _clean_table_name(name)
    _check_name_free(table.participation_id, name, except_id=table.id)
    table.name = name
    _flush_name(name)
    return table


def delete_table(table, reason, by_user, seen=None):
    """Delete a table and its slots; its live bookings are cancelled (with a reason) first."""
    check_editable(table.participation.fair)
    lock_table(table.id)
    slot_ids = db.session.scalars(select(Slot.id).where(Slot.table_id == table.id)).all()
    refuse_if_interviews_recorded(
        slot_ids,
        _l("Interviews at this table are already recorded (attended or no-show): "
           "it cannot be deleted."),
    )
    cancelled = drop_bookings(slot_ids, reason, by_user, seen)
    delete_slots(slot_ids, by_user)
    db.session.expire(table, ["slots"])
    db.session.delete(table)
    db.session.flush()
    return cancelled
