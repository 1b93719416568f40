"""Backups: `flask jobfair backup FILE` copies a SQLite database while it is in use, and
`flask jobfair restore FILE` brings it back into a new database, which the app serves as it
was: the candidate logs in and finds their interview. (PostgreSQL's pg_dump / pg_restore:
tests/resilience/test_backup_postgres.py.)

These tests build their own apps on SQLite files: they never touch the `app` fixture's
database.
"""
import sqlite3
from types import SimpleNamespace

from flask_migrate import upgrade

from jobfair import create_app
from jobfair.config import TestConfig
from jobfair.extensions import db

from . import factories
from .conftest import IsolatedClient, csrf_token_from

EMAIL = "salma.backup@example.ma"


def app_on(database_url):
    class OnDatabase(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(OnDatabase)
    app.test_client_class = IsolatedClient
    return app


def fill(app):
    """A fair where Salma holds an interview with Atlas Digital at 10:00."""
    with app.app_context():
        upgrade()
        cohort = factories.cohort()
        fair = factories.open_fair(cohorts=[cohort], name="Forum Casablanca")
        atlas = factories.participation(fair, factories.company("Atlas Digital"))
        slot = factories.slot_at(factories.table(atlas), 10)
        salma = factories.bookable_candidate(cohort, email=EMAIL)
        factories.booking(slot, salma)
        db.session.commit()
        return SimpleNamespace(fair_id=fair.id, schedule=f"/me/fairs/{fair.id}/schedule")


def schedule_seen_by_candidate(app, schedule):
    """Log in as Salma through the real form and read her schedule page."""
    with app.app_context():
        client = app.test_client()
        token = csrf_token_from(client.get("/login"))
        response = client.post("/login", data={
            "email": EMAIL, "password": factories.PASSWORD, "csrf_token": token})
        assert response.status_code == 303, response.text[:500]
        page = client.get(schedule)
        assert page.status_code == 200
        return page.text


def forget(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_sqlite_backup_restored_into_a_new_database_serves_the_same_data(tmp_path):
    original = app_on(f"sqlite:///{tmp_path / 'live.db'}")
    world = fill(original)
    assert "Atlas Digital" in schedule_seen_by_candidate(original, world.schedule)

    # Online: another connection is in the middle of reading when the copy is taken.
    reader = sqlite3.connect(tmp_path / "live.db")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM users").fetchone()
    result = original.test_cli_runner().invoke(args=["jobfair", "backup", str(tmp_path / "copy.db")])
    reader.rollback()
    reader.close()
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output

    # A change after the backup is not in it.
    with original.app_context():
        factories.company("Kasbah Labs")
        db.session.commit()
    forget(original)

    restored = app_on(f"sqlite:///{tmp_path / 'new' / 'restored.db'}")
    result = restored.test_cli_runner().invoke(
        args=["jobfair", "restore", "--yes", str(tmp_path / "copy.db")])
    assert result.exit_code == 0, result.output
    page = schedule_seen_by_candidate(restored, world.schedule)
    assert "Atlas Digital" in page
    assert "10:00" in page
    with restored.app_context():
        from jobfair.models import Company

        assert sorted(c.name for c in db.session.scalars(db.select(Company))) == ["Atlas Digital"]
    forget(restored)


def test_backup_refuses_to_overwrite_a_file_and_restore_refuses_a_foreign_file(tmp_path):
    app = app_on(f"sqlite:///{tmp_path / 'live.db'}")
    fill(app)
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"keep me")
    result = app.test_cli_runner().invoke(args=["jobfair", "backup", str(existing)])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert existing.read_bytes() == b"keep me"

    result = app.test_cli_runner().invoke(args=["jobfair", "restore", "--yes", str(existing)])
    assert result.exit_code != 0
    assert "is not a SQLite backup" in result.output
    # The database is untouched.
    with app.app_context():
        from jobfair.models import User

        assert db.session.scalar(db.select(User.email).where(User.email == EMAIL)) == EMAIL
    forget(app)


def test_restore_asks_for_confirmation(tmp_path):
    app = app_on(f"sqlite:///{tmp_path / 'live.db'}")
    fill(app)
    app.test_cli_runner().invoke(args=["jobfair", "backup", str(tmp_path / "copy.db")])
    result = app.test_cli_runner().invoke(
        args=["jobfair", "restore", str(tmp_path / "copy.db")], input="n\n")
    assert result.exit_code != 0
    assert "Aborted" in result.output
    forget(app)
