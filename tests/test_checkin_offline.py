"""The offline scanner's server ends: the manifest (what a device holds) and the batch upload
(nonces deduped, conflicts resolved, the sync report), as services and over HTTP."""
import json
import urllib.request
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from jobfair.checkin import offline, services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import AuditEvent, CheckIn, utcnow

from . import factories
from . import test_booking_races as races
from .test_checkin_races import logged_in

server = races.server
_test_thread_takes_no_write_lock = races._test_thread_takes_no_write_lock


@pytest.fixture
def day(make, staff):
    cohort = make.cohort()
    fair = make.fair(status="live", cohorts=[cohort])
    fair.staff.append(staff)
    other_door = make.user(role="staff", email="porte.sud@example.ma")
    fair.staff.append(other_door)
    salma = make.bookable_candidate(cohort, email="salma@example.ma")
    salma.first_name, salma.last_name = "Salma", "Elbaz"
    karim = make.bookable_candidate(cohort, email="karim@example.ma")
    stranger = make.candidate(email="ailleurs@example.ma")  # of no invited cohort
    badge = factories.badge(fair, salma)
    old = factories.badge(fair, karim, revoked=True)
    db.session.flush()
    return SimpleNamespace(
        fair=fair, staff=staff, other_door=other_door, salma=salma, karim=karim,
        badge=badge, old=old, karim_badge=factories.badge(fair, karim),
        stranger_badge=factories.badge(fair, stranger))


def by_hash(manifest):
    return {entry["h"]: entry for entry in manifest["badges"]}


def scan(code, nonce, local="checked_in", at=None, device="Porte nord"):
    return {"code": code, "nonce": nonce, "local": local, "device_name": device,
            "scanned_at": at if at is not None else int(utcnow().timestamp() * 1000)}


# --- The manifest -------------------------------------------------------------------------


def test_the_manifest_holds_hashes_names_statuses_and_expires(day):
    services.scan(day.fair, day.karim_badge.token, day.staff, nonce="n-karim")
    manifest = offline.manifest(day.fair)
    entries = by_hash(manifest)
    assert len(entries) == 4 and manifest["live"] is True and manifest["delta"] is False
    salma = entries[offline.token_hash(day.badge.token)]
    assert salma == {"h": offline.token_hash(day.badge.token), "s": "active",
                     "n": "Salma Elbaz", "c": False}
    assert entries[offline.token_hash(day.karim_badge.token)]["c"] is True
    # Revoked and not-registered badges: the status only, no name.
    assert entries[offline.token_hash(day.old.token)] == {
        "h": offline.token_hash(day.old.token), "s": "revoked"}
    assert entries[offline.token_hash(day.stranger_badge.token)]["s"] == "not_registered"
    text = json.dumps(manifest)
    for badge in (day.badge, day.old, day.karim_badge, day.stranger_badge):
        assert badge.token not in text  # never the token itself
    assert "salma@example.ma" not in text
    generated = offline.parse_since(manifest["generated_at"])
    assert offline.parse_since(manifest["expires_at"]) - generated == offline.MANIFEST_TTL


def test_a_delta_holds_what_changed_since_revocations_new_badges_and_check_ins(day, make):
    first = offline.manifest(day.fair, now=utcnow() - timedelta(minutes=10))
    since = offline.parse_since(first["generated_at"])
    for badge in (day.badge, day.old, day.karim_badge, day.stranger_badge):
        badge.created_at = since - timedelta(hours=1)
    day.old.revoked_at = since - timedelta(hours=1)
    assert offline.manifest(day.fair, since=since)["badges"] == []
    day.badge.revoked_at = utcnow()
    newcomer = make.bookable_candidate(day.fair.cohorts[0], email="nouveau@example.ma")
    new_badge = factories.badge(day.fair, newcomer)
    services.scan(day.fair, day.karim_badge.token, day.staff, nonce="n-karim")
    delta = offline.manifest(day.fair, since=since)
    entries = by_hash(delta)
    assert delta["delta"] is True
    assert set(entries) == {offline.token_hash(b.token)
                            for b in (day.badge, new_badge, day.karim_badge, day.old)}
    assert entries[offline.token_hash(day.badge.token)]["s"] == "revoked"
    assert entries[offline.token_hash(new_badge.token)]["c"] is False
    assert entries[offline.token_hash(day.karim_badge.token)]["c"] is True


def test_a_cursor_that_is_no_instant_gives_the_whole_manifest():
    assert offline.parse_since("not a date") is None
    assert offline.parse_since(None) is None
    assert offline.parse_since("2026-12-02T09:00:00Z").isoformat() == "2026-12-02T09:00:00"


# --- The upload ---------------------------------------------------------------------------


def test_an_offline_batch_checks_in_at_the_scan_time_with_the_same_statuses(day):
    at = utcnow() - timedelta(minutes=7)
    rows = offline.upload(day.fair, [
        scan(day.badge.token, "n1", at=int(at.timestamp() * 1000)),
        scan(f"https://x.ma/b/{day.old.token}", "n2", local="checked_in"),
        scan("no-such-badge", "n3", local="unknown_badge"),
        scan(day.stranger_badge.token, "n4", local="not_registered"),
    ], day.staff)
    assert [r["status"] for r in rows] == ["checked_in", "revoked_badge", "unknown_badge",
                                          "not_registered"]
    # A badge revoked before the device learnt it: reported, not checked in.
    assert [r["conflict"] for r in rows] == [False, True, False, False]
    checkin = db.session.scalars(select(CheckIn)).one()
    assert checkin.nonce == "n1" and checkin.device_name == "Porte nord"
    assert abs((checkin.checked_in_at - at).total_seconds()) < 1
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "checkin.entry")).one()
    assert json.loads(event.details)["offline"] is True


def test_the_same_batch_uploaded_twice_checks_nobody_in_twice(day):
    batch = [scan(day.badge.token, "n1"), scan(day.badge.token, "n2", local="already_checked_in"),
             scan(day.karim_badge.token, "n3")]
    first = offline.upload(day.fair, batch, day.staff)
    db.session.commit()
    second = offline.upload(day.fair, batch, day.staff)
    db.session.commit()
    assert [r["status"] for r in first] == [r["status"] for r in second] == [
        "checked_in", "already_checked_in", "checked_in"]
    assert len(db.session.scalars(select(CheckIn)).all()) == 2
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "checkin.entry")).all()) == 2


def test_one_badge_checked_in_offline_at_two_doors_is_one_check_in_and_one_already(day):
    north = offline.upload(day.fair, [scan(day.badge.token, "north-1")], day.staff)
    south = offline.upload(day.fair, [scan(day.badge.token, "south-1", device="Porte sud")],
                           day.other_door)
    assert north[0]["status"] == "checked_in" and not north[0]["conflict"]
    assert south[0]["status"] == "already_checked_in" and south[0]["conflict"]
    assert south[0]["device"] == "Porte nord" and south[0]["name"] == "Salma Elbaz"
    assert south[0]["by"] == day.staff.full_name
    assert len(db.session.scalars(select(CheckIn)).all()) == 1


def test_a_scan_decided_offline_and_uploaded_late_reaches_the_other_doors_next_delta(day):
    # The other door's last manifest is from now; a scan made offline 20 minutes ago at the
    # first door is uploaded after it: the other door's next delta must say "checked in".
    other_door = offline.manifest(day.fair)
    since = offline.parse_since(other_door["generated_at"])
    twenty_minutes_ago = int((utcnow() - timedelta(minutes=20)).timestamp() * 1000)
    (row,) = offline.upload(day.fair, [scan(day.badge.token, "late-1", at=twenty_minutes_ago)],
                            day.staff)
    assert row["status"] == "checked_in"
    delta = by_hash(offline.manifest(day.fair, since=since))
    assert delta[offline.token_hash(day.badge.token)]["c"] is True


def test_a_batch_is_answered_in_its_own_order_with_each_badges_scans_in_order(day):
    rows = offline.upload(day.fair, [
        scan(day.badge.token, "o-1"), scan(day.karim_badge.token, "o-2"),
        scan(day.badge.token, "o-3", local="already_checked_in"),
        scan(day.karim_badge.token, "o-4", local="already_checked_in")], day.staff)
    assert [r["nonce"] for r in rows] == ["o-1", "o-2", "o-3", "o-4"]
    assert [r["status"] for r in rows] == ["checked_in", "checked_in",
                                           "already_checked_in", "already_checked_in"]
    assert not any(r["conflict"] for r in rows)


def test_a_code_not_in_the_manifest_is_answered_by_the_server_in_the_report(day, make):
    """Offline, a badge of another fair and no badge at all look the same (not in this fair's
    list): the device says so, and the server's answer tells them apart."""
    elsewhere = make.fair(status="live", cohorts=[day.fair.cohorts[0]])
    other_fair_badge = factories.badge(elsewhere, day.salma)
    new_badge = factories.badge(day.fair, make.bookable_candidate(day.fair.cohorts[0]))
    rows = offline.upload(day.fair, [
        scan(other_fair_badge.token, "n1", local="not_in_manifest"),
        scan("AAAABBBBCCCCDDDD", "n2", local="not_in_manifest"),
        scan(new_badge.token, "n3", local="not_in_manifest"),
    ], day.staff)
    assert [(r["local"], r["status"], r["conflict"]) for r in rows] == [
        ("not_in_manifest", "not_registered", True),
        ("not_in_manifest", "unknown_badge", True),
        ("not_in_manifest", "checked_in", True)]
    assert [c.user_id for c in db.session.scalars(select(CheckIn))] == [new_badge.user_id]


def test_the_scanner_page_labels_the_device_only_status(auth, day):
    auth.login_as(day.staff)
    page = auth.client.get(f"/staff/fairs/{day.fair.id}/scan").get_data(as_text=True)
    assert '"not_in_manifest": "Absent de la liste de ce salon' in page  # data-labels, in French


def test_an_unbelievable_scan_time_is_the_upload_time(day):
    rows = offline.upload(day.fair, [scan(day.badge.token, "n1", at=10**15)], day.staff)
    assert rows[0]["status"] == "checked_in"
    checkin = db.session.scalars(select(CheckIn)).one()
    assert abs((checkin.checked_in_at - utcnow()).total_seconds()) < 60


@pytest.mark.parametrize("scans", [
    "not a list", [{"code": "x"}], [{"nonce": ""}], [scan("x", "n")] * 201, [["n1"]]])
def test_a_malformed_batch_is_refused_whole(day, scans):
    with pytest.raises(DomainError):
        offline.upload(day.fair, scans, day.staff)


# --- Over HTTP ----------------------------------------------------------------------------


def test_the_endpoints_are_the_fair_staffs_only(auth, day, make):
    url = f"/staff/fairs/{day.fair.id}/scan"
    # Without a session (expired, logged out): 403 with a reason, not a login page to follow.
    refused = auth.client.get(url + "/manifest")
    assert refused.status_code == 403 and "Reconnectez-vous" in refused.get_json()["error"]
    auth.login_as(make.user(role="staff", email="ailleurs.staff@example.ma"))  # another fair's
    refused = auth.client.get(url + "/manifest")
    assert refused.status_code == 403 and "badges" not in refused.get_json()
    token = auth.csrf("/login")
    assert auth.client.post(url + "/sync", json={"scans": [scan(day.badge.token, "x-1")]},
                            headers={"X-CSRFToken": token}).status_code == 403
    assert db.session.scalars(select(CheckIn)).all() == []
    auth.logout()
    auth.login_as(day.staff)
    response = auth.client.get(url + "/manifest")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert len(response.get_json()["badges"]) == 4
    # Without its CSRF token a batch is refused.
    assert auth.client.post(url + "/sync", json={"scans": []}).status_code == 400
    token = auth.csrf(url)
    answer = auth.client.post(url + "/sync", headers={"X-CSRFToken": token},
                              json={"scans": [scan(day.badge.token, "http-1")]})
    assert answer.status_code == 200
    assert answer.get_json()["results"][0]["status"] == "checked_in"
    refused = auth.client.post(url + "/sync", headers={"X-CSRFToken": token},
                               json={"scans": [{"code": "x"}]})
    assert refused.status_code == 400 and "error" in refused.get_json()


def test_the_service_worker_is_served_under_staff(client):
    response = client.get("/staff/scanner-sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert b"addEventListener" in response.data


def test_the_scanner_page_gives_the_offline_script_its_texts(auth, day):
    auth.login_as(day.staff)
    page = auth.client.get(f"/staff/fairs/{day.fair.id}/scan").get_data(as_text=True)
    assert 'id="scan-offline"' in page and "/vendor/idb.js" in page
    assert "scanner-offline.js" in page and "{count}" in page


# --- Eight devices uploading at once ---------------------------------------------------------


def test_devices_uploading_overlapping_batches_at_once_lose_and_double_nothing(
        server, day, make):
    people = [make.bookable_candidate(day.fair.cohorts[0], email=f"p{n}@example.ma")
              for n in range(12)]
    tokens = [factories.badge(day.fair, person).token for person in people]
    doors = [make.user(role="staff", email=f"door{n}@example.ma") for n in range(4)]
    day.fair.staff.extend(doors)
    db.session.commit()
    page = f"/staff/fairs/{day.fair.id}/scan"
    browsers = logged_in(server, doors, page)
    # Every device scanned every badge offline (repeats across devices).
    batches = [[scan(token, f"d{n}-{i}") for i, token in enumerate(tokens)]
               for n in range(len(doors))]

    def upload(browser, batch):
        request = urllib.request.Request(
            browser.base + page + "/sync", data=json.dumps({"scans": batch}).encode(),
            method="POST", headers={"Content-Type": "application/json",
                                    "X-CSRFToken": browser.csrf})
        return browser._open(request)

    results, _seconds = races.all_at_once([
        lambda b=b, batch=batch: upload(b, batch) for b, batch in zip(browsers, batches)])
    assert [status for status, _ in results] == [200] * len(doors), results
    statuses = Counter(row["status"] for _, body in results
                       for row in json.loads(body)["results"])
    assert statuses == {"checked_in": 12, "already_checked_in": 12 * (len(doors) - 1)}
    db.session.rollback()
    live = db.session.scalars(select(CheckIn).where(CheckIn.undone_at.is_(None))).all()
    assert sorted(c.user_id for c in live) == sorted(p.id for p in people)
    # Everything uploaded again: the same answers, nothing new.
    again, _ = races.all_at_once([
        lambda b=b, batch=batch: upload(b, batch) for b, batch in zip(browsers, batches)])
    assert Counter(row["status"] for _, body in again
                   for row in json.loads(body)["results"]) == statuses
    db.session.rollback()
    assert len(db.session.scalars(select(CheckIn)).all()) == 12


def test_the_manifest_asks_the_database_a_fixed_number_of_times(auth, day, make):
    from .test_query_counts import assert_constant

    def grow(n):
        for _ in range(n):
            person = make.bookable_candidate(day.fair.cohorts[0])
            badge = factories.badge(day.fair, person)
            services.scan(day.fair, badge.token, day.staff, nonce=f"grow-{badge.id}")
            rep = make.user(role="company_rep", company=make.participation(
                day.fair, make.company()).company)
            factories.badge(day.fair, rep)

    auth.login_as(day.staff)
    url = f"/staff/fairs/{day.fair.id}/scan/manifest"
    assert_constant(lambda: auth.client.get(url), grow)
    assert_constant(lambda: auth.client.get(url + "?since=2026-01-01T00:00:00Z"), grow)
