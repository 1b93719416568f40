"""Database behaviour that the ORM does not give by default.

SQLite is the zero-set-up database, so it must behave under concurrent
requests: foreign keys on, WAL (readers never block the writer), a busy
timeout (wait instead of failing), and write transactions that take the write
lock when they begin (``BEGIN IMMEDIATE``). A deferred transaction that reads
first and writes later cannot wait for the lock: SQLite fails it at once with
"database is locked", since waiting could deadlock. Requests with a safe
method (GET, HEAD, OPTIONS) never write, so they keep cheap deferred
transactions; everything else (POST requests, CLI commands, tests) is
immediate. Python's ``sqlite3`` is put in autocommit mode so that SQLAlchemy's
``begin`` event issues the ``BEGIN`` itself. PostgreSQL needs none of this; the same
conditional UPDATEs and unique indexes hold the invariants there.

A POST view marked ``reads_first`` (the entrance scan) starts deferred too: it reads, then
``write_from_here()`` ends its read transaction (nothing written, nothing expired) and the next
statement begins IMMEDIATE. The write lock is then held for the writes and the commit only,
not for the request's reads; no deferred transaction ever upgrades itself to a writer, so
SQLite's "busy snapshot" (a read snapshot overtaken by another writer) cannot happen there.
What was read may change before the write, as between two statements on PostgreSQL: the
write must not depend on it being fresh (the scan's unique index decides).

tests/test_sqlite.py shows both: eight concurrent read-then-write workers all succeed (and
lose no update), and a GET answers while a writer holds the lock.
"""
import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 10_000

_write_intent = ContextVar("jobfair_sqlite_write_intent", default=True)


@contextmanager
def read_only_transactions():
    """Within this block, SQLite transactions start deferred (no write lock)."""
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)


def reads_first(view):
    """Mark a POST view whose SQLite transaction starts deferred (see the module's text)."""
    view.sqlite_reads_first = True
    return view


def write_from_here(session):
    """In a ``reads_first`` request: the write lock from the next statement on (SQLite ends
    the read transaction first, keeping the objects loaded). Elsewhere (already a write
    transaction; PostgreSQL) nothing changes but the intent."""
    if _write_intent.get():
        return
    _write_intent.set(True)  # the request's teardown restores what it was before the request
    if session.in_transaction() and session.get_bind().dialect.name == "sqlite":
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire


def set_write_intent(value):
    return _write_intent.set(value)


def reset_write_intent(token):
    _write_intent.reset(token)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event below issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")
