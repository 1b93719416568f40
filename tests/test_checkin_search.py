"""The scanner's name search: accents and case aside, done by the database, and up to date
whoever wrote the names (import, profile, activation, demo, tests' factories)."""
import pytest
from sqlalchemy import event, select

from jobfair.checkin import services
from jobfair.extensions import db
from jobfair.models import User
from jobfair.text import fold

from .test_imports import HEADER, csv_bytes, import_file


@pytest.fixture
def fair(make, staff):
    cohort = make.cohort(name="Java/JEE — Casablanca 2026", track=make.track("Java/JEE"))
    fair = make.fair(status="live", cohorts=[cohort])
    fair.staff.append(staff)
    db.session.flush()
    return fair


def person(make, fair, first, last, email=None):
    account = make.candidate(email=email, cohort_=fair.cohorts[0])
    account.first_name, account.last_name = first, last  # as the tests' factories rename
    return account


def names_found(auth, fair, query):
    page = auth.client.get(f"/staff/fairs/{fair.id}/scan", query_string={"q": query}).text
    return {name for name in ("Aïcha Aït Benhaddou", "Salma Élbaz", "Omar Alaoui",
                              "Karim Tazi", "Kenza Ait-Lahcen") if name in page}


def test_names_are_found_whatever_their_accents_and_case(auth, make, fair, staff):
    person(make, fair, "Aïcha", "Aït Benhaddou")
    person(make, fair, "Salma", "Élbaz")
    person(make, fair, "Omar", "Alaoui")
    auth.login_as(staff)
    assert names_found(auth, fair, "ait") == {"Aïcha Aït Benhaddou"}
    assert names_found(auth, fair, "AÏT aicha") == {"Aïcha Aït Benhaddou"}
    assert names_found(auth, fair, "benhaddou AICHA") == {"Aïcha Aït Benhaddou"}
    assert names_found(auth, fair, "elbaz") == {"Salma Élbaz"}
    assert names_found(auth, fair, "ÉLBAZ salma") == {"Salma Élbaz"}
    assert names_found(auth, fair, "a") == {"Aïcha Aït Benhaddou", "Salma Élbaz", "Omar Alaoui"}
    assert names_found(auth, fair, "%") == set()  # a wildcard is a character like others
    assert names_found(auth, fair, "zzz") == set()


def test_the_database_filters_the_names_not_python(make, fair):
    for n in range(40):
        person(make, fair, f"Youssef{n}", "Bennani")
    person(make, fair, "Aïcha", "Aït Benhaddou")
    db.session.commit()
    loaded = []
    listener = lambda target, _context: loaded.append(target)  # noqa: E731
    event.listen(User, "load", listener)
    try:
        found = services.search_people(fair, "ait")
    finally:
        event.remove(User, "load", listener)
    assert [p.full_name for p in found] == ["Aïcha Aït Benhaddou"]
    assert loaded == found  # the forty others never left the database
    assert len(services.search_people(fair, "bennani")) == 20  # the page's limit


def test_a_name_changed_on_the_profile_is_found_under_the_new_name(auth, make, fair, staff):
    salma = person(make, fair, "Salma", "Élbaz", email="salma@example.ma")
    auth.login_as(salma)
    response = auth.post("/me/profile", {"first_name": "Salma", "last_name": "Aït Lahcen",
                                         "phone": "06 12 34 56 78", "city": "Casablanca"})
    assert response.status_code == 303
    auth.logout()
    auth.login_as(staff)
    scanner = f"/staff/fairs/{fair.id}/scan"
    assert "Salma Aït Lahcen" in auth.client.get(scanner, query_string={"q": "ait lahcen"}).text
    assert "Salma" not in auth.client.get(scanner, query_string={"q": "elbaz"}).text


def test_imported_and_reimported_candidates_are_found_by_their_names(
        app, auth, client, make, fair, organizer, staff, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    cohort = fair.cohorts[0].name
    auth.login_as(organizer)
    import_file(auth, client, csv_bytes([
        HEADER, ["Kenza", "Ait-Lahcen", "kenza@example.ma", "", cohort, "", "Rabat"]]))
    import_file(auth, client, csv_bytes([  # the same e-mail: the names are corrected
        HEADER, ["Aïcha", "Aït Benhaddou", "kenza@example.ma", "", cohort, "", "Rabat"]]))
    auth.logout()
    auth.login_as(staff)
    assert names_found(auth, fair, "aicha ait") == {"Aïcha Aït Benhaddou"}
    assert names_found(auth, fair, "lahcen") == set()


def test_every_writer_of_names_keeps_the_folded_name(make, runner, app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    assert runner.invoke(args=["jobfair", "demo"]).exit_code == 0
    someone = make.user(first_name="Élodie", last_name="N'Diaye")
    someone.last_name = "Aït SSouza"  # renamed after creation
    db.session.commit()
    users = db.session.scalars(select(User)).all()
    assert len(users) > 100
    assert all(u.folded_name == fold(f"{u.first_name} {u.last_name}") for u in users)
    assert someone.folded_name == "elodie ait ssouza"
