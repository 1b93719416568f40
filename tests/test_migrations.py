"""The migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from jobfair import create_app
from jobfair.config import TestConfig
from jobfair.extensions import db


def test_autogenerate_finds_no_difference_between_migrations_and_models(app):
    # The session's database was built by running the migrations (conftest).
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"run `flask db migrate`: models and migrations differ: {differences}"


def test_migrations_go_down_and_up_again(tmp_path):
    class FreshDatabase(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'roundtrip.db'}"

    other = create_app(FreshDatabase)
    with other.app_context():
        upgrade()
        assert "bookings" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert "bookings" not in inspect(db.engine).get_table_names()
        upgrade()
        assert {"users", "fairs", "slots", "checkins", "outbox_messages"} <= set(
            inspect(db.engine).get_table_names()
        )
        db.engine.dispose()


def test_the_folded_name_migration_fills_existing_accounts(tmp_path):
    class FreshDatabase(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'folded.db'}"

    other = create_app(FreshDatabase)
    with other.app_context():
        upgrade(revision="9c823b0ba7a9")  # before users.folded_name
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (email, first_name, last_name, role, is_enabled, "
                "session_nonce, created_at) VALUES ('a@example.ma', 'Aïcha', 'AÏT Bénali', "
                "'candidate', 1, 'n', '2026-01-01 00:00:00')"))
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT folded_name FROM users")).scalar_one() \
                == "aicha ait benali"
        db.engine.dispose()
