"""PostgreSQL backups: `flask jobfair backup FILE` (pg_dump, custom format) and
`flask jobfair restore FILE` (pg_restore) into a database on another server (the private
cluster of these tests), which the app then serves as it was: the candidate logs in and
finds their interview. (SQLite: tests/test_backup.py.)
"""
import itertools

import pytest

from jobfair.extensions import db
from jobfair.models import Company

from .. import factories
from ..test_backup import app_on, fill, forget, schedule_seen_by_candidate
from .conftest import postgres_url

pytestmark = pytest.mark.resilience

_numbers = itertools.count(1)


def invoke(app, *args):
    """A `flask jobfair` command of ``app``: inside its own app context, since the test
    already holds the `app` fixture's (which the command would otherwise use)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["jobfair", *args])


@pytest.fixture
def other_database(private_cluster):
    """A new database on another PostgreSQL server: the private cluster of these tests."""
    return private_cluster.create_database(f"restored_{next(_numbers)}")


def test_a_pg_dump_restored_into_another_database_serves_the_same_data(
        app, tmp_path, other_database):
    assert app.config["SQLALCHEMY_DATABASE_URI"] == postgres_url()
    world = fill(app)
    dump = tmp_path / "jobfair.dump"
    result = invoke(app, "backup", str(dump))
    assert result.exit_code == 0, result.output
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    # The target already holds other data: the restore replaces it whole.
    restored = app_on(other_database)
    with restored.app_context():
        from flask_migrate import upgrade

        upgrade()
        factories.company("Kasbah Labs")
        db.session.commit()
    forget(restored)
    result = invoke(restored, "restore", "--yes", str(dump))
    assert result.exit_code == 0, result.output

    page = schedule_seen_by_candidate(restored, world.schedule)
    assert "Atlas Digital" in page and "10:00" in page
    with restored.app_context():
        assert [c.name for c in db.session.scalars(db.select(Company))] == ["Atlas Digital"]
    forget(restored)


def test_a_failed_restore_leaves_the_database_as_it_was(app, tmp_path, other_database):
    restored = app_on(other_database)
    with restored.app_context():
        from flask_migrate import upgrade

        upgrade()
        factories.company("Kasbah Labs")
        db.session.commit()
        before = sorted(c.name for c in db.session.scalars(db.select(Company)))
    forget(restored)
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really a dump")
    result = invoke(restored, "restore", "--yes", str(broken))
    assert result.exit_code != 0
    assert "pg_restore failed" in result.output
    with restored.app_context():
        assert sorted(c.name for c in db.session.scalars(db.select(Company))) == before
    forget(restored)
