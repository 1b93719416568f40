"""The self check-in kiosk (issue 13): device accounts, kiosk codes, the kiosk's journey, and
that a kiosk account reaches nothing else."""
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.i18n import force_locale
from jobfair.kiosk import services
from jobfair.models import CheckIn, Kiosk, OutboxMessage, utcnow

from . import factories
from .downloads import pdf_pages, pdf_text


@pytest.fixture
def world(make, organizer):
    cohort = make.cohort()
    fair = make.fair(status="live", cohorts=[cohort])
    atlas = make.participation(fair, make.company("Atlas Digital"))
    make.booth(fair, "B7").participation = atlas
    slot = make.slot_at(make.table(atlas, name="Table 2"), 10, 30)
    person = make.bookable_candidate(cohort, email="salma@example.ma", locale=None)
    person.first_name, person.last_name = "Salma", "Élbaz"
    make.booking(slot, person)
    badge = factories.badge(fair, person)
    kiosk, token = services.create_kiosk(fair, "Entrée A — borne 1", organizer)
    db.session.commit()
    return SimpleNamespace(fair=fair, person=person, badge=badge, kiosk=kiosk, token=token,
                           organizer=organizer, code=services.kiosk_code(badge.token))


@pytest.fixture
def english(app):
    """Messages read as text (lazy strings need a request's locale)."""
    with app.test_request_context(), force_locale("en"):
        yield


def open_kiosk(client, world):
    page = client.get(f"/kiosk/open/{world.token}")
    assert page.status_code == 200
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    response = client.post(f"/kiosk/open/{world.token}", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/kiosk/")
    return response


def kiosk_post(auth, url, data, page="/kiosk/"):
    return auth.post(url, data, page=page)


# --- The rules, without HTTP ------------------------------------------------------------------


def test_a_kiosk_link_opens_once_and_is_stored_hashed(world, english):
    assert world.kiosk.link_hash != world.token and len(world.kiosk.link_hash) == 64
    assert services.open_kiosk(world.token).id == world.kiosk.id
    with pytest.raises(DomainError, match="already used"):
        services.open_kiosk(world.token)


def test_an_expired_or_revoked_kiosk_link_does_not_open(world, organizer, english):
    world.kiosk.link_expires_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(DomainError):
        services.open_kiosk(world.token)
    other, token = services.create_kiosk(world.fair, "Borne 2", organizer)
    services.revoke_kiosk(other, organizer)
    with pytest.raises(DomainError):
        services.open_kiosk(token)
    assert not other.user.is_enabled
    with pytest.raises(DomainError, match="already revoked"):
        services.revoke_kiosk(other, organizer)


def test_a_kiosk_needs_a_name(world, organizer, english):
    with pytest.raises(DomainError, match="name"):
        services.create_kiosk(world.fair, "   ", organizer)


def test_the_kiosk_code_is_six_unambiguous_characters_and_changes_with_the_badge(world, make):
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", world.code)
    assert services.kiosk_code(world.badge.token) == world.code  # derived, not stored
    assert services.kiosk_code(factories.badge(make.fair(), world.person).token) != world.code


def test_name_and_code_identify_the_candidate_accents_case_and_spaces_aside(world):
    typed = world.code.lower()[:3] + " " + world.code.lower()[3:]
    visitor = services.identify_by_code(world.fair, "salma ELBAZ", typed)
    assert visitor.person.id == world.person.id and visitor.badge.id == world.badge.id


@pytest.mark.parametrize("name, code", [
    ("Salma Elbaz", "AAAAAA"),  # wrong code
    ("Nadia Elbaz", None),  # a name that is not hers
    ("Sal", None),  # part of a word is not a name
    ("Salma Elbaz", ""),
])
def test_a_wrong_name_or_code_is_refused_with_one_message(world, name, code, english):
    with pytest.raises(DomainError, match="do not match") as error:
        services.identify_by_code(world.fair, name, world.code if code is None else code)
    assert error.value.field == "kiosk_code"


def test_the_code_of_a_replaced_badge_says_so(world, english):
    old_code = world.code
    world.badge.revoked_at = utcnow()
    factories.badge(world.fair, world.person)
    with pytest.raises(DomainError, match="replaced"):
        services.identify_by_code(world.fair, "Salma Elbaz", old_code)
    with pytest.raises(DomainError, match="replaced"):
        services.identify_by_badge(world.fair, world.badge.token)


def test_a_badge_of_another_fair_or_an_unknown_one_is_refused(world, make, english):
    other = factories.badge(make.fair(status="live", cohorts=list(world.fair.cohorts)),
                            world.person)
    with pytest.raises(DomainError, match="not for this fair"):
        services.identify_by_badge(world.fair, other.token)
    with pytest.raises(DomainError, match="Unknown badge"):
        services.identify_by_badge(world.fair, "nope")
    assert services.identify_by_badge(world.fair, f"https://x/b/{world.badge.token}").badge \
        .id == world.badge.id


def test_nothing_is_identified_before_the_fair_is_live(world, english):
    world.fair.status = "published"
    with pytest.raises(DomainError, match="not live"):
        services.identify_by_badge(world.fair, world.badge.token)


def test_the_interviews_of_the_day_give_company_table_booth(world):
    (interview,) = services.day_interviews(world.fair, world.person)
    assert (interview.company, interview.table, interview.booth) == \
        ("Atlas Digital", "Table 2", "B7")


def test_checking_in_twice_is_a_reprint_with_one_check_in(world):
    first = services.check_in(world.fair, world.kiosk, world.person.id, "n-1")
    again = services.check_in(world.fair, world.kiosk, world.person.id, "n-2")
    assert (first.status, again.status) == ("checked_in", "already_checked_in")
    rows = db.session.scalars(select(CheckIn).where(CheckIn.fair_id == world.fair.id)).all()
    assert len(rows) == 1 and rows[0].device_name == "Entrée A — borne 1"
    assert rows[0].scanned_by_id == world.kiosk.user_id


def test_send_codes_emails_each_candidate_their_code(world, english):
    assert services.send_codes(world.fair) == 1
    (message,) = db.session.scalars(select(OutboxMessage)).all()
    assert message.recipient == "salma@example.ma" and world.code in message.body_text
    assert "code" in message.subject.lower()


# --- Through HTTP ------------------------------------------------------------------------------


def test_the_kiosk_journey_by_name_and_code(client, auth, world):
    open_kiosk(client, world)
    start = client.get("/kiosk/")
    assert "Enregistrez-vous ici" in start.get_data(as_text=True)  # French by default
    wrong = kiosk_post(auth, "/kiosk/name", {"name": "Salma Elbaz", "kiosk_code": "AAAAAA"})
    assert wrong.status_code == 200
    assert "ne correspondent pas" in wrong.get_data(as_text=True)
    right = kiosk_post(auth, "/kiosk/name", {"name": "Salma Elbaz", "kiosk_code": world.code})
    assert right.status_code == 303
    welcome = client.get("/kiosk/welcome").get_data(as_text=True)
    assert "Salma" in welcome and "Atlas Digital" in welcome and "Table 2" in welcome
    assert "10:30" in welcome  # Africa/Casablanca
    # The start page forgets who was there: the token comes from the welcome page.
    response = kiosk_post(auth, "/kiosk/checkin", {"nonce": "kiosk-nonce-1"},
                          page="/kiosk/welcome")
    assert response.status_code == 303 and response.headers["Location"].endswith("/kiosk/print")
    printed = client.get("/kiosk/print").get_data(as_text=True)
    assert "/kiosk/label.pdf" in printed and "kiosk.js" in printed
    label = client.get("/kiosk/label.pdf")
    assert label.status_code == 200 and pdf_pages(label) == 1
    assert "Salma" in pdf_text(label)
    assert label.headers["X-Frame-Options"] == "SAMEORIGIN"
    db.session.rollback()
    assert db.session.scalar(select(CheckIn).where(CheckIn.user_id == world.person.id))
    # Back at the start, the candidate is forgotten: no label, no welcome.
    client.get("/kiosk/")
    assert client.get("/kiosk/label.pdf").status_code == 404
    assert client.get("/kiosk/welcome").status_code == 303


def test_the_kiosk_journey_by_badge_and_the_language_switch(client, auth, world):
    open_kiosk(client, world)
    kiosk_post(auth, "/kiosk/language", {"locale": "ar"})
    assert 'dir="rtl"' in client.get("/kiosk/").get_data(as_text=True)
    unknown = kiosk_post(auth, "/kiosk/badge", {"code": "not-a-badge"})
    assert unknown.status_code == 200 and 'role="alert"' in unknown.get_data(as_text=True)
    assert kiosk_post(auth, "/kiosk/badge", {"code": world.badge.token}).status_code == 303
    assert "Salma" in client.get("/kiosk/welcome").get_data(as_text=True)


def test_a_kiosk_account_gets_403_everywhere_else(client, auth, world):
    open_kiosk(client, world)
    for url in ("/organizer/", f"/staff/fairs/{world.fair.id}/scan", "/staff/", "/me/",
                "/login", f"/fairs/{world.fair.slug}", f"/b/{world.badge.token}"):
        assert client.get(url).status_code == 403, url


def test_revoking_a_kiosk_ends_its_session_at_the_next_request(client, auth, world):
    open_kiosk(client, world)
    assert client.get("/kiosk/").status_code == 200
    kiosk = db.session.get(Kiosk, world.kiosk.id)
    services.revoke_kiosk(kiosk, world.organizer)
    db.session.commit()
    response = client.get("/kiosk/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_organizer_creates_a_kiosk_and_sees_its_link_once(client, auth, world):
    auth.login_as(world.organizer)
    url = f"/organizer/fairs/{world.fair.id}/kiosks"
    response = auth.post(url, {"name": "Entrée B"})
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "/kiosk/open/" in page and "Entrée B" in page
    assert "/kiosk/open/" not in client.get(url).get_data(as_text=True)
    empty = auth.post(url, {"name": ""})
    assert empty.status_code == 200 and "Donnez un nom" in empty.get_data(as_text=True)


def test_code_attempts_are_rate_limited(client, auth, world, app):
    open_kiosk(client, world)
    app.config["KIOSK_CODE_RATE_LIMIT"] = "3 per minute"
    statuses = [kiosk_post(auth, "/kiosk/name", {"name": "Salma Elbaz", "kiosk_code": "AAAAAA"})
                .status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_the_audit_log_tells_kiosks_created_and_revoked_in_words(client, auth, world):
    auth.login_as(world.organizer)
    assert auth.post(f"/organizer/fairs/{world.fair.id}/kiosks", {"name": "Entrée B"}).status_code == 303
    kiosk = db.session.scalars(select(Kiosk).where(Kiosk.name == "Entrée B")).one()
    assert auth.post(f"/organizer/fairs/{world.fair.id}/kiosks/{kiosk.id}/revoke", {}).status_code == 303
    page = client.get("/organizer/audit").get_data(as_text=True)
    assert "A créé la borne Entrée B" in page and "A révoqué la borne Entrée B" in page
    assert ">kiosk.created<" not in page and ">kiosk.revoked<" not in page  # no raw codes shown
    assert "accueil libre-service</option>" in page  # the filter's kind
