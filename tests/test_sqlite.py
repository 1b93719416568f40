"""SQLite done right: pragmas, and concurrent writers wait instead of failing.

These tests build an SQLite database of their own, so they run (and mean the
same) whatever TEST_DATABASE_URL says.
"""
import threading
import time

import pytest
from sqlalchemy import text

from jobfair import create_app
from jobfair.config import TestConfig
from jobfair.extensions import db


@pytest.fixture
def sqlite_app(tmp_path):
    class SQLiteConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'concurrency.db'}"
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 10, "max_overflow": 10}

    app = create_app(SQLiteConfig)
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
            connection.execute(text("INSERT INTO counter VALUES (1, 0)"))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_pragmas_are_set_on_every_connection(sqlite_app):
    with sqlite_app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000


def test_concurrent_read_then_write_transactions_all_succeed(sqlite_app):
    """Each worker reads, thinks, then writes: with deferred BEGIN, most would
    fail at once with "database is locked"; with BEGIN IMMEDIATE they queue."""
    errors, workers = [], 8

    def worker():
        try:
            with sqlite_app.app_context():
                for _ in range(5):
                    n = db.session.execute(text("SELECT n FROM counter WHERE id = 1")).scalar()
                    time.sleep(0.005)
                    db.session.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
                    db.session.commit()
        except Exception as error:  # collected and reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite_app.app_context():
        # No lost update either: the read and the write were one locked unit.
        assert db.session.execute(text("SELECT n FROM counter")).scalar() == workers * 5


def test_get_requests_read_while_a_writer_holds_the_lock(sqlite_app):
    holding, release = threading.Event(), threading.Event()

    def writer():
        with sqlite_app.app_context():
            db.session.execute(text("UPDATE counter SET n = n + 1"))
            holding.set()
            release.wait(5)
            db.session.commit()

    thread = threading.Thread(target=writer)
    thread.start()
    holding.wait(5)
    started = time.monotonic()
    response = sqlite_app.test_client().get("/healthz")
    elapsed = time.monotonic() - started
    release.set()
    thread.join()
    assert response.status_code == 200
    assert elapsed < 2, "a GET waited for the write lock"
