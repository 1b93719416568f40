"""Consent per fair (law 09-08): companies see a candidate's CV and contact details only with it;
withdrawing hides them at once; nobody but the candidate records it; the CV access log."""
import csv
import io
import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import AuditEvent, Consent, CvAccess
from jobfair.privacy import services, visibility
from jobfair.timeutil import local_today

PDF = b"%PDF-1.4\n% cv of Imane\n%%EOF\n"


@pytest.fixture
def fair_world(make, app, tmp_path, monkeypatch):
    """A published fair; company Atlas approved, a booking of Imane El Fassi with it."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    (tmp_path / "cvs").mkdir()
    (tmp_path / "cvs" / "imane.pdf").write_bytes(PDF)
    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort], name="Forum Casablanca")
    atlas = make.company(name="Atlas Tech")
    participation = make.participation(fair, atlas)
    table = make.table(participation)
    person = make.bookable_candidate(cohort, email="imane@example.ma", phone="+212611223344",
                                     cv_filename="imane.pdf")
    person.first_name, person.last_name = "Imane", "El Fassi"
    make.booking(make.slot_at(table, 10), person)
    rep = make.user(role="company_rep", email="rh@atlas.ma", company=atlas)
    return SimpleNamespace(fair=fair, cohort=cohort, participation=participation, person=person,
                           rep=rep, base=f"/company/fairs/{participation.id}")


def company_pages(client, world):
    """What the company sees on every page that names candidates (schedule, leads, exports)."""
    return {
        "schedule": client.get(f"{world.base}/schedule").get_data(as_text=True),
        "leads": client.get(f"{world.base}/leads").get_data(as_text=True),
        "leads.csv": client.get(f"{world.base}/leads.csv").data.decode("utf-8-sig"),
        "outcomes": client.get(f"{world.base}/outcomes").get_data(as_text=True),
        "outcomes.csv": client.get(f"{world.base}/outcomes.csv").data.decode("utf-8-sig"),
    }


def test_without_consent_companies_see_the_first_name_track_and_cohort_only(
        auth, client, fair_world):
    from jobfair.leads import services as leads

    leads.save_lead(leads.lead_for(fair_world.participation, fair_world.person.candidate,
                                   fair_world.rep), fair_world.rep, 3, "", None)
    auth.login_as(fair_world.rep)
    pages = company_pages(client, fair_world)
    for name, text in pages.items():
        assert "El Fassi" not in text and "imane@example.ma" not in text, name
        assert "0611223344" not in text.replace(" ", ""), name
    assert "Imane" in pages["schedule"] and fair_world.cohort.track.name in pages["schedule"]
    assert f"/candidates/{fair_world.person.candidate.id}/cv" not in pages["schedule"]
    assert client.get(f"/candidates/{fair_world.person.candidate.id}/cv").status_code == 404


def test_with_consent_they_see_everything_and_each_cv_download_is_logged(
        auth, client, fair_world):
    services.give_consent(fair_world.person.candidate, fair_world.fair, fair_world.person, "fr")
    db.session.commit()
    auth.login_as(fair_world.rep)
    pages = company_pages(client, fair_world)
    assert "Imane El Fassi" in pages["schedule"] and "cv" in pages["schedule"]
    rows = list(csv.reader(io.StringIO(pages["leads.csv"]), delimiter=";"))
    assert rows[1][:3] == ["El Fassi", "Imane", "imane@example.ma"]
    response = client.get(f"/candidates/{fair_world.person.candidate.id}/cv")
    assert response.status_code == 200 and response.data == PDF
    access = db.session.scalars(select(CvAccess)).one()
    assert (access.user_id, access.company_id, access.fair_id) == (
        fair_world.rep.id, fair_world.rep.company_id, fair_world.fair.id)


def test_withdrawal_hides_the_cv_at_once_and_names_the_copies_in_the_audit_log(
        auth, client, make, fair_world):
    candidate = fair_world.person.candidate
    services.give_consent(candidate, fair_world.fair, fair_world.person, "fr")
    db.session.commit()
    auth.login_as(fair_world.rep)
    assert client.get(f"/candidates/{candidate.id}/cv").status_code == 200
    auth.logout()

    auth.login_as(fair_world.person)
    url = f"/me/fairs/{fair_world.fair.id}/consent"
    page = client.get(url).get_data(as_text=True)
    assert "Atlas Tech" in page and services.CONSENT_TEXT_VERSION in page
    response = auth.post(f"{url}/withdraw", page=url)
    assert response.status_code == 303
    auth.logout()

    auth.login_as(fair_world.rep)
    assert client.get(f"/candidates/{candidate.id}/cv").status_code == 404
    assert "El Fassi" not in client.get(f"{fair_world.base}/schedule").get_data(as_text=True)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "privacy.consent_withdrawn")).one()
    assert json.loads(event.details)["downloaded_by"] == ["Atlas Tech"]
    consent = db.session.scalars(select(Consent)).one()
    assert consent.withdrawn_at is not None  # kept, not deleted
    auth.logout()
    auth.login_as(make.user(role="organizer"))
    auth.use_language("en")
    log = client.get("/organizer/audit").get_data(as_text=True)
    assert "Consent withdrawn by Imane El Fassi" in log and "Atlas Tech" in log
    assert "Consent given by Imane El Fassi" in log


def test_the_candidate_gives_consent_through_the_page_with_its_time_and_text_version(
        auth, client, fair_world):
    auth.login_as(fair_world.person)
    url = f"/me/fairs/{fair_world.fair.id}/consent"
    assert auth.post(url).status_code == 303
    assert auth.post(url).status_code == 303  # a double click keeps one consent
    consent = db.session.scalars(select(Consent)).one()
    assert consent.text_version == services.CONSENT_TEXT_VERSION
    assert consent.given_at is not None and consent.withdrawn_at is None
    assert consent.locale == "en"


def test_a_company_cannot_record_consent_for_a_candidate(auth, client, fair_world):
    candidate = fair_world.person.candidate
    with pytest.raises(DomainError):
        services.give_consent(candidate, fair_world.fair, fair_world.rep, "fr")
    auth.login_as(fair_world.rep)
    forged = auth.post(f"/me/fairs/{fair_world.fair.id}/consent", page="/company/")
    assert forged.status_code == 403
    assert db.session.scalars(select(Consent)).all() == []
    assert client.get(f"/candidates/{candidate.id}/cv").status_code == 404


def test_a_consent_post_without_csrf_is_refused(auth, client, fair_world):
    auth.login_as(fair_world.person)
    response = client.post(f"/me/fairs/{fair_world.fair.id}/consent", data={})
    assert response.status_code == 400
    assert db.session.scalars(select(Consent)).all() == []


def test_a_fair_that_does_not_invite_the_candidate_is_404(auth, client, make, fair_world):
    other = make.open_fair(cohorts=[make.cohort()])
    auth.login_as(fair_world.person)
    assert client.get(f"/me/fairs/{other.id}/consent").status_code == 404
    assert auth.post(f"/me/fairs/{other.id}/consent", page="/me/data").status_code == 404


def test_organizer_setting_full_name_without_consent(make, fair_world):
    organizer = make.user(role="organizer")
    services.update_settings(fair_world.fair, 6, "full_name", organizer)
    db.session.commit()
    shown = visibility.company_view(fair_world.person.candidate, fair_world.fair.id)
    assert shown.name == "Imane El Fassi" and not shown.email and not shown.has_cv
    with pytest.raises(DomainError) as error:
        services.update_settings(fair_world.fair, 0, "first_name", organizer)
    assert error.value.field == "retention_months"


def test_consent_ends_with_the_retention_period(make, fair_world):
    old = make.fair(day=local_today() - timedelta(days=400), status="closed")
    old.cohorts.append(fair_world.cohort)
    make.consent(old, fair_world.person)
    assert not visibility.has_live_consent(fair_world.person.candidate.id, old.id)
    with pytest.raises(DomainError):
        services.give_consent(fair_world.person.candidate, old, fair_world.person, "fr")
    assert visibility.retention_deadline(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_the_candidate_and_the_organizer_see_the_cv_access_log(auth, client, make, fair_world):
    services.give_consent(fair_world.person.candidate, fair_world.fair, fair_world.person, "fr")
    db.session.commit()
    auth.login_as(fair_world.rep)
    client.get(f"/candidates/{fair_world.person.candidate.id}/cv")
    auth.logout()
    auth.login_as(fair_world.person)
    mine = client.get("/me/data").get_data(as_text=True)
    assert "Atlas Tech" in mine and 'id="cv-accesses"' in mine
    auth.logout()
    organizer = make.user(role="organizer")
    auth.login_as(organizer)
    for url in ("/organizer/privacy", f"/organizer/fairs/{fair_world.fair.id}/privacy"):
        page = client.get(url).get_data(as_text=True)
        assert "Atlas Tech" in page and "Imane El Fassi" in page, url


def test_the_booking_round_page_names_wishers_as_the_rule_says(auth, client, make, fair_world):
    from jobfair.models import BookingRound, Wish, utcnow

    now = utcnow()
    booking_round = make._save(BookingRound(
        fair_id=fair_world.fair.id, wishes_open_at=now - timedelta(hours=1),
        wishes_close_at=now + timedelta(days=1), publish_at=now + timedelta(days=1, hours=1),
        max_wishes=2))
    make._save(Wish(round_id=booking_round.id, candidate_id=fair_world.person.candidate.id,
                    participation_id=fair_world.participation.id, rank=1))
    auth.login_as(fair_world.rep)
    page = client.get(f"{fair_world.base}/round").get_data(as_text=True)
    assert "Imane" in page and "El Fassi" not in page
    assert f"/candidates/{fair_world.person.candidate.id}/cv" not in page
