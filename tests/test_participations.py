"""Companies take part in fairs: requests, the organizer's decisions, emails, booths and bookings."""
import re
import pytest
from sqlalchemy import update

from jobfair.companies import services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import Booking, Booth, OutboxMessage, Participation, utcnow


def _url(participation, action):
    return f"/organizer/fairs/{participation.fair_id}/companies/{participation.id}/{action}"


def _section(page, status):
    match = re.search(rf'<section[^>]*id="status-{status}"(.*?)</section>', page, re.S)
    assert match, f"no section for {status}"
    return match.group(1)


def _book(participation, make):
    """An active booking of one candidate in a slot of the participation's first table."""
    slot = make.slot(make.table(participation, name=f"Table {len(participation.tables) + 1}"))
    slot.booked_count = 1
    booking = Booking(slot=slot, candidate=make.candidate().candidate, participation=participation)
    db.session.add(booking)
    db.session.flush()
    return booking


# --- Asking to take part (the company's side) ---------------------------------------------


def test_a_representative_asks_to_take_part_in_a_published_fair(auth, client, make, company_rep):
    fair = make.fair(name="Job Fair Rabat", status="published")
    make.fair(name="Brouillon", status="draft")
    make.fair(name="En cours", status="live")
    auth.login_as(company_rep)
    home = client.get("/company/")
    open_fairs = re.search(r'id="open-fairs"(.*?)</ul>', home.text, re.S).group(1)
    assert "Job Fair Rabat" in open_fairs
    assert "Brouillon" not in home.text and "En cours" not in open_fairs

    response = auth.post(f"/company/fairs/{fair.id}/request", page="/company/")
    assert response.status_code == 303 and response.headers["Location"] == "/company/"
    participation = db.session.query(Participation).one()
    assert (participation.fair_id, participation.company_id, participation.status) == (
        fair.id, company_rep.company_id, "requested")
    # The fair moves from "ask" to "my fairs".
    home = client.get("/company/")
    assert 'id="open-fairs"' not in home.text
    assert "Job Fair Rabat" in re.search(r'id="my-fairs"(.*?)</ul>', home.text, re.S).group(1)


def test_asking_twice_is_refused_politely(auth, client, make, company_rep):
    fair = make.fair()
    auth.login_as(company_rep)
    auth.use_language("en")
    auth.post(f"/company/fairs/{fair.id}/request", page="/company/")
    again = auth.post(f"/company/fairs/{fair.id}/request", page="/company/", follow_redirects=True)
    assert again.status_code == 200
    assert "already asked to take part in this fair" in again.text
    assert db.session.query(Participation).count() == 1


def test_only_published_fairs_take_requests(auth, make, company_rep):
    draft, live = make.fair(status="draft"), make.fair(status="live")
    auth.login_as(company_rep)
    # A draft fair is not public: as if it did not exist.
    assert auth.post(f"/company/fairs/{draft.id}/request", page="/company/").status_code == 404
    assert auth.post("/company/fairs/9999/request", page="/company/").status_code == 404
    response = auth.post(f"/company/fairs/{live.id}/request", page="/company/")
    assert response.status_code == 303
    assert db.session.query(Participation).count() == 0


def test_request_participation_rules(make):
    fair, company = make.fair(), make.company()
    participation = services.request_participation(fair, company)
    assert participation.status == "requested"
    with pytest.raises(DomainError):
        services.request_participation(fair, company)
    participation.status = "declined"
    with pytest.raises(DomainError):  # a decision was taken: no new request
        services.request_participation(fair, company)
    with pytest.raises(DomainError):
        services.request_participation(make.fair(status="closed"), company)


def test_two_requests_at_once_make_one_participation(make, monkeypatch):
    """The unique (fair, company) index decides: the loser gets the polite refusal."""
    fair, company = make.fair(), make.company()
    db.session.commit()
    db.session.add(Participation(fair_id=fair.id, company_id=company.id, status="requested"))
    db.session.flush()  # "another request" got there first, unseen by _participation()
    monkeypatch.setattr(services, "_participation", lambda *_: None)
    with pytest.raises(DomainError):
        services.request_participation(fair, company)
    assert db.session.query(Participation).count() == 1


# --- The organizer's page and decisions -------------------------------------------------------


@pytest.fixture
def fair_with_companies(make):
    fair = make.fair(name="Job Fair Rabat")
    requested = make.participation(fair, make.company("Kasbah Labs"), status="requested")
    approved = make.participation(fair, make.company("Atlas Digital"), status="approved")
    declined = make.participation(fair, make.company("Argan Tech"), status="declined")
    make.participation(make.fair(), make.company("Ailleurs SA"), status="approved")
    return fair, requested, approved, declined


def test_the_fair_page_groups_companies_by_status(auth, client, organizer, fair_with_companies):
    fair, *_ = fair_with_companies
    auth.login_as(organizer)
    page = client.get(f"/organizer/fairs/{fair.id}/companies")
    assert page.status_code == 200
    assert "Kasbah Labs" in _section(page.text, "requested")
    assert "Atlas Digital" in _section(page.text, "approved")
    assert "Argan Tech" in _section(page.text, "declined")
    assert "Ailleurs" not in page.text
    # Only the decisions that apply: approve/decline a request, withdraw an approved company.
    requested = _section(page.text, "requested")
    assert "/approve" in requested and "/decline" in requested and "/withdraw" not in requested
    approved = _section(page.text, "approved")
    assert "/withdraw" in approved and "/approve" not in approved


def test_approving_emails_every_representative_in_their_language(auth, make, organizer,
                                                                  fair_with_companies):
    fair, requested, *_ = fair_with_companies
    french = make.user(role="company_rep", email="rh@kasbah.ma", company=requested.company)
    english = make.user(role="company_rep", email="cto@kasbah.ma", company=requested.company,
                        locale="en")
    make.user(role="company_rep", email="parti@kasbah.ma", company=requested.company,
              is_enabled=False)
    auth.login_as(organizer)
    response = auth.post(_url(requested, "approve"), page=f"/organizer/fairs/{fair.id}/companies")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/organizer/fairs/{fair.id}/companies"
    participation = db.session.get(Participation, requested.id)
    assert participation.status == "approved"
    assert participation.decided_by_id == organizer.id and participation.decided_at is not None
    messages = {m.recipient: m for m in db.session.query(OutboxMessage)}
    assert set(messages) == {french.email, english.email}
    assert messages[english.email].subject == "Job Fair Rabat: Kasbah Labs takes part"
    assert "/company/" in messages[french.email].body_text


def test_declining_needs_a_reason_and_keeps_what_was_typed(auth, client, organizer,
                                                         fair_with_companies):
    fair, requested, *_ = fair_with_companies
    auth.login_as(organizer)
    page = f"/organizer/fairs/{fair.id}/companies"
    response = auth.post(_url(requested, "decline"), {"reason": "   "}, page=page)
    assert response.status_code == 200
    assert f'id="reason-{requested.id}-decline-error"' in response.text
    assert db.session.get(Participation, requested.id).status == "requested"
    assert db.session.query(OutboxMessage).count() == 0

    too_long = auth.post(_url(requested, "decline"), {"reason": "x" * 1001}, page=page)
    assert f'id="reason-{requested.id}-decline-error"' in too_long.text
    assert "x" * 1001 in too_long.text

    response = auth.post(_url(requested, "decline"), {"reason": "Le salon est complet."}, page=page)
    assert response.status_code == 303
    participation = db.session.get(Participation, requested.id)
    assert (participation.status, participation.reason) == ("declined", "Le salon est complet.")
    assert "Le salon est complet." in client.get(page).text


def test_declined_email_carries_the_reason(auth, make, organizer, fair_with_companies):
    fair, requested, *_ = fair_with_companies
    make.user(role="company_rep", email="rh@kasbah.ma", company=requested.company)
    auth.login_as(organizer)
    auth.post(_url(requested, "decline"), {"reason": "Secteur hors cible."},
              page=f"/organizer/fairs/{fair.id}/companies")
    message = db.session.query(OutboxMessage).one()
    assert message.recipient == "rh@kasbah.ma"
    assert "Secteur hors cible." in message.body_text and "Job Fair Rabat" in message.subject


def test_a_decision_updates_the_list_in_place_with_htmx(auth, client, organizer,
                                                        fair_with_companies):
    fair, requested, *_ = fair_with_companies
    auth.login_as(organizer)
    response = auth.post(_url(requested, "approve"), page=f"/organizer/fairs/{fair.id}/companies",
                         headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="fair-companies"')
    assert "<html" not in response.text
    assert "Kasbah Labs" in _section(response.text, "approved")
    assert 'role="status"' in response.text  # the confirmation, read out


def test_a_decision_that_does_not_apply_is_refused(auth, organizer, fair_with_companies):
    fair, requested, approved, declined = fair_with_companies
    auth.login_as(organizer)
    page = f"/organizer/fairs/{fair.id}/companies"
    response = auth.post(_url(requested, "withdraw"), {"reason": "x"}, page=page)
    assert response.status_code == 200
    assert f'id="participation-{requested.id}"' in response.text
    assert db.session.get(Participation, requested.id).status == "requested"
    assert auth.post(_url(approved, "approve"), page=page).status_code == 200
    assert db.session.query(OutboxMessage).count() == 0


def test_a_declined_company_can_be_approved_later(auth, organizer, fair_with_companies):
    fair, _requested, _approved, declined = fair_with_companies
    declined.reason = "Complet"
    auth.login_as(organizer)
    auth.post(_url(declined, "approve"), page=f"/organizer/fairs/{fair.id}/companies")
    participation = db.session.get(Participation, declined.id)
    assert (participation.status, participation.reason) == ("approved", None)


def test_a_stale_decision_loses_to_the_one_already_taken(make, organizer):
    """Two organizers at once: the conditional UPDATE lets one decision through."""
    participation = make.participation(make.fair(), make.company(), status="requested")
    db.session.commit()
    db.session.execute(update(Participation).where(Participation.id == participation.id)
                       .values(status="approved").execution_options(synchronize_session=False))
    # ``participation`` still says "requested" in this session.
    assert participation.status == "requested"
    with pytest.raises(DomainError):
        services.decide(participation, "decline", organizer, reason="Complet")


def test_decisions_stop_when_the_fair_is_closed(auth, client, make, organizer):
    fair = make.fair(status="closed")
    participation = make.participation(fair, make.company(), status="approved")
    auth.login_as(organizer)
    page = client.get(f"/organizer/fairs/{fair.id}/companies")
    assert "/withdraw" not in page.text
    response = auth.post(_url(participation, "withdraw"), {"reason": "x"},
                         page=f"/organizer/fairs/{fair.id}/companies")
    assert response.status_code == 200
    assert db.session.get(Participation, participation.id).status == "approved"


# --- Withdrawing ---------------------------------------------------------------------------------


def test_withdrawing_frees_the_booth_and_tells_the_company(auth, make, organizer,
                                                          fair_with_companies):
    fair, _requested, approved, _declined = fair_with_companies
    booth = make.booth(fair, number="A1")
    booth.participation = approved
    make.user(role="company_rep", email="rh@atlas.ma", company=approved.company)
    auth.login_as(organizer)
    response = auth.post(_url(approved, "withdraw"), {"reason": "Dossier incomplet."},
                         page=f"/organizer/fairs/{fair.id}/companies")
    assert response.status_code == 303
    participation = db.session.get(Participation, approved.id)
    assert (participation.status, participation.reason) == ("withdrawn", "Dossier incomplet.")
    assert db.session.get(Booth, booth.id).participation_id is None
    message = db.session.query(OutboxMessage).one()
    assert message.recipient == "rh@atlas.ma" and "Dossier incomplet." in message.body_text


def test_withdrawing_a_company_with_bookings_asks_first_then_cancels_them(auth, make, organizer,
                                                                          fair_with_companies):
    fair, _requested, approved, _declined = fair_with_companies
    bookings = [_book(approved, make), _book(approved, make)]
    booth = make.booth(fair, number="A1")
    booth.participation = approved
    auth.login_as(organizer)
    auth.use_language("en")
    page = f"/organizer/fairs/{fair.id}/companies"
    card = re.search(rf'id="participation-{approved.id}"(.*?)</li>', auth.client.get(page).text,
                     re.S).group(1)
    assert "2 active bookings" in card

    first = auth.post(_url(approved, "withdraw"), {"reason": "Entreprise absente."}, page=page)
    assert first.status_code == 200
    box = re.search(rf'id="confirm-withdraw-{approved.id}"(.*?)</div>', first.text, re.S).group(1)
    assert 'name="confirm" value="1"' in box and 'value="Entreprise absente."' in box
    # Nothing has changed yet.
    assert db.session.get(Participation, approved.id).status == "approved"
    assert {db.session.get(Booking, b.id).status for b in bookings} == {"active"}
    assert db.session.query(OutboxMessage).count() == 0

    confirmed = auth.post(_url(approved, "withdraw"),
                          {"reason": "Entreprise absente.", "confirm": "1"}, page=page)
    assert confirmed.status_code == 303
    db.session.expire_all()
    assert db.session.get(Participation, approved.id).status == "withdrawn"
    assert db.session.get(Booth, booth.id).participation_id is None
    for booking in bookings:
        booking = db.session.get(Booking, booking.id)
        assert (booking.status, booking.cancel_reason, booking.cancelled_by_id) == (
            "cancelled", "Entreprise absente.", organizer.id)
        assert booking.slot.booked_count == 0
    recipients = {m.recipient for m in db.session.query(OutboxMessage)}
    assert {b.candidate.user.email for b in bookings} <= recipients


def test_withdrawing_with_bookings_through_htmx_shows_the_confirmation_in_place(
        auth, make, organizer, fair_with_companies):
    fair, _requested, approved, _declined = fair_with_companies
    _book(approved, make)
    auth.login_as(organizer)
    response = auth.post(_url(approved, "withdraw"), {"reason": "Absente"},
                         page=f"/organizer/fairs/{fair.id}/companies",
                         headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert f'id="confirm-withdraw-{approved.id}"' in response.text
    assert 'hx-post="' in response.text


def test_withdraw_rules_without_http(make, organizer):
    fair = make.fair()
    participation = make.participation(fair, make.company(), status="approved")
    booking = _book(participation, make)
    with pytest.raises(services.ConfirmationNeeded) as raised:
        services.decide(participation, "withdraw", organizer, reason="Absente")
    assert raised.value.active_bookings == 1
    services.decide(participation, "withdraw", organizer, reason="Absente", confirmed=True)
    assert participation.status == "withdrawn"
    assert booking.status == "cancelled"
    assert participation.decided_at <= utcnow()
