"""Fixtures: one app per test session on a migrated database, emptied after each test.

The database is TEST_DATABASE_URL when set (PostgreSQL in CI), a temporary
SQLite file otherwise.
"""
import re

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from jobfair import create_app
from jobfair.config import TestConfig
from jobfair.extensions import db, limiter

from . import factories


def reset_schema():
    """Drop every table (and Alembic's), so migrations start from nothing."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def empty_tables():
    """DELETE every row, children first: on PostgreSQL a TRUNCATE of every table costs ~85 ms a
    test, a DELETE of a test's few rows ~5 ms. Identities go on counting (no test relies on them).
    """
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


class IsolatedClient(FlaskClient):
    """Each request in an app context of its own, as in production.

    Tests hold an app context (for the database) while they make requests;
    without this, requests would share the test's ``g`` and database session.
    The test's own session is committed first: what the test set up is visible
    to the request, and the test holds no transaction (nor SQLite lock, nor
    old snapshot) while the request runs.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        # Streamed responses are read inside the request's own context.
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app():
    app = create_app(TestConfig)
    app.test_client_class = IsolatedClient
    with app.app_context():
        reset_schema()
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request):
    """After each test that used the app: empty tables, rate limits and sent mail."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        empty_tables()
        limiter.reset()
        app.extensions.pop("sent_mail", None)
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    """The factories, bound to the test database: ``make.user(role="candidate")``."""
    return factories


def csrf_token_from(response):
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', response.data) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', response.data
    )
    assert match, "no CSRF token in the page"
    return match.group(1).decode()


class AuthActions:
    """Log in and out through the real forms (CSRF included)."""

    def __init__(self, client):
        self.client = client

    def csrf(self, url="/login"):
        return csrf_token_from(self.client.get(url, follow_redirects=True))

    def login(self, email, password=factories.PASSWORD, follow_redirects=False):
        return self.client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": self.csrf("/login")},
            follow_redirects=follow_redirects,
        )

    def login_as(self, user):
        response = self.login(user.email)
        assert response.status_code == 303, response.data[:500]
        return user

    def logout(self):
        token = self.csrf("/login")
        return self.client.post("/logout", data={"csrf_token": token})

    def use_language(self, locale):
        """Switch the session's language as the layout's buttons do."""
        response = self.client.post(
            "/language", data={"locale": locale, "csrf_token": self.csrf("/login"), "next": "/"}
        )
        assert response.status_code == 303

    def post(self, url, data=None, page=None, **kwargs):
        """POST with the CSRF token of ``page`` (default: ``url`` itself)."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf(page or url))
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def organizer(make):
    return make.user(role="organizer", email="orga@example.ma")


@pytest.fixture
def candidate(make):
    return make.candidate(email="cand@example.ma")


@pytest.fixture
def company_rep(make):
    return make.user(role="company_rep", email="rh@atlas.example.ma", company=make.company())


@pytest.fixture
def staff(make):
    return make.user(role="staff", email="accueil@example.ma")
