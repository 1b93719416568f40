"""The company representative's pages: home, profile, positions, colleagues — own company only."""
import re

import pytest

from jobfair import invitations
from jobfair.company import services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import Company, Invitation, OutboxMessage, Outcome, Position, User


@pytest.fixture
def two_companies(make):
    """Companies A and B, a representative each, and a position each."""
    a = make.company("Atlas Digital", city="Casablanca")
    b = make.company("Banque du Détroit")
    rep_a = make.user(role="company_rep", email="rh@atlas.ma", company=a)
    rep_b = make.user(role="company_rep", email="rh@detroit.ma", company=b)
    position_a = Position(company=a, title="Développeur Java", contract_type="cdi", openings=3)
    position_b = Position(company=b, title="Analyste SOC", contract_type="cdd", openings=1)
    db.session.add_all([position_a, position_b])
    db.session.flush()
    return {"a": a, "b": b, "rep_a": rep_a, "rep_b": rep_b,
            "position_a": position_a, "position_b": position_b}


# --- Home -------------------------------------------------------------------------------------


def test_home_shows_the_profile_positions_and_fairs(auth, client, make, two_companies):
    a = two_companies["a"]
    fair = make.fair(name="Job Fair Rabat")
    participation = make.participation(fair, a, status="approved")
    make.booth(fair, number="B7").participation = participation
    db.session.add(Position(company=a, title="Ancien poste", contract_type="cdi", is_open=False))
    auth.login_as(two_companies["rep_a"])
    auth.use_language("en")
    page = client.get("/company/")
    assert page.status_code == 200
    assert "Atlas Digital" in page.text and "Casablanca" in page.text
    assert "Développeur Java" in page.text and "3 openings" in page.text
    assert "Ancien poste" not in page.text  # closed positions are not "open positions"
    fairs = re.search(r'id="my-fairs"(.*?)</ul>', page.text, re.S).group(1)
    assert "Job Fair Rabat" in fairs and "Approved" in fairs and "Booth B7" in fairs
    assert "Analyste SOC" not in page.text and "Banque du Détroit" not in page.text


def test_a_representative_without_a_company_gets_404(auth, client, make):
    auth.login_as(make.user(role="company_rep"))
    assert client.get("/company/").status_code == 404


# --- Profile ------------------------------------------------------------------------------------


def test_editing_the_profile(auth, client, two_companies):
    auth.login_as(two_companies["rep_a"])
    page = client.get("/company/profile")
    assert page.status_code == 200 and 'value="Atlas Digital"' in page.text
    response = auth.post("/company/profile", {
        "name": "Atlas Digital Services", "sector": "software", "city": "Rabat",
        "size": "51-250", "description": "Éditeur de logiciels.",
        "website": "https://atlas.example.ma"})
    assert response.status_code == 303 and response.headers["Location"] == "/company/"
    company = db.session.get(Company, two_companies["a"].id)
    assert (company.name, company.normalized_name, company.slug, company.sector, company.city,
            company.size, company.description, company.website) == (
        "Atlas Digital Services", "atlas digital services", "atlas-digital-services",
        "software", "Rabat", "51-250", "Éditeur de logiciels.", "https://atlas.example.ma")


def test_renaming_onto_another_companys_name_is_refused(auth, client, two_companies):
    auth.login_as(two_companies["rep_a"])
    auth.use_language("en")
    response = auth.post("/company/profile", {
        "name": "BANQUE DU DETROIT S.A.", "sector": "esn", "city": "Rabat", "size": "",
        "description": "", "website": ""})
    assert response.status_code == 200
    error = re.search(r'id="name-error"[^>]*>(.*?)</p>', response.text, re.S).group(1)
    assert "Another company is already called Banque du Détroit" in error
    assert 'value="BANQUE DU DETROIT S.A."' in response.text and 'value="Rabat"' in response.text
    company = db.session.get(Company, two_companies["a"].id)
    assert (company.name, company.city) == ("Atlas Digital", "Casablanca")


def test_a_new_spelling_of_the_own_name_is_fine(two_companies):
    company = services.update_profile(two_companies["a"], "ATLAS DIGITAL SARL", "esn")
    assert company.name == "ATLAS DIGITAL SARL" and company.normalized_name == "atlas digital"
    assert company.slug == "atlas-digital"  # unchanged: the normalised name did not change


@pytest.mark.parametrize("field, data", [
    ("name", {"name": ""}),
    ("name", {"name": "!!!"}),
    ("website", {"website": "javascript://example.ma/%0aalert(1)"}),
    ("website", {"website": "pas une adresse"}),
    ("description", {"description": "x" * 5001}),
])
def test_bad_profile_input_is_shown_next_to_the_field(auth, two_companies, field, data):
    auth.login_as(two_companies["rep_a"])
    form = {"name": "Atlas Digital", "sector": "esn", "city": "", "size": "", "description": "",
            "website": ""}
    response = auth.post("/company/profile", {**form, **data})
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.text
    assert db.session.get(Company, two_companies["a"].id).website is None


# --- Positions ------------------------------------------------------------------------------------


def test_positions_are_listed_added_edited_closed_and_deleted(auth, client, make, two_companies):
    track = make.track("Data & IA")
    auth.login_as(two_companies["rep_a"])
    listing = client.get("/company/positions")
    assert "Développeur Java" in listing.text and "Analyste SOC" not in listing.text

    response = auth.post("/company/positions/new", {
        "title": "Data engineer", "track_id": track.id, "contract_type": "cdi", "openings": 2})
    assert response.status_code == 303 and response.headers["Location"] == "/company/positions"
    position = db.session.query(Position).filter_by(title="Data engineer").one()
    assert (position.company_id, position.track_id, position.openings, position.is_open) == (
        two_companies["a"].id, track.id, 2, True)

    edit_url = f"/company/positions/{position.id}/edit"
    assert 'value="Data engineer"' in client.get(edit_url).text
    response = auth.post(edit_url, {"title": "Data engineer senior", "track_id": "0",
                                    "contract_type": "cdd", "openings": 1})
    assert response.status_code == 303
    db.session.refresh(position)
    assert (position.title, position.track_id, position.contract_type) == (
        "Data engineer senior", None, "cdd")

    auth.post(f"/company/positions/{position.id}/close", page="/company/positions")
    db.session.refresh(position)
    assert position.is_open is False
    auth.post(f"/company/positions/{position.id}/reopen", page="/company/positions")
    db.session.refresh(position)
    assert position.is_open is True

    position_id = position.id
    response = auth.post(f"/company/positions/{position_id}/delete", page="/company/positions")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Position, position_id) is None


@pytest.mark.parametrize("field, data", [
    ("openings", {"openings": "0"}),
    ("openings", {"openings": ""}),
    ("openings", {"openings": "deux"}),
    ("title", {"title": "  "}),
    ("contract_type", {"contract_type": "cdi-ish"}),
    ("track_id", {"track_id": "9999"}),
])
def test_bad_position_input_is_shown_next_to_the_field(auth, two_companies, field, data):
    auth.login_as(two_companies["rep_a"])
    form = {"title": "Testeur QA", "track_id": "0", "contract_type": "cdi", "openings": "1"}
    response = auth.post("/company/positions/new", {**form, **data})
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.text
    assert db.session.query(Position).filter_by(company_id=two_companies["a"].id).count() == 1


def test_a_position_with_recorded_outcomes_is_closed_not_deleted(auth, client, make, two_companies):
    position = two_companies["position_a"]
    participation = make.participation(make.fair(), two_companies["a"])
    db.session.add(Outcome(participation=participation, candidate=make.candidate().candidate,
                           status="hired", position=position))
    auth.login_as(two_companies["rep_a"])
    response = auth.post(f"/company/positions/{position.id}/delete", page="/company/positions",
                         follow_redirects=True)
    assert response.status_code == 200 and 'flash-error' in response.text
    assert db.session.get(Position, position.id) is not None


def test_save_position_rules(two_companies):
    a, b = two_companies["a"], two_companies["b"]
    with pytest.raises(DomainError) as raised:
        services.save_position(a, None, "Dev", "cdi", 0)
    assert raised.value.field == "openings"
    with pytest.raises(DomainError):
        services.save_position(a, two_companies["position_b"], "Dev", "cdi", 1)
    assert services.own_position(b, two_companies["position_a"].id) is None


# --- Colleagues -------------------------------------------------------------------------------------


def test_inviting_a_colleague_of_the_same_company(app, auth, client, two_companies):
    auth.login_as(two_companies["rep_a"])
    page = client.get("/company/representatives")
    assert "rh@atlas.ma" in page.text and "rh@detroit.ma" not in page.text
    response = auth.post("/company/representatives", {"email": "Collegue@Atlas.ma"})
    assert response.status_code == 303
    invitation = db.session.query(Invitation).one()
    assert (invitation.email, invitation.role, invitation.company_id, invitation.fair_id) == (
        "collegue@atlas.ma", "company_rep", two_companies["a"].id, None)
    assert invitation.invited_by_id == two_companies["rep_a"].id
    assert db.session.query(OutboxMessage).one().recipient == "collegue@atlas.ma"
    assert "collegue@atlas.ma" in client.get("/company/representatives").text

    # The colleague accepts: same company, and sees it.
    token = re.search(r"/invitation/(\S+)", db.session.query(OutboxMessage).one().body_text).group(1)
    colleague = invitations.accept(token, "Omar", "Tazi", "un-long-mot-de-passe")
    db.session.commit()
    assert colleague.company_id == two_companies["a"].id


@pytest.mark.parametrize("email", ["rh@detroit.ma", "not-an-address", ""])
def test_a_colleague_invitation_with_a_bad_address_is_refused(auth, two_companies, email):
    auth.login_as(two_companies["rep_a"])
    response = auth.post("/company/representatives", {"email": email})
    assert response.status_code == 200 and 'id="email-error"' in response.text
    assert db.session.query(Invitation).count() == 0


def test_a_colleague_is_not_invited_twice(two_companies):
    services.invite_colleague(two_companies["a"], "new@atlas.ma", two_companies["rep_a"])
    with pytest.raises(DomainError):
        services.invite_colleague(two_companies["a"], "NEW@atlas.ma", two_companies["rep_a"])


# --- The own representative opens every page (everyone else: the authorization matrix) ---------


def _company_routes(position_id):
    return [
        ("GET", "/company/", None),
        ("GET", "/company/profile", None),
        ("POST", "/company/profile", {"name": "Renamed", "sector": "esn", "city": "", "size": "",
                                      "description": "", "website": ""}),
        ("GET", "/company/positions", None),
        ("GET", "/company/positions/new", None),
        ("POST", "/company/positions/new",
         {"title": "Intrus", "track_id": "0", "contract_type": "cdi", "openings": "1"}),
        ("GET", f"/company/positions/{position_id}/edit", None),
        ("POST", f"/company/positions/{position_id}/edit",
         {"title": "Changed", "track_id": "0", "contract_type": "cdi", "openings": "9"}),
        ("POST", f"/company/positions/{position_id}/close", {}),
        ("POST", f"/company/positions/{position_id}/reopen", {}),
        ("GET", "/company/representatives", None),
        ("POST", "/company/representatives", {"email": "intrus@example.ma"}),
        ("POST", f"/company/positions/{position_id}/delete", {}),
    ]


def test_every_company_page_opens_for_the_own_representative(auth, client, make, two_companies):
    fair = make.fair()
    auth.login_as(two_companies["rep_a"])
    position_id = two_companies["position_a"].id
    for method, url, data in _company_routes(position_id):
        response = client.get(url) if method == "GET" else auth.post(url, data, page="/login")
        assert response.status_code in (200, 303), f"{method} {url}: {response.status_code}"
    assert auth.post(f"/company/fairs/{fair.id}/request", page="/login").status_code == 303
    # What they changed is their own company's, and B's data is untouched.
    db.session.expire_all()
    assert db.session.get(Company, two_companies["a"].id).name == "Renamed"
    assert db.session.get(Position, position_id) is None  # deleted last
    assert db.session.query(Position).filter_by(title="Intrus").one().company_id == \
        two_companies["a"].id
    assert db.session.get(Position, two_companies["position_b"].id).title == "Analyste SOC"
    invitation = db.session.query(Invitation).one()
    assert invitation.company_id == two_companies["a"].id
    assert db.session.query(User).filter_by(company_id=two_companies["b"].id).count() == 1
