""""My data": the ZIP export (JSON + CV, safe names), erasure asked by the candidate and confirmed
by an organizer (anonymised rows, figures unchanged), and the refusals around them."""
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import (
    Badge,
    Booking,
    Candidate,
    ErasureRequest,
    FollowUpAnswer,
    Lead,
    Outcome,
    User,
)
from jobfair.privacy import services

from .test_insertion_rates import numbers_on, programme  # noqa: F401  (the fixture)

PDF = b"%PDF-1.4\n% cv of Omar\n%%EOF\n"


@pytest.fixture
def omar(make, app, tmp_path, monkeypatch):
    """A candidate who met Atlas at a fair (booking, lead with private notes, outcome, answer)."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    (tmp_path / "cvs").mkdir()
    (tmp_path / "cvs" / "0123456789abcdef0123456789abcdef.pdf").write_bytes(PDF)
    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort], name="Forum Rabat")
    atlas = make.company(name="Atlas Tech")
    participation = make.participation(fair, atlas)
    person = make.bookable_candidate(cohort, email="omar@example.ma",
                                     cv_filename="0123456789abcdef0123456789abcdef.pdf")
    person.first_name, person.last_name = "Omar", "Berrada"
    make.booking(make.slot_at(make.table(participation), 10), person)
    db.session.add_all([
        Lead(participation=participation, candidate=person.candidate, rating=2,
             notes="private-note-of-atlas"),
        Outcome(participation=participation, candidate=person.candidate, status="offer_made"),
        FollowUpAnswer(fair_id=fair.id, candidate_id=person.candidate.id, source="candidate",
                       status="seeking"),
    ])
    make.badge(fair, person)
    make.consent(fair, person)
    db.session.flush()
    person.tmp_path = tmp_path
    return person


def download(client):
    response = client.get("/me/data/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_export_holds_everything_about_the_candidate_but_companies_private_notes(
        auth, client, omar):
    auth.login_as(omar)
    archive = download(client)
    assert sorted(archive.namelist()) == ["cv.pdf", "data.json"]
    assert archive.read("cv.pdf") == PDF
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["email"] == "omar@example.ma"
    assert data["profile"]["last_name"] == "Berrada"
    assert [b["company"] for b in data["bookings"]] == ["Atlas Tech"]
    assert data["leads"][0]["company"] == "Atlas Tech" and "notes" not in data["leads"][0]
    assert "private-note-of-atlas" not in archive.read("data.json").decode()
    assert data["outcomes"][0]["status"] == "offer_made"
    assert data["follow_up_answers"][0]["status"] == "seeking"
    assert data["consents"][0]["fair"] == "Forum Rabat"
    assert data["badges"] and "token" not in data["badges"][0]
    # The download itself is in the audit log, and the next export shows it.
    actions = [e["action"] for e in json.loads(download(client).read("data.json"))["audit_events"]]
    assert "export.downloaded" in actions


@pytest.mark.parametrize("hostile", ["../../secret.txt", "/etc/passwd", "..\\..\\x.pdf",
                                     "cvs/../../secret.txt", "C:\\Windows\\x.pdf"])
def test_a_zip_from_a_hostile_stored_name_has_safe_names_and_reads_nothing_outside(
        auth, client, omar, hostile):
    (omar.tmp_path / "secret.txt").write_text("not a CV")
    omar.candidate.cv_filename = hostile
    db.session.commit()
    auth.login_as(omar)
    archive = download(client)
    for info in archive.infolist():
        name = info.filename
        assert not name.startswith(("/", "\\")) and ".." not in name and "\\" not in name
        assert ":" not in name
    assert archive.namelist() == ["data.json"]
    assert b"not a CV" not in b"".join(archive.read(n) for n in archive.namelist())


@pytest.mark.parametrize("role", ["company_rep", "organizer", "staff"])
def test_nobody_but_the_candidate_gets_an_export(auth, client, make, omar, role):
    auth.login_as(make.user(role=role, company=make.company() if role == "company_rep" else None))
    assert client.get("/me/data/export.zip").status_code == 403


def test_another_candidate_only_ever_exports_their_own_data(auth, client, make, omar):
    other = make.candidate(cohort_=omar.candidate.cohort, email="autre@example.ma")
    auth.login_as(other)
    text = b"".join(download(client).read(n) for n in ["data.json"]).decode()
    assert "omar@example.ma" not in text and "Berrada" not in text
    # Another candidate's id in the URL reaches nothing: there is no such URL.
    assert client.get(f"/me/data/export.zip?candidate_id={omar.candidate.id}").status_code == 200
    assert client.get(f"/candidates/{omar.candidate.id}/data.zip").status_code == 404


def test_erasure_asked_by_the_candidate_and_confirmed_by_an_organizer(auth, client, make, omar):
    candidate_id, cv = omar.candidate.id, omar.tmp_path / "cvs" / omar.candidate.cv_filename
    auth.login_as(omar)
    refused = auth.post("/me/data/erasure", {}, page="/me/data")
    assert refused.status_code == 422 and 'id="understood-error"' in refused.get_data(as_text=True)
    assert auth.post("/me/data/erasure", {"understood": "y"}, page="/me/data").status_code == 303
    # Asked twice: one request, and the page says it is on its way.
    again = auth.post("/me/data/erasure", {"understood": "y"}, page="/me/data",
                      follow_redirects=True)
    assert "already asked" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(ErasureRequest)).all()) == 1
    auth.logout()

    organizer = make.user(role="organizer")
    auth.login_as(organizer)
    request_ = db.session.scalars(select(ErasureRequest)).one()
    url = f"/organizer/privacy/erasures/{request_.id}/confirm"
    assert auth.post(url, page="/organizer/privacy").status_code == 303
    # Confirmed twice (two organizers, a double click): the second is refused, nothing changes.
    second = auth.post(url, page="/organizer/privacy", follow_redirects=True)
    assert "already settled" in second.get_data(as_text=True)

    db.session.expire_all()
    user = db.session.get(User, omar.id)
    candidate = db.session.get(Candidate, candidate_id)
    assert user.email.endswith("@erased.invalid") and not user.first_name and not user.last_name
    assert user.password_hash is None and not user.is_enabled
    assert candidate.phone is None and candidate.cv_filename is None and not cv.exists()
    assert candidate.cohort_id is not None  # the figures still count them
    # The rows stay, anonymised.
    assert db.session.scalars(select(Booking).where(Booking.candidate_id == candidate_id)).all()
    assert db.session.scalars(select(Outcome).where(Outcome.candidate_id == candidate_id)).all()
    lead = db.session.scalars(select(Lead).where(Lead.candidate_id == candidate_id)).one()
    assert lead.notes is None
    assert all(b.revoked_at for b in db.session.scalars(select(Badge)))
    with pytest.raises(DomainError):
        services.request_erasure(user)
    auth.logout()
    assert auth.login("omar@example.ma").status_code != 303  # the old login is gone


def test_an_organizer_account_cannot_be_erased(auth, make, omar):
    organizer = make.user(role="organizer")
    other = make.user(role="organizer")
    with pytest.raises(DomainError):
        services.erase_account(organizer, other)
    with pytest.raises(DomainError):
        services.request_erasure(organizer)
    rep = make.user(role="company_rep", company=make.company())
    with pytest.raises(DomainError):
        services.erase_account(rep, organizer)
    # Through the web: the erasure request is a candidate's page only.
    auth.login_as(organizer)
    assert auth.post("/me/data/erasure", {"understood": "y"}, page="/organizer/").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, organizer.id).email and db.session.get(User, organizer.id).is_enabled


def test_only_an_organizer_confirms(make, omar):
    request_ = services.request_erasure(omar)
    with pytest.raises(DomainError):
        services.confirm_erasure(request_, omar)


def test_the_dashboard_figures_are_the_same_before_and_after_an_erasure(
        auth, client, make, programme):  # noqa: F811
    organizer = make.user(role="organizer")
    auth.login_as(organizer)
    pages = ["/organizer/insertion"] + [f"/organizer/insertion?group={g}" for g in
                                        ("fair", "cohort", "company", "track")]
    before = [numbers_on(client.get(url)) for url in pages]
    for person in programme["people"][:3] + programme["others"][:1]:
        request_ = services.request_erasure(person)
        services.confirm_erasure(request_, organizer)
    db.session.commit()
    after = [numbers_on(client.get(url)) for url in pages]
    assert after == before
    html = client.get("/organizer/insertion?group=company").get_data(as_text=True)
    assert "Atlas Tech" in html
