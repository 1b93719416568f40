"""The ceilings: a bare WSGI app served by the same gunicorn as jobfair.

- ``GET /bare``: a tiny fixed response — the ceiling of the stack (gunicorn + client).
- ``POST /book?slot=&candidate=&participation=``: only the SQL a booking cannot do
  without — the conditional seat UPDATE, the INSERT of the booking, COMMIT. 201 when
  booked, 409 when the slot is full (or the booking already exists).
- ``POST /checkin?fair=&user=&badge=&nonce=&staff=``: INSERT of the check-in, COMMIT.
  201 when checked in, 200 when the unique index says "already checked in".

No Flask, no ORM, no session, no login, no rules, no template. One DB-API connection
per worker process, opened after the fork; SQLite gets the app's pragmas and
``BEGIN IMMEDIATE`` (what keeps the app's SQLite writes correct), so the only
difference with jobfair is the work jobfair does around the same SQL.
"""
import os
import sqlite3
from datetime import datetime, timezone
from urllib.parse import parse_qs

_connection = None
_kind = None


def _connect():
    global _connection, _kind
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        _kind = "sqlite"
        _connection = sqlite3.connect(url[len("sqlite:///"):], isolation_level=None,
                                      check_same_thread=False)
        for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL",
                       "busy_timeout = 10000"):
            _connection.execute(f"PRAGMA {pragma}")
    else:
        import psycopg

        _kind = "postgresql"
        conninfo = "postgresql://" + url.split("://", 1)[1]
        _connection = psycopg.connect(conninfo)
    return _connection


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _sql(statement):
    # One statement text for both drivers: psycopg wants %s, sqlite3 wants ?.
    return statement.replace("?", "%s") if _kind == "postgresql" else statement


def _begin(conn):
    if _kind == "sqlite":
        conn.execute("BEGIN IMMEDIATE")
    # psycopg opens its transaction on the first statement.


def _rollback(conn):
    if _kind == "sqlite":
        conn.execute("ROLLBACK")
    else:
        conn.rollback()


def _commit(conn):
    if _kind == "sqlite":
        conn.execute("COMMIT")
    else:
        conn.commit()


def _integrity_errors():
    if _kind == "sqlite":
        return (sqlite3.IntegrityError,)
    import psycopg

    return (psycopg.errors.IntegrityError,)


def book(conn, slot, candidate, participation):
    _begin(conn)
    cursor = conn.execute(_sql(
        "UPDATE slots SET booked_count = booked_count + 1 "
        "WHERE id = ? AND booked_count < capacity AND NOT is_blocked"), (slot,))
    if cursor.rowcount != 1:
        _rollback(conn)
        return "409 Conflict", b"taken"
    try:
        conn.execute(_sql(
            "INSERT INTO bookings (slot_id, candidate_id, participation_id, status, created_at) "
            "VALUES (?, ?, ?, 'active', ?)"), (slot, candidate, participation, _now()))
    except _integrity_errors():
        _rollback(conn)
        return "409 Conflict", b"duplicate"
    _commit(conn)
    return "201 Created", b"booked"


def check_in(conn, fair, user, badge, nonce, staff):
    _begin(conn)
    try:
        conn.execute(_sql(
            "INSERT INTO checkins (fair_id, user_id, badge_id, kind, checked_in_at, "
            "scanned_by_id, device_name, nonce) VALUES (?, ?, ?, 'entry', ?, ?, ?, ?)"),
            (fair, user, badge, _now(), staff, "bench", nonce))
    except _integrity_errors():
        _rollback(conn)
        return "200 OK", b"already"
    _commit(conn)
    return "201 Created", b"checked_in"


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path in ("/bare", "/healthz"):
        status, body = "200 OK", b"ok"
    elif path in ("/book", "/checkin") and environ.get("REQUEST_METHOD") == "POST":
        conn = _connection or _connect()
        args = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            if path == "/book":
                status, body = book(conn, int(args["slot"]), int(args["candidate"]),
                                    int(args["participation"]))
            else:
                status, body = check_in(conn, int(args["fair"]), int(args["user"]),
                                        int(args["badge"]), args.get("nonce"),
                                        int(args["staff"]))
        except Exception as error:  # reported by the client as a 500
            try:
                _rollback(conn)
            except Exception:
                pass
            status, body = "500 Internal Server Error", repr(error).encode()
    else:
        status, body = "404 Not Found", b"not found"
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
