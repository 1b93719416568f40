"""Companies without duplicates: name matching, the organizer's invitations and their acceptance.

One file for the whole invitation feature (matching rules, invitation rules, acceptance, pages and
their authorization), hence its length.
"""
import re

import pytest
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from jobfair import demo
from jobfair import invitations
from jobfair.auth import services as auth_services
from jobfair.companies import matching, services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import Company, Invitation, OutboxMessage, Participation, User, utcnow

from .conftest import csrf_token_from


def _text(response):
    return re.sub(r"\s+", " ", response.text)


# --- Normalising names ----------------------------------------------------------------


@pytest.mark.parametrize("spelling", [
    "Atlas Digital",
    "ATLAS DIGITAL",
    "  atlas   digital ",
    "Atlas Digital SARL",
    "Atlas Digital S.A.R.L.",
    "Atlas Digital s.a.r.l",
    "Atlas Digital SARL AU",
    "Atlas Digital SARLAU",
    "Atlas Digital S.A.",
    "Atlas Digital SA",
    "Atlas Digital SAS",
    "Atlas Digital (SARL)",
    "Atlas Digital Maroc",
    "Atlas Digital Morocco",
    "Atlas Digital Maroc SARL",
    "Atlas Digital SA Maroc",
    "Groupe Atlas Digital",
    "Atlas Digital Group",
    "Atlas-Digital",
    "Atlas, Digital.",
    "SARL Atlas Digital",
    "Àtlas Dígital",
])
def test_spellings_of_one_company_normalise_to_the_same_name(spelling):
    assert matching.normalise_company_name(spelling) == "atlas digital"


def test_normalising_keeps_what_belongs_to_the_name():
    normalise = matching.normalise_company_name
    assert normalise("Détroit Logistique IT") == "detroit logistique it"
    assert normalise("Ernst & Young") == normalise("Ernst et Young") == "ernst young"
    # In the middle of a name, a legal form or a country is part of it.
    assert normalise("Banque SA Populaire") == "banque sa populaire"
    assert normalise("Maroc Telecom") == "maroc telecom"
    # A leading legal form is dropped only if a name of two words or more remains.
    assert normalise("SAS Institute") == "sas institute"
    # Nothing left after stripping: the plain form is kept rather than an empty name.
    assert normalise("Groupe Maroc") == "groupe maroc"
    assert normalise("!!!") == ""


def test_demo_data_uses_the_same_normaliser():
    assert demo.normalise_company_name is matching.normalise_company_name


@pytest.mark.parametrize("email, domain", [
    ("rh@atlas.ma", "atlas.ma"),
    ("  RH@Atlas.MA ", "atlas.ma"),
    ("someone@gmail.com", None),
    ("someone@hotmail.fr", None),
    ("someone@yahoo.fr", None),
    ("someone@outlook.com", None),
    ("someone@menara.ma", None),
    ("someone@icloud.com", None),
    ("not-an-address", None),
    ("", None),
])
def test_email_domains_ignore_free_mail(email, domain):
    assert matching.email_domain(email) == domain


# --- Finding matches ---------------------------------------------------------------------


def test_matches_by_normalised_name_domain_and_likeness(make):
    atlas = make.company("Atlas Digital Services")
    kasbah = make.company("Kasbah Labs", email_domain="kasbahlabs.ma")
    make.company("Souss Software")

    same = matching.find_matches("ATLAS DIGITAL SERVICES SARL")
    assert [m.company for m in same] == [atlas] and same[0].same_name

    typo = matching.find_matches("Atlas Digitale Service")
    assert [m.company for m in typo] == [atlas]
    assert typo[0].reasons == {matching.Match.SIMILAR_NAME}

    by_domain = matching.find_matches("KL Recrutement", "rh@kasbahlabs.ma")
    assert [m.company for m in by_domain] == [kasbah]
    assert by_domain[0].reasons == {matching.Match.SAME_DOMAIN}

    assert matching.find_matches("Banque du Détroit", "rh@banquedetroit.ma") == []


def test_a_free_mail_address_never_matches_by_domain(make):
    # Even if some company's stored domain were a free-mail one.
    make.company("Petite Entreprise", email_domain="gmail.com")
    assert matching.find_matches("Autre Société", "contact@gmail.com") == []


def test_matches_put_the_same_name_first(make):
    similar = make.company("Atlas Digitale")
    same = make.company("Atlas Digital", email_domain="atlas.ma")
    found = matching.find_matches("Atlas Digital Maroc", "rh@atlas.ma")
    assert [m.company for m in found] == [same, similar]


def test_the_database_refuses_two_companies_with_one_normalised_name(make):
    make.company("Atlas Digital")
    db.session.commit()
    db.session.add(Company(name="ATLAS DIGITAL SA", slug="atlas-digital-sa",
                           normalized_name=matching.normalise_company_name("ATLAS DIGITAL SA")))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_unique_slug_adds_a_number_when_taken(make):
    make.company("Atlas Digital")
    assert matching.unique_slug("Atlas Digital") == "atlas-digital-2"
    assert matching.unique_slug("Kasbah Labs") == "kasbah-labs"


# --- Inviting (the rules) ----------------------------------------------------------------------


def test_a_new_company_is_invited_by_name(make, organizer):
    fair = make.fair(status="draft")
    invitation, _token = services.invite_company(fair, "RH@Kasbah.ma", organizer,
                                                 company_name="Kasbah Labs SARL")
    assert (invitation.email, invitation.company_id, invitation.company_name) == (
        "rh@kasbah.ma", None, "Kasbah Labs SARL")
    assert invitation.fair == fair and invitation.role == "company_rep"
    message = db.session.query(OutboxMessage).one()
    assert message.recipient == "rh@kasbah.ma" and "/invitation/" in message.body_text
    assert "Kasbah Labs SARL" in message.body_text and fair.name in message.subject


def test_a_similar_name_asks_did_you_mean_first(make, organizer):
    fair = make.fair()
    atlas = make.company("Atlas Digital")
    with pytest.raises(services.MatchesFound) as raised:
        services.invite_company(fair, "rh@atlas.ma", organizer, company_name="Atlas Digitale")
    assert [m.company for m in raised.value.matches] == [atlas]
    assert db.session.query(Invitation).count() == 0
    # The organizer says it is another company: allowed, as the names differ.
    invitation, _ = services.invite_company(fair, "rh@atlas.ma", organizer,
                                            company_name="Atlas Digitale", new_company=True)
    assert invitation.company_name == "Atlas Digitale"


def test_a_company_with_the_same_normalised_name_cannot_be_created_again(app, make, organizer):
    fair = make.fair()
    atlas = make.company("Atlas Digital")
    with pytest.raises(services.MatchesFound) as raised:
        services.invite_company(fair, "rh@atlas.ma", organizer,
                                company_name="ATLAS DIGITAL Maroc S.A.", new_company=True)
    assert raised.value.matches[0].company == atlas
    with app.test_request_context(), force_locale("en"):
        assert "already exists" in str(raised.value.message)
    assert db.session.query(Invitation).count() == 0


def test_choosing_the_existing_company_attaches_the_invitation_to_it(make, organizer):
    fair = make.fair()
    atlas = make.company("Atlas Digital")
    invitation, _ = services.invite_company(fair, "rh@atlas.ma", organizer,
                                            company_name="Atlas Digitale", company=atlas)
    db.session.flush()
    assert invitation.company_id == atlas.id and invitation.company_name is None
    assert db.session.query(Company).count() == 1


def test_a_company_is_not_invited_twice_to_one_fair(make, organizer):
    fair = make.fair()
    services.invite_company(fair, "rh@kasbah.ma", organizer, company_name="Kasbah Labs")
    with pytest.raises(DomainError) as raised:
        services.invite_company(fair, "other@kasbah.ma", organizer,
                                company_name="KASBAH LABS SARL", new_company=True)
    assert raised.value.field == "company_name"
    # Another fair is fine (with another address: one pending invitation per address).
    other_fair = make.fair()
    services.invite_company(other_fair, "other@kasbah.ma", organizer,
                            company_name="Kasbah Labs", new_company=True)


def test_a_company_that_takes_part_is_not_invited_again(make, organizer):
    fair = make.fair()
    atlas = make.company("Atlas Digital")
    make.participation(fair, atlas, status="requested")
    with pytest.raises(DomainError) as raised:
        services.invite_company(fair, "new@atlas.ma", organizer, company=atlas)
    assert raised.value.field == "company_name"


def test_an_address_with_an_account_is_refused(make, organizer):
    fair = make.fair()
    rep = make.user(role="company_rep", email="rh@atlas.ma", company=make.company("Atlas"))
    make.user(role="staff", email="accueil@example.ma")
    with pytest.raises(services.ExistingRepresentative) as raised:
        services.invite_company(fair, "RH@atlas.ma", organizer, company_name="Whatever")
    assert raised.value.user == rep and raised.value.field == "email"
    with pytest.raises(DomainError) as raised:
        services.invite_company(fair, "accueil@example.ma", organizer, company_name="X Corp")
    assert not isinstance(raised.value, services.ExistingRepresentative)
    assert raised.value.field == "email"


def test_a_closed_fair_takes_no_invitation(make, organizer):
    fair = make.fair(status="closed")
    with pytest.raises(DomainError) as raised:
        services.invite_company(fair, "rh@kasbah.ma", organizer, company_name="Kasbah Labs")
    assert raised.value.field == "fair_id"


def test_an_address_already_invited_is_refused(make, organizer):
    services.invite_company(make.fair(), "rh@kasbah.ma", organizer, company_name="Kasbah Labs")
    with pytest.raises(DomainError) as raised:
        services.invite_company(make.fair(), "rh@kasbah.ma", organizer, company_name="Argan Tech")
    assert raised.value.field == "email"


# --- Accepting -----------------------------------------------------------------------------


def _accept(token, first="Salma"):
    user = invitations.accept(token, first, "Alaoui", "un-long-mot-de-passe")
    db.session.commit()
    return user


def test_accepting_creates_the_company_and_an_approved_participation(make, organizer):
    fair = make.fair()
    _, token = services.invite_company(fair, "rh@kasbahlabs.ma", organizer,
                                       company_name="Kasbah Labs SARL")
    user = _accept(token)
    company = user.company
    assert (company.name, company.normalized_name, company.slug, company.email_domain) == (
        "Kasbah Labs SARL", "kasbah labs", "kasbah-labs-sarl", "kasbahlabs.ma")
    participation = db.session.query(Participation).one()
    assert (participation.fair, participation.company, participation.status) == (
        fair, company, "approved")
    assert participation.decided_by_id == organizer.id and participation.decided_at is not None


def test_a_free_mail_contact_gives_the_company_no_domain(make, organizer):
    _, token = services.invite_company(make.fair(), "kasbah.labs@gmail.com", organizer,
                                       company_name="Kasbah Labs")
    assert _accept(token).company.email_domain is None


def test_accepting_joins_the_company_that_took_the_name_meanwhile(make, organizer):
    fair = make.fair()
    _, token = services.invite_company(fair, "rh@kasbah.ma", organizer, company_name="Kasbah Labs")
    # Meanwhile another organizer's invitation created "KASBAH LABS SA".
    existing = make.company("KASBAH LABS SA")
    db.session.commit()
    user = _accept(token)
    assert user.company_id == existing.id
    assert db.session.query(Company).count() == 1
    assert db.session.query(Participation).one().company_id == existing.id


def test_the_unique_index_decides_when_two_acceptances_race(make, organizer, monkeypatch):
    """Both requests looked and saw no company; the second INSERT loses and joins the first."""
    fair = make.fair()
    _, token = services.invite_company(fair, "rh@kasbah.ma", organizer, company_name="Kasbah Labs")
    winner = make.company("Kasbah Labs")
    db.session.commit()
    real_lookup = matching.company_with_normalised_name
    calls = []

    def stale_lookup(name, exclude_id=None):
        calls.append(name)
        # The first look happens before the other request committed.
        return None if len(calls) == 1 else real_lookup(name, exclude_id)

    monkeypatch.setattr(services, "company_with_normalised_name", stale_lookup)
    user = _accept(token)
    assert user.company_id == winner.id
    assert db.session.query(Company).count() == 1
    assert len(calls) == 2


def test_accepting_an_invitation_to_an_existing_company_approves_its_request(make, organizer):
    fair = make.fair()
    atlas = make.company("Atlas Digital")
    participation = make.participation(fair, atlas, status="requested")
    invitation, token = auth_services.create_invitation(
        "new@atlas.ma", "company_rep", invited_by=organizer, company=atlas, fair=fair)
    db.session.commit()
    user = _accept(token)
    assert user.company_id == atlas.id
    db.session.refresh(participation)
    assert participation.status == "approved"


def test_a_decision_taken_after_the_invitation_is_kept(make, organizer):
    fair = make.fair()
    atlas = make.company("Atlas Digital")
    invitation, token = auth_services.create_invitation(
        "new@atlas.ma", "company_rep", invited_by=organizer, company=atlas, fair=fair)
    participation = make.participation(fair, atlas, status="declined")
    participation.decided_at = utcnow()
    db.session.commit()
    _accept(token)
    db.session.refresh(participation)
    assert participation.status == "declined"


# --- Pages -------------------------------------------------------------------------------------


def test_the_organizer_sees_the_companies_with_their_fairs(auth, client, make, organizer):
    fair = make.fair(name="Job Fair Rabat")
    atlas = make.company("Atlas Digital", city="Casablanca")
    make.user(role="company_rep", company=atlas)
    make.user(role="company_rep", company=atlas)
    make.participation(fair, atlas, status="approved")
    make.company("Kasbah Labs")
    services.invite_company(fair, "rh@argan.ma", organizer, company_name="Argan Tech")
    auth.login_as(organizer)
    auth.use_language("en")
    page = client.get("/organizer/companies")
    assert page.status_code == 200
    row = re.search(r'<tr id="company-%d">(.*?)</tr>' % atlas.id, page.text, re.S).group(1)
    assert "Atlas Digital" in row and "Casablanca" in row and "Job Fair Rabat" in row
    assert re.search(r'<td class="num">\s*2\s*</td>', row)
    assert "Kasbah Labs" in page.text
    pending = re.search(r'id="pending-company-invitations"(.*?)</table>', page.text, re.S).group(1)
    assert "Argan Tech" in pending and "rh@argan.ma" in pending


def test_inviting_a_new_company_through_the_page(auth, client, make, organizer):
    fair = make.fair(name="Job Fair Rabat")
    make.fair(name="Old Fair", status="closed")
    auth.login_as(organizer)
    page = client.get(f"/organizer/companies/invite?fair_id={fair.id}")
    assert page.status_code == 200
    assert f'<option selected value="{fair.id}">' in page.text
    assert "Old Fair" not in page.text  # a closed fair takes no company
    response = auth.post("/organizer/companies/invite", {
        "fair_id": fair.id, "company_name": "Kasbah Labs", "email": "RH@kasbah.ma"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/organizer/companies"
    invitation = db.session.query(Invitation).one()
    assert (invitation.company_name, invitation.fair_id) == ("Kasbah Labs", fair.id)
    assert db.session.query(OutboxMessage).one().recipient == "rh@kasbah.ma"


def test_the_page_asks_did_you_mean_and_keeps_what_was_typed(auth, client, make, organizer):
    fair = make.fair()
    atlas = make.company("Atlas Digital")
    auth.login_as(organizer)
    data = {"fair_id": fair.id, "company_name": "Atlas Digitale", "email": "rh@atlas.ma"}
    response = auth.post("/organizer/companies/invite", data)
    assert response.status_code == 200
    assert 'id="matches"' in response.text and 'id="company_name-error"' in response.text
    assert f'value="{atlas.id}"' in response.text and 'value="new"' in response.text
    assert 'value="Atlas Digitale"' in response.text and 'value="rh@atlas.ma"' in response.text
    assert db.session.query(Invitation).count() == 0

    # Choosing the existing company attaches the invitation to it.
    response = auth.post("/organizer/companies/invite", {**data, "match": str(atlas.id)},
                         page="/organizer/companies/invite")
    assert response.status_code == 303
    invitation = db.session.query(Invitation).one()
    assert (invitation.company_id, invitation.company_name) == (atlas.id, None)
    assert db.session.query(Company).count() == 1


def test_no_new_company_is_offered_when_the_name_exists(auth, client, make, organizer):
    fair = make.fair()
    make.company("Atlas Digital")
    auth.login_as(organizer)
    data = {"fair_id": fair.id, "company_name": "ATLAS DIGITAL SARL", "email": "rh@atlas.ma"}
    response = auth.post("/organizer/companies/invite", data)
    assert 'id="matches"' in response.text and 'value="new"' not in response.text
    # Forcing "new" anyway is refused next to the company's name.
    forced = auth.post("/organizer/companies/invite", {**data, "match": "new"},
                       page="/organizer/companies/invite")
    assert forced.status_code == 200 and 'id="company_name-error"' in forced.text
    assert db.session.query(Invitation).count() == 0


def test_saying_it_is_a_new_company_sends_the_invitation(auth, make, organizer):
    fair = make.fair()
    make.company("Atlas Digital")
    auth.login_as(organizer)
    response = auth.post("/organizer/companies/invite", {
        "fair_id": fair.id, "company_name": "Atlas Digitale", "email": "rh@atlasdigitale.ma",
        "match": "new"})
    assert response.status_code == 303
    assert db.session.query(Invitation).one().company_name == "Atlas Digitale"


def test_a_company_invited_twice_is_refused_next_to_the_field(auth, make, organizer):
    fair = make.fair()
    services.invite_company(fair, "rh@kasbah.ma", organizer, company_name="Kasbah Labs")
    auth.login_as(organizer)
    auth.use_language("en")
    response = auth.post("/organizer/companies/invite", {
        "fair_id": fair.id, "company_name": "KASBAH LABS S.A.R.L.", "email": "dg@kasbah.ma"})
    assert response.status_code == 200
    # The pending invitation's name is not a company yet: no "Did you mean", a clear refusal.
    error = re.search(r'id="company_name-error"[^>]*>(.*?)</p>', response.text, re.S).group(1)
    assert "Kasbah Labs is already invited to this fair" in error and "rh@kasbah.ma" in error
    assert db.session.query(Invitation).count() == 1


def test_a_form_with_errors_shows_them_next_to_the_fields(auth, make, organizer):
    make.fair()
    auth.login_as(organizer)
    response = auth.post("/organizer/companies/invite", {
        "fair_id": "0", "company_name": "", "email": "not-an-address"})
    assert response.status_code == 200
    for field in ("fair_id", "company_name", "email"):
        assert f'id="{field}-error"' in response.text
    assert 'value="not-an-address"' in response.text


def test_a_representatives_address_offers_to_add_the_company_directly(auth, client, make,
                                                                       organizer):
    fair = make.fair(name="Job Fair Rabat")
    atlas = make.company("Atlas Digital")
    rep = make.user(role="company_rep", email="rh@atlas.ma", company=atlas, locale="en")
    colleague = make.user(role="company_rep", email="dg@atlas.ma", company=atlas)
    auth.login_as(organizer)
    response = auth.post("/organizer/companies/invite", {
        "fair_id": fair.id, "company_name": "Atlas", "email": "rh@atlas.ma"})
    assert response.status_code == 200
    assert 'id="email-error"' in response.text and 'id="existing-representative"' in response.text
    assert db.session.query(Invitation).count() == 0

    added = auth.post("/organizer/companies/add-to-fair",
                      {"company_id": atlas.id, "fair_id": fair.id},
                      page="/organizer/companies/invite")
    assert added.status_code == 303
    assert added.headers["Location"] == f"/organizer/fairs/{fair.id}/companies"
    participation = db.session.query(Participation).one()
    assert (participation.company_id, participation.status) == (atlas.id, "approved")
    assert participation.decided_by_id == organizer.id
    messages = {m.recipient: m for m in db.session.query(OutboxMessage)}
    assert set(messages) == {rep.email, colleague.email}
    assert "Job Fair Rabat" in messages[rep.email].subject
    assert "takes part" in messages[rep.email].subject  # rh@ reads English

    # Twice: refused, nothing more sent.
    again = auth.post("/organizer/companies/add-to-fair",
                      {"company_id": atlas.id, "fair_id": fair.id},
                      page="/organizer/companies/invite")
    assert again.status_code == 303
    assert db.session.query(Participation).count() == 1
    assert db.session.query(OutboxMessage).count() == 2


def test_the_whole_journey_invitation_to_company_page(app, auth, client, make, organizer):
    fair = make.fair(name="Job Fair Tanger")
    auth.login_as(organizer)
    auth.post("/organizer/companies/invite", {
        "fair_id": fair.id, "company_name": "Détroit Logistique IT SARL",
        "email": "rh@detroit-logistique.ma"})
    body = db.session.query(OutboxMessage).one().body_text
    link = re.search(r"http://localhost(/invitation/\S+)", body).group(1)
    newcomer = app.test_client()
    page = newcomer.get(link)
    assert page.status_code == 200 and "Détroit Logistique IT SARL" in page.text
    response = newcomer.post(link, data={
        "first_name": "Salma", "last_name": "Alaoui", "password": "un-long-mot-de-passe",
        "confirm": "un-long-mot-de-passe", "csrf_token": csrf_token_from(page)})
    assert response.status_code == 303 and response.headers["Location"] == "/company/"
    home = newcomer.get("/company/")
    assert "Détroit Logistique IT SARL" in home.text and "Job Fair Tanger" in home.text
    participation = db.session.query(Participation).one()
    assert f"/company/fairs/{participation.id}/schedule" in home.text  # approved: prepare the booth
    user = db.session.query(User).filter_by(email="rh@detroit-logistique.ma").one()
    assert user.company.normalized_name == "detroit logistique it"
    assert db.session.query(Participation).one().status == "approved"


# --- Who may open these pages -----------------------------------------------------------------


def _organizer_routes(fair, participation):
    base = f"/organizer/fairs/{fair.id}/companies"
    return [
        ("GET", "/organizer/companies", None),
        ("GET", "/organizer/companies/invite", None),
        ("POST", "/organizer/companies/invite",
         {"fair_id": fair.id, "company_name": "Nouvelle", "email": "x@nouvelle.ma"}),
        ("POST", "/organizer/companies/add-to-fair",
         {"company_id": participation.company_id, "fair_id": fair.id}),
        ("GET", base, None),
        ("POST", f"{base}/{participation.id}/approve", {}),
        ("POST", f"{base}/{participation.id}/decline", {"reason": "Complet"}),
        ("POST", f"{base}/{participation.id}/withdraw", {"reason": "Complet"}),
    ]


def test_organizers_open_every_company_page(auth, client, make):
    """Every other role is refused and changes nothing: the authorization matrix."""
    fair = make.fair()
    own = make.company("Atlas Digital")
    participation = make.participation(fair, own, status="requested")
    auth.login_as(make.user(role="organizer"))
    for method, url, data in _organizer_routes(fair, participation):
        if method == "GET":
            response = client.get(url)
        else:
            response = auth.post(url, data, page="/login")
        assert response.status_code in (200, 303), f"{method} {url}"


def test_unknown_fairs_and_participations_are_404(auth, client, make, organizer):
    fair, other_fair = make.fair(), make.fair()
    participation = make.participation(other_fair, make.company(), status="requested")
    auth.login_as(organizer)
    assert client.get("/organizer/fairs/9999/companies").status_code == 404
    # A participation reached through another fair's URL.
    response = auth.post(f"/organizer/fairs/{fair.id}/companies/{participation.id}/approve", {},
                         page="/login")
    assert response.status_code == 404
    assert db.session.get(Participation, participation.id).status == "requested"
    response = auth.post("/organizer/companies/add-to-fair", {"company_id": 9999, "fair_id": fair.id},
                         page="/login")
    assert response.status_code == 404
