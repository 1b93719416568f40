"""Training operators, tracks and cohorts: the rules (no HTTP) and the organizer's pages."""
from datetime import date

import pytest
from sqlalchemy import func, select

from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import Cohort, Track, TrainingOperator
from jobfair.programme import services

# --- Rules -------------------------------------------------------------------


def test_standard_tracks_are_added_once(app):
    assert services.add_standard_tracks() == 8
    assert services.add_standard_tracks() == 0
    names = set(db.session.scalars(select(Track.name)))
    assert names == set(services.STANDARD_TRACKS)
    assert services.missing_standard_tracks() == []


def test_standard_tracks_complete_a_partial_list(make):
    make.track("Java/JEE")
    make.track("Blockchain")
    assert services.add_standard_tracks() == 7
    assert db.session.scalar(select(func.count(Track.id))) == 9


def test_a_track_name_is_unique_whatever_its_case(make):
    make.track("Data & IA")
    with pytest.raises(DomainError) as error:
        services.save_track(None, "data & ia")
    assert error.value.field == "name"


def test_an_operator_name_is_unique_but_an_operator_keeps_its_own(app):
    operator = services.save_operator(None, "Académie Atlas", "Casablanca")
    services.save_operator(operator, "Académie Atlas", "Rabat")  # its own name: fine
    assert operator.city == "Rabat"
    with pytest.raises(DomainError) as error:
        services.save_operator(None, "  académie   atlas ")
    assert error.value.field == "name"


def test_a_cohort_ends_after_it_starts(make):
    operator, track = make.cohort().operator, make.track()
    with pytest.raises(DomainError) as error:
        services.save_cohort(None, operator, track, "Promo", "Rabat", date(2026, 6, 1), date(2026, 6, 1))
    assert error.value.field == "end_date"


def test_a_cohort_name_is_unique_per_operator_only(make):
    first = make.cohort(name="Java 2026")
    with pytest.raises(DomainError) as error:
        services.save_cohort(None, first.operator, first.track, "java 2026", "Rabat",
                             date(2026, 1, 1), date(2026, 5, 1))
    assert error.value.field == "name"
    other_operator = make.cohort().operator
    cohort = services.save_cohort(None, other_operator, first.track, "Java 2026", "Rabat",
                                  date(2026, 1, 1), date(2026, 5, 1))
    assert cohort.id is not None
    # Editing a cohort without renaming it is not a duplicate of itself.
    services.save_cohort(first, first.operator, first.track, "Java 2026", "Fès",
                         first.start_date, first.end_date)
    assert first.city == "Fès"


def test_the_overview_query_count_does_not_grow_with_cohorts(app, make):
    from .test_fairs import count_queries

    make.cohort()
    db.session.commit()
    with count_queries() as few:
        services.programme_overview()
    for _ in range(5):
        make.candidate(cohort_=make.cohort())
    db.session.commit()
    with count_queries() as many:
        _, _, cohorts = services.programme_overview()
    assert len(cohorts) == 6
    assert many.count == few.count


# --- Pages -------------------------------------------------------------------


def test_an_empty_database_gets_the_standard_tracks_in_one_click(auth, client, organizer):
    auth.login_as(organizer)
    page = client.get("/organizer/programme")
    assert 'id="add-standard-tracks"' in page.text
    response = auth.post("/organizer/tracks/standard", page="/organizer/programme")
    assert response.status_code == 303
    page = client.get("/organizer/programme")
    for name in ("Java/JEE", "Data &amp; IA", "Cybersécurité", "Test &amp; QA"):
        assert name in page.text
    assert 'id="add-standard-tracks"' not in page.text


def test_an_organizer_adds_and_renames_a_track(auth, client, organizer, make):
    auth.login_as(organizer)
    assert auth.post("/organizer/tracks/new", {"name": "Blockchain"}).status_code == 303
    track = db.session.scalar(select(Track).where(Track.name == "Blockchain"))
    assert track.slug == "blockchain"
    url = f"/organizer/tracks/{track.id}/edit"
    assert 'value="Blockchain"' in client.get(url).text
    assert auth.post(url, {"name": "Web3"}).status_code == 303
    db.session.refresh(track)
    assert (track.name, track.slug) == ("Web3", "web3")


def test_a_duplicate_track_is_refused_next_to_the_field(auth, organizer, make):
    make.track("Mobile")
    auth.login_as(organizer)
    auth.use_language("en")
    response = auth.post("/organizer/tracks/new", {"name": "MOBILE"})
    assert response.status_code == 200
    assert 'id="name-error"' in response.text
    assert "This track already exists." in response.text
    assert 'value="MOBILE"' in response.text
    assert db.session.scalar(select(func.count(Track.id))) == 1


def test_an_organizer_creates_and_edits_an_operator(auth, client, organizer):
    auth.login_as(organizer)
    assert auth.post("/organizer/operators/new", {"name": "Institut Digital", "city": "Rabat"}).status_code == 303
    operator = db.session.scalar(select(TrainingOperator))
    assert (operator.name, operator.city) == ("Institut Digital", "Rabat")
    assert "Institut Digital" in client.get("/organizer/programme").text
    url = f"/organizer/operators/{operator.id}/edit"
    assert auth.post(url, {"name": "Institut Digital de Rabat", "city": ""}).status_code == 303
    db.session.refresh(operator)
    assert (operator.name, operator.city) == ("Institut Digital de Rabat", None)


def test_a_duplicate_operator_is_refused_next_to_the_field(auth, organizer):
    db.session.add(TrainingOperator(name="Académie Atlas"))
    auth.login_as(organizer)
    response = auth.post("/organizer/operators/new", {"name": "académie atlas", "city": "Fès"})
    assert response.status_code == 200
    assert 'id="name-error"' in response.text
    assert 'value="académie atlas"' in response.text and 'value="Fès"' in response.text


def _cohort_data(operator, track, **overrides):
    data = {"operator_id": operator.id, "track_id": track.id, "name": "Java/JEE — Rabat 2026",
            "city": "Rabat", "start_date": "2026-06-01", "end_date": "2026-10-01"}
    data.update(overrides)
    return data


def test_an_organizer_creates_a_cohort_and_sees_it_listed(auth, client, organizer, make):
    operator, track = make.cohort().operator, make.track("Java/JEE")
    auth.login_as(organizer)
    response = auth.post("/organizer/cohorts/new", _cohort_data(operator, track))
    assert response.status_code == 303
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Java/JEE — Rabat 2026"))
    assert (cohort.operator_id, cohort.track_id, cohort.city) == (operator.id, track.id, "Rabat")
    assert (cohort.start_date, cohort.end_date) == (date(2026, 6, 1), date(2026, 10, 1))
    page = client.get("/organizer/programme")
    assert "Java/JEE — Rabat 2026" in page.text


def test_a_cohort_ending_before_it_starts_is_refused_and_values_are_kept(auth, organizer, make):
    operator, track = make.cohort().operator, make.track()
    auth.login_as(organizer)
    auth.use_language("en")
    response = auth.post("/organizer/cohorts/new",
                         _cohort_data(operator, track, start_date="2026-06-01", end_date="2026-05-01"))
    assert response.status_code == 200
    assert 'id="end_date-error"' in response.text
    assert "The cohort must end after it starts." in response.text
    assert 'value="2026-05-01"' in response.text and 'value="Java/JEE — Rabat 2026"' in response.text
    assert f'<option selected value="{operator.id}">' in response.text
    assert db.session.scalar(select(func.count(Cohort.id))) == 1


def test_a_duplicate_cohort_name_for_the_operator_is_refused_next_to_the_field(auth, organizer, make):
    existing = make.cohort(name="Promo A")
    auth.login_as(organizer)
    response = auth.post("/organizer/cohorts/new",
                         _cohort_data(existing.operator, existing.track, name="Promo A"))
    assert response.status_code == 200
    assert 'id="name-error"' in response.text
    assert 'value="Promo A"' in response.text


def test_a_cohort_needs_an_operator_and_a_track(auth, organizer, make):
    make.cohort()
    auth.login_as(organizer)
    response = auth.post("/organizer/cohorts/new",
                         {"operator_id": 0, "track_id": 0, "name": "X", "city": "Y",
                          "start_date": "2026-01-01", "end_date": "2026-02-01"})
    assert response.status_code == 200
    assert 'id="operator_id-error"' in response.text and 'id="track_id-error"' in response.text


def test_an_organizer_edits_a_cohort(auth, client, organizer, make):
    cohort = make.cohort(name="Promo B", city="Casablanca")
    other_track = make.track("Mobile")
    auth.login_as(organizer)
    url = f"/organizer/cohorts/{cohort.id}/edit"
    assert 'value="Promo B"' in client.get(url).text
    response = auth.post(url, _cohort_data(cohort.operator, other_track, name="Promo B", city="Tanger"))
    assert response.status_code == 303
    db.session.refresh(cohort)
    assert (cohort.city, cohort.track_id) == ("Tanger", other_track.id)


def test_editing_a_missing_object_is_a_404(auth, client, organizer):
    auth.login_as(organizer)
    for url in ("/organizer/cohorts/999/edit", "/organizer/tracks/999/edit",
                "/organizer/operators/999/edit"):
        assert client.get(url).status_code == 404


# --- Organizers open every page (everyone else is refused: the authorization matrix) ---


def _programme_routes(make):
    cohort = make.cohort()
    return [
        ("GET", "/organizer/programme"),
        ("GET", "/organizer/operators/new"),
        ("POST", "/organizer/operators/new"),
        ("GET", f"/organizer/operators/{cohort.operator_id}/edit"),
        ("POST", f"/organizer/operators/{cohort.operator_id}/edit"),
        ("GET", "/organizer/tracks/new"),
        ("POST", "/organizer/tracks/new"),
        ("GET", f"/organizer/tracks/{cohort.track_id}/edit"),
        ("POST", f"/organizer/tracks/{cohort.track_id}/edit"),
        ("POST", "/organizer/tracks/standard"),
        ("GET", "/organizer/cohorts/new"),
        ("POST", "/organizer/cohorts/new"),
        ("GET", f"/organizer/cohorts/{cohort.id}/edit"),
        ("POST", f"/organizer/cohorts/{cohort.id}/edit"),
    ]


def _request(auth, method, url):
    if method == "GET":
        return auth.client.get(url)
    return auth.post(url, {}, page="/login")


def test_organizers_reach_every_programme_page(auth, make, organizer):
    routes = _programme_routes(make)
    auth.login_as(organizer)
    for method, url in routes:
        expected = (200,) if method == "GET" else (200, 303)
        assert _request(auth, method, url).status_code in expected, (method, url)
