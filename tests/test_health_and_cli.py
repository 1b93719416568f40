"""Health check, demo data and the admin command."""
import pytest
from sqlalchemy import func, select

from jobfair import create_app
from jobfair.config import TestConfig
from jobfair.extensions import db
from jobfair.models import Booking, Candidate, Company, Fair, ShortlistMark, Slot, User, Wish
from jobfair.round import services as round_services


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    class Unreachable(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/missing-dir/nope.db"

    response = create_app(Unreachable).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"


@pytest.fixture
def instance(app, monkeypatch, tmp_path):
    """Demo CVs go to a temporary instance folder, not the developer's."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


def test_demo_builds_a_believable_fair(runner, auth, client, instance):
    result = runner.invoke(args=["jobfair", "demo"])
    assert result.exit_code == 0, result.output
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    # The upcoming fair in Casablanca, a past, closed one in Rabat (outcomes, follow-ups), and
    # an upcoming one in Marrakech whose booking round takes wishes (issue 12).
    assert count(Company) == 12 and count(Candidate) == 120 and count(Fair) == 3
    in_round = db.session.scalar(select(Fair).where(Fair.slug == "jobintech-marrakech-2026"))
    assert round_services.state(round_services.round_of(in_round)) == "open"
    assert count(Wish) > 0 and count(ShortlistMark) > 0
    fair = db.session.scalar(select(Fair).where(Fair.slug == "jobintech-casablanca-2026"))
    assert fair.city == "Casablanca" and len(fair.cohorts) == 3
    assert {c.track.name for c in fair.cohorts} == {"Java/JEE", "Data & IA", "Cloud & DevOps"}
    sectors = db.session.scalars(select(Company.sector).distinct()).all()
    assert len(sectors) >= 6
    emails = set(db.session.scalars(select(User.email)))
    assert {"organizer@demo.jobfair", "staff@demo.jobfair", "candidate1@demo.jobfair",
            "candidate120@demo.jobfair", "recruiter@atlas-digital-services.demo.jobfair"} <= emails
    # Most candidates have a CV (a real PDF on disk), the last twenty not yet.
    with_cv = db.session.scalars(select(Candidate).where(Candidate.cv_filename.is_not(None))).all()
    assert len(with_cv) == 100
    assert all((instance / "cvs" / c.cv_filename).read_bytes().startswith(b"%PDF-") for c in with_cv)
    assert db.session.scalar(
        select(Candidate).join(User).where(User.email == "candidate120@demo.jobfair")
    ).cv_filename is None
    # Booked counts agree with the bookings.
    booked = db.session.scalar(select(func.sum(Slot.booked_count)))
    assert booked == count(Booking) > 0
    for email, home in [("organizer@demo.jobfair", "/organizer/"),
                        ("recruiter@kasbah-labs.demo.jobfair", "/company/"),
                        ("candidate7@demo.jobfair", "/me/"), ("staff@demo.jobfair", "/staff/")]:
        response = auth.login(email, "jobfair-demo")
        assert response.headers["Location"] == home
        assert client.get(home).status_code == 200
        auth.logout()


def test_demo_refuses_a_non_empty_database_unless_reset(runner, make, instance):
    make.user(email="someone@example.ma")
    db.session.commit()
    refused = runner.invoke(args=["jobfair", "demo"])
    assert refused.exit_code != 0 and "--reset" in refused.output
    assert runner.invoke(args=["jobfair", "demo", "--if-empty"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Company)) == 0
    reset = runner.invoke(args=["jobfair", "demo", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert len(list((instance / "cvs").iterdir())) == 100
    # A second reset replaces the CVs instead of piling them up.
    assert runner.invoke(args=["jobfair", "demo", "--reset"]).exit_code == 0
    assert len(list((instance / "cvs").iterdir())) == 100
    assert db.session.scalar(select(User).where(User.email == "someone@example.ma")) is None
    assert db.session.scalar(select(func.count()).select_from(Candidate)) == 120


def test_create_admin_makes_an_organizer_who_can_log_in(runner, auth):
    result = runner.invoke(args=["jobfair", "create-admin", "--email", "Chef@Example.ma",
                                 "--password", "a-long-enough-password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "chef@example.ma"))
    assert user.role == "organizer"
    assert auth.login("chef@example.ma", "a-long-enough-password").headers["Location"] == "/organizer/"
    again = runner.invoke(args=["jobfair", "create-admin", "--email", "chef@example.ma",
                                "--password", "a-long-enough-password"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from jobfair.config import Config

    class Production(Config):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Production)
