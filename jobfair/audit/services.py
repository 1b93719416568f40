"""Writing the audit log: one ``record()`` for every domain, in the transaction of the change.

The event is added to the session; it is committed (or rolled back) with the change it
describes, so the log never tells of a change that did not happen. The request's address is
stored when there is a request (a CLI command or a worker has none).

Exports are read with GET, whose SQLite transaction is read-only (``jobfair/database.py``):
``record_download`` writes its event in a short write transaction of its own.
"""
import json
from datetime import date, datetime, time
from decimal import Decimal

from flask import has_request_context, request

from ..database import reset_write_intent, set_write_intent
from ..extensions import db
from ..models import AuditEvent

# Stored codes of the object types; an object of another class gets its class name.
OBJECT_TYPES = {"CheckIn": "checkin"}


def _plain(value):
    """JSON for the values a change carries (dates, times, decimals, sets)."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return str(value)


def _id(value):
    return value if value is None or isinstance(value, int) else value.id


def record(action, actor=None, fair=None, obj=None, object_type=None, object_id=None,
           ip_address=None, **details):
    """Add the event ``action`` (e.g. ``"fair.updated"``) done by ``actor`` to the session.

    ``fair`` is a Fair or its id; the object is ``obj`` (a model) or ``object_type`` and
    ``object_id``. ``details`` are stored as JSON (dates as ISO strings).
    """
    if obj is not None:
        if obj.id is None:
            db.session.flush()  # the new object's id
        object_type = object_type or OBJECT_TYPES.get(type(obj).__name__,
                                                      type(obj).__name__.lower())
        object_id = obj.id
    event = AuditEvent(**_values(action, actor, fair, object_type, object_id, ip_address,
                                 details))
    db.session.add(event)
    return event


def _values(action, actor, fair, object_type, object_id, ip_address, details):
    if ip_address is None and has_request_context():
        ip_address = (request.remote_addr or "")[:45] or None
    return dict(
        action=action, actor_id=_id(actor), fair_id=_id(fair), object_type=object_type,
        object_id=object_id, ip_address=ip_address,
        details=json.dumps(details, ensure_ascii=False, default=_plain) if details else None,
    )


def insert(action, actor=None, fair=None, object_type=None, object_id=None, **details):
    """``record()`` written at once as one Core INSERT (no unit of work), for a hot path that
    already knows the object's id (the entrance scan); the same row, the same transaction."""
    db.session.connection().execute(
        AuditEvent.__table__.insert(),
        _values(action, actor, fair, object_type, object_id, None, details))


def record_download(actor, kind, file_format, fair=None, obj=None, **details):
    """Log that ``actor`` downloaded an export, and commit it at once.

    A download is a GET: nothing else is written, and the request's SQLite transaction was
    opened read-only (a write in it could fail with "database is locked" if another request
    wrote meanwhile). So the read transaction is ended and the event gets a write
    transaction of its own. The file is already built (or its filters checked): an export
    that failed to build is not logged as downloaded.
    """
    db.session.commit()  # ends the read-only transaction; it wrote nothing
    token = set_write_intent(True)
    try:
        record("export.downloaded", actor, fair, obj, kind=kind, format=file_format, **details)
        db.session.commit()
    finally:
        reset_write_intent(token)


def changes(before, after):
    """``{field: [old, new]}`` for the fields whose value differs."""
    return {key: [before.get(key), after.get(key)] for key in after
            if before.get(key) != after.get(key)}
