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
