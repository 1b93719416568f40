"""Entrance check-in: every scan status, nonce replay, undo, search, authorization."""
import json
import re
import secrets
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from jobfair.checkin import services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import AuditEvent, CheckIn, utcnow

from . import factories


@pytest.fixture
def world(make, staff):
    cohort = make.cohort()
    fair = make.fair(status="live", cohorts=[cohort])
    fair.staff.append(staff)
    atlas = make.participation(fair, make.company("Atlas Digital"))
    make.booth(fair, "B7").participation = atlas
    slot = make.slot_at(make.table(atlas), 10, 30)
    person = make.bookable_candidate(cohort, email="salma@example.ma")
    person.first_name, person.last_name = "Salma", "Élbaz"
    make.booking(slot, person)
    rep = make.user(role="company_rep", email="rh@atlas.ma", company=atlas.company,
                    first_name="Karim", last_name="Tazi")
    db.session.flush()
    return SimpleNamespace(fair=fair, cohort=cohort, atlas=atlas, person=person, rep=rep,
                           badge=factories.badge(fair, person), staff=staff,
                           scanner=f"/staff/fairs/{fair.id}/scan")


def scan(auth, world, code, nonce=None, device="Entrée nord"):
    return auth.post(world.scanner, {"code": code, "nonce": nonce or secrets.token_hex(8),
                                     "device_name": device})


def status_of(response):
    match = re.search(rb'data-status="([a-z_]+)"', response.data)
    return match.group(1).decode() if match else None


def live_checkins(world):
    db.session.rollback()
    return db.session.scalars(select(CheckIn).where(
        CheckIn.fair_id == world.fair.id, CheckIn.undone_at.is_(None))).all()


# --- Every status ---------------------------------------------------------------------------


def test_a_scan_checks_in_and_shows_name_track_and_interviews(auth, world):
    auth.login_as(world.staff)
    auth.use_language("en")
    response = scan(auth, world, world.badge.token)
    assert response.status_code == 200
    assert status_of(response) == "checked_in"
    page = response.get_data(as_text=True)
    assert "Salma Élbaz" in page
    assert world.cohort.name in page and world.cohort.track.name in page
    assert "10:30" in page and "Atlas Digital" in page and "B7" in page
    [checkin] = live_checkins(world)
    assert checkin.user_id == world.person.id and checkin.badge_id == world.badge.id
    assert checkin.scanned_by_id == world.staff.id and checkin.device_name == "Entrée nord"
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_id == checkin.id)) == "checkin.entry"


def test_a_full_badge_url_is_accepted(auth, world):
    auth.login_as(world.staff)
    response = scan(auth, world, f"https://jobfair.example.ma/b/{world.badge.token}\n")
    assert status_of(response) == "checked_in"


def test_a_second_scan_says_already_checked_in_when_by_whom_and_device(auth, world):
    auth.login_as(world.staff)
    auth.use_language("en")
    scan(auth, world, world.badge.token, device="Phone 2")
    response = scan(auth, world, world.badge.token, device="Laptop")
    assert status_of(response) == "already_checked_in"
    page = response.get_data(as_text=True)
    assert world.staff.full_name in page and "Phone 2" in page
    assert "Salma Élbaz" in page
    assert len(live_checkins(world)) == 1


def test_unknown_badge(auth, world):
    auth.login_as(world.staff)
    response = scan(auth, world, "not-a-real-token")
    assert status_of(response) == "unknown_badge"
    assert "Salma" not in response.get_data(as_text=True)
    assert live_checkins(world) == []


def test_revoked_badge(auth, world, make):
    old = factories.badge(world.fair, world.rep, revoked=True)
    factories.badge(world.fair, world.rep)
    auth.login_as(world.staff)
    assert status_of(scan(auth, world, old.token)) == "revoked_badge"
    assert live_checkins(world) == []


def test_badge_of_another_fair_is_not_registered(auth, world, make):
    other = make.fair(status="live", cohorts=[world.cohort])
    foreign = factories.badge(other, world.person)
    auth.login_as(world.staff)
    assert status_of(scan(auth, world, foreign.token)) == "not_registered"
    assert live_checkins(world) == []


def test_person_no_longer_invited_is_not_registered(auth, world, make):
    world.person.candidate.cohort = make.cohort()  # moved to a cohort this fair did not invite
    world.atlas.status = "withdrawn"
    rep_badge = factories.badge(world.fair, world.rep)
    auth.login_as(world.staff)
    assert status_of(scan(auth, world, world.badge.token)) == "not_registered"
    assert status_of(scan(auth, world, rep_badge.token)) == "not_registered"
    assert live_checkins(world) == []


def test_a_company_rep_is_checked_in_with_their_company(auth, world):
    rep_badge = factories.badge(world.fair, world.rep)
    auth.login_as(world.staff)
    response = scan(auth, world, rep_badge.token)
    assert status_of(response) == "checked_in"
    assert "Karim Tazi" in response.get_data(as_text=True)
    assert "Atlas Digital" in response.get_data(as_text=True)


@pytest.mark.parametrize("fair_status", ["published", "closed"])
def test_fair_not_live(auth, world, fair_status):
    world.fair.status = fair_status
    auth.login_as(world.staff)
    response = scan(auth, world, world.badge.token)
    assert status_of(response) == "fair_not_live"
    assert live_checkins(world) == []


# --- Idempotence ----------------------------------------------------------------------------


def test_a_replayed_nonce_returns_the_first_answer(auth, world):
    auth.login_as(world.staff)
    first = scan(auth, world, world.badge.token, nonce="n-1")
    [checkin] = live_checkins(world)
    again = scan(auth, world, world.badge.token, nonce="n-1")
    assert status_of(first) == status_of(again) == "checked_in"
    ids = {re.search(rb'data-checkin-id="(\d+)"', r.data).group(1) for r in (first, again)}
    assert ids == {str(checkin.id).encode()}
    assert db.session.scalar(select(CheckIn.checked_in_at)) == checkin.checked_in_at
    assert len(db.session.scalars(select(CheckIn)).all()) == 1
    # A different nonce is a second scan: "already checked in".
    assert status_of(scan(auth, world, world.badge.token, nonce="n-2")) == "already_checked_in"


def test_fetch_gets_only_the_result_fragment(auth, world):
    auth.login_as(world.staff)
    response = auth.post(world.scanner, {"code": world.badge.token, "nonce": "frag"},
                         headers={"HX-Request": "true"})
    assert status_of(response) == "checked_in"
    assert b"<html" not in response.data and b'id="scan-form"' not in response.data


# --- Undo -----------------------------------------------------------------------------------


def undo_url(world, checkin):
    return f"/staff/fairs/{world.fair.id}/checkins/{checkin.id}/undo"


def test_undo_within_five_minutes_is_audited_and_a_new_scan_checks_in_again(auth, world):
    auth.login_as(world.staff)
    scan(auth, world, world.badge.token)
    [checkin] = live_checkins(world)
    response = auth.post(undo_url(world, checkin), page=world.scanner)
    assert response.status_code == 200
    assert live_checkins(world) == []
    undone = db.session.get(CheckIn, checkin.id)
    assert undone.undone_at is not None and undone.undone_by_id == world.staff.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "checkin.undo")).one()
    assert event.actor_id == world.staff.id and event.fair_id == world.fair.id
    assert event.object_id == checkin.id and json.loads(event.details)["user_id"] == world.person.id
    assert status_of(scan(auth, world, world.badge.token)) == "checked_in"
    assert len(live_checkins(world)) == 1


def test_undo_after_five_minutes_is_refused(auth, world):
    auth.login_as(world.staff)
    scan(auth, world, world.badge.token)
    [checkin] = live_checkins(world)
    checkin.checked_in_at = utcnow() - timedelta(minutes=6)
    auth.use_language("en")
    response = auth.post(undo_url(world, checkin), page=world.scanner)
    assert b"only be undone within five minutes" in response.data
    assert len(live_checkins(world)) == 1
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "checkin.undo")).all() == []


def test_an_undo_that_read_the_check_in_before_another_undo_is_refused_and_not_audited(
        app, auth, world):
    """The check-in was undone (a first click) after this undo read it: told, not audited twice."""
    auth.login_as(world.staff)
    scan(auth, world, world.badge.token)
    [checkin] = live_checkins(world)
    services.undo(checkin, world.staff)
    db.session.commit()
    stale = db.session.get(CheckIn, checkin.id)
    stale.undone_at = stale.undone_by_id = None  # as read before the first click committed
    db.session.expunge(stale)
    with pytest.raises(DomainError) as refused:
        services.undo(stale, world.staff)
    with app.test_request_context():  # French, the default
        assert str(refused.value.message) == "Ce pointage a déjà été annulé."
    db.session.rollback()
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "checkin.undo")).all()) == 1


def test_another_staff_member_cannot_undo_but_an_organizer_can(auth, world, make, organizer):
    colleague = make.user(role="staff", email="colleague@example.ma")
    world.fair.staff.append(colleague)
    auth.login_as(world.staff)
    scan(auth, world, world.badge.token)
    [checkin] = live_checkins(world)
    auth.logout()
    auth.login_as(colleague)
    auth.post(undo_url(world, checkin), page=world.scanner)
    assert len(live_checkins(world)) == 1
    auth.logout()
    auth.login_as(organizer)
    auth.post(undo_url(world, checkin), page=world.scanner)
    assert live_checkins(world) == []


# --- Name search ----------------------------------------------------------------------------


def test_name_search_is_accent_insensitive_and_checks_in_by_id(auth, world, make):
    outsider = make.candidate(email="other@example.ma", cohort_=make.cohort())
    outsider.first_name, outsider.last_name = "Salma", "Outside"
    auth.login_as(world.staff)
    page = auth.client.get(world.scanner + "?q=salma elbaz").get_data(as_text=True)
    assert "Salma Élbaz" in page and "Outside" not in page
    url = f"/staff/fairs/{world.fair.id}/people/{world.person.id}/checkin"
    response = auth.post(url, {"nonce": "by-name", "device_name": "Desk"}, page=world.scanner)
    assert status_of(response) == "checked_in"
    [checkin] = live_checkins(world)
    assert checkin.badge_id == world.badge.id and checkin.nonce == "by-name"
    again = auth.post(url, {"nonce": "by-name-2"}, page=world.scanner)
    assert status_of(again) == "already_checked_in"
    outsider_url = f"/staff/fairs/{world.fair.id}/people/{outsider.id}/checkin"
    assert status_of(auth.post(outsider_url, {"nonce": "x"}, page=world.scanner)) == \
        "not_registered"


# --- Authorization (who is refused: the authorization matrix) and the badge link ------------


def test_an_organizer_may_scan_any_fair(auth, world, organizer):
    auth.login_as(organizer)
    assert auth.client.get(world.scanner).status_code == 200
    assert status_of(scan(auth, world, world.badge.token)) == "checked_in"


def test_the_badge_link_shows_nothing_personal_to_others(client, auth, world, make):
    url = f"/b/{world.badge.token}"
    for who in (None, world.person, world.rep, make.candidate(email="x@example.ma")):
        if who is not None:
            auth.login_as(who)
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        page = html[html.index("<main"):html.index("</main>")]  # the header shows one's own name
        assert 'id="neutral-badge"' in page
        assert "Salma" not in page and "Élbaz" not in page and world.fair.name not in page
        if who is not None:
            auth.logout()
    assert live_checkins(world) == []


def test_the_badge_link_leads_staff_to_the_check_in_button_and_get_changes_nothing(auth, world):
    auth.login_as(world.staff)
    page = auth.client.get(f"/b/{world.badge.token}").get_data(as_text=True)
    assert "Salma Élbaz" in page and 'id="badge-checkin"' in page
    assert live_checkins(world) == []
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    response = auth.post(world.scanner, {"code": world.badge.token, "nonce": nonce},
                         page=f"/b/{world.badge.token}")
    assert status_of(response) == "checked_in"


def test_the_scanner_page_works_without_js_and_loads_its_script(auth, world):
    auth.login_as(world.staff)
    page = auth.client.get(world.scanner).get_data(as_text=True)
    assert 'id="scan-form"' in page and 'method="post"' in page and 'name="nonce"' in page
    assert "/static/scanner.js" in page and "/vendor/jsQR.js" in page
    assert 'aria-live="polite"' in page and "autofocus" in page
    assert auth.client.get("/static/scanner.js").status_code == 200
    # The plain form: POST → the whole page with the result.
    response = scan(auth, world, world.badge.token)
    assert status_of(response) == "checked_in" and b'id="scan-form"' in response.data


def test_the_vendor_decoder_is_served_from_npm(client):
    response = client.get("/vendor/jsQR.js")
    assert response.status_code == 200 and b"jsQR" in response.data[:2000]


def test_the_staff_home_links_to_the_scanner(auth, world):
    auth.login_as(world.staff)
    assert world.scanner.encode() in auth.client.get("/staff/").data


def test_extract_token():
    assert services.extract_token(" https://x.ma/b/AbC_-12?utm=1 ") == "AbC_-12"
    assert services.extract_token("AbC_-12\r\n") == "AbC_-12"
    assert services.extract_token("http://x.ma/b/AbC/") == "AbC"


def test_losing_the_insert_race_answers_already_checked_in(auth, world, make):
    """The check-in is inserted without looking first: another device's row, already there,
    makes the index refuse ours, and the answer is the winner's."""
    other_staff = make.user(role="staff", email="door2@example.ma")
    winner = CheckIn(fair_id=world.fair.id, user_id=world.person.id, badge_id=world.badge.id,
                     scanned_by_id=other_staff.id, device_name="Door 2", nonce="winner")
    db.session.add(winner)
    db.session.flush()
    auth.login_as(world.staff)
    response = scan(auth, world, world.badge.token, nonce="loser")
    assert response.status_code == 200 and status_of(response) == "already_checked_in"
    assert b"Door 2" in response.data
    assert [c.nonce for c in live_checkins(world)] == ["winner"]
    assert db.session.scalars(select(AuditEvent)).all() == []


def test_a_retried_scan_gets_its_first_answer_even_if_the_badge_was_revoked_since(
        auth, world):
    auth.login_as(world.staff)
    first = scan(auth, world, world.badge.token, nonce="before-revocation")
    world.badge.revoked_at = utcnow()
    db.session.commit()
    again = scan(auth, world, world.badge.token, nonce="before-revocation")
    assert status_of(first) == status_of(again) == "checked_in"
    assert status_of(scan(auth, world, world.badge.token)) == "revoked_badge"
    assert len(live_checkins(world)) == 1


def test_a_nonce_already_used_at_another_fair_does_not_block_the_scan(auth, world, make):
    elsewhere = make.fair(status="live")
    db.session.add(CheckIn(fair_id=elsewhere.id, user_id=world.rep.id, nonce="reused"))
    auth.login_as(world.staff)
    assert status_of(scan(auth, world, world.badge.token, nonce="reused")) == "checked_in"
    [checkin] = live_checkins(world)
    assert checkin.user_id == world.person.id and checkin.nonce is None
