"""Check-in races, proved with real concurrent HTTP requests against a served app.

As in test_booking_races.py: the app runs in a threaded werkzeug server on the
test database (SQLite, or PostgreSQL with TEST_DATABASE_URL); each staff device
logs in through the real form with its own cookie jar; the scans wait at a
barrier and leave together. Afterwards the database holds exactly one live
check-in, and every answer is either that check-in or "already checked in".
"""
import re
import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from jobfair.extensions import db
from jobfair.models import AuditEvent, Badge, CheckIn

from . import test_booking_races as races

Browser, all_at_once = races.Browser, races.all_at_once

# The served app and the SQLite read-lock rule of the booking races, reused.
server = races.server
_test_thread_takes_no_write_lock = races._test_thread_takes_no_write_lock


@pytest.fixture
def fair_day(make):
    cohort = make.cohort()
    fair = make.fair(status="live", cohorts=[cohort])
    devices = [make.user(role="staff", email=f"door{n}@example.ma") for n in range(6)]
    fair.staff.extend(devices)
    person = make.bookable_candidate(cohort, email="salma@example.ma")
    badge = Badge(fair_id=fair.id, user_id=person.id, token=secrets.token_urlsafe(24))
    db.session.add(badge)
    db.session.commit()
    return fair, devices, person, badge


def logged_in(server, people, page):
    def start(email):
        browser = Browser(server).login(email)
        browser.csrf = browser.token(page)
        return browser

    emails = [p.email for p in people]
    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(start, emails))


def answer(result):
    status, body = result
    assert status == 200, (status, body[:300])
    found = re.search(r'data-status="([a-z_]+)"', body)
    checkin_id = re.search(r'data-checkin-id="(\d+)"', body)
    return found.group(1), int(checkin_id.group(1)) if checkin_id else None


def live_checkins(fair):
    db.session.rollback()
    db.session.expire_all()
    return db.session.scalars(select(CheckIn).where(
        CheckIn.fair_id == fair.id, CheckIn.undone_at.is_(None))).all()


def test_six_devices_scanning_one_badge_at_once_check_in_once(server, fair_day):
    fair, devices, person, badge = fair_day
    page = f"/staff/fairs/{fair.id}/scan"
    browsers = logged_in(server, devices, page)
    token = badge.token  # read here: the threads have no app context
    results, seconds = all_at_once([
        lambda b=b, n=n: b.post(page, {"csrf_token": b.csrf, "code": token,
                                       "nonce": f"device-{n}", "device_name": f"Door {n}"})
        for n, b in enumerate(browsers)])
    answers = [answer(r) for r in results]
    print(f"\n6 devices, one badge: {Counter(a[0] for a in answers)} in {seconds:.2f} s "
          f"({db.engine.dialect.name})")
    [checkin] = live_checkins(fair)
    assert Counter(status for status, _ in answers) == {"checked_in": 1, "already_checked_in": 5}
    assert {checkin_id for _, checkin_id in answers} == {checkin.id}
    assert checkin.user_id == person.id
    assert len(db.session.scalars(select(CheckIn)).all()) == 1
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "checkin.entry")).all()) == 1


def test_one_scan_retried_at_once_with_its_nonce_is_one_check_in(server, fair_day):
    fair, devices, _person, badge = fair_day
    page = f"/staff/fairs/{fair.id}/scan"
    [browser] = logged_in(server, devices[:1], page)
    data = {"csrf_token": browser.csrf, "code": badge.token, "nonce": "same-nonce",
            "device_name": "Door 0"}
    results, _ = all_at_once([lambda: browser.post(page, data)] * 4)
    answers = [answer(r) for r in results]
    [checkin] = live_checkins(fair)
    # Every retry gets the first answer: "checked in", with the one check-in.
    assert answers == [("checked_in", checkin.id)] * 4
    assert checkin.nonce == "same-nonce"


def test_two_people_at_two_doors_at_once_are_both_checked_in(server, fair_day, make):
    fair, devices, _person, badge = fair_day
    other = make.bookable_candidate(fair.cohorts[0], email="karim@example.ma")
    other_badge = Badge(fair_id=fair.id, user_id=other.id, token=secrets.token_urlsafe(24))
    db.session.add(other_badge)
    db.session.commit()
    page = f"/staff/fairs/{fair.id}/scan"
    browsers = logged_in(server, devices[:2], page)
    tokens = [badge.token, other_badge.token]
    results, _ = all_at_once([
        lambda b=b, t=t: b.post(page, {"csrf_token": b.csrf, "code": t, "nonce": t[:20]})
        for b, t in zip(browsers, tokens)])
    assert [answer(r)[0] for r in results] == ["checked_in", "checked_in"]
    assert len(live_checkins(fair)) == 2


def test_a_double_click_on_undo_undoes_once_and_writes_one_audit_event(server, fair_day):
    fair, devices, _person, badge = fair_day
    page = f"/staff/fairs/{fair.id}/scan"
    [browser] = logged_in(server, devices[:1], page)
    status, body = browser.post(page, {"csrf_token": browser.csrf, "code": badge.token,
                                       "nonce": "first-scan"})
    [checkin] = live_checkins(fair)
    url = f"/staff/fairs/{fair.id}/checkins/{checkin.id}/undo"
    results, _ = all_at_once([lambda: browser.post(url, {"csrf_token": browser.csrf})] * 4)
    assert [status for status, _ in results] == [200] * 4, results
    # The devices speak French: "Pointage de … annulé." once, "déjà été annulé" three times.
    assert sum("Pointage de" in body for _, body in results) == 1
    assert sum("Ce pointage a déjà été annulé." in body for _, body in results) == 3
    assert live_checkins(fair) == []
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "checkin.undo")).all()) == 1
