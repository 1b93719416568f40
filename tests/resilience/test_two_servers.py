"""Two servers on one PostgreSQL database, as behind a load balancer.

Two gunicorn servers (separate processes, 2 workers each) serve the test database with the
same SECRET_KEY, the same instance folder and the same Redis rate-limit storage. The race
tests of booking and check-in are spread across both: the guarantees come from the
database, so they hold. And nothing one process keeps in memory is needed by another: a
session, its CSRF token, the failed-login count and a pending import all cross servers.
"""
import re
import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from sqlalchemy import func, select

from jobfair.extensions import db
from jobfair.models import AuditEvent, Candidate, CheckIn, Slot, User

from .. import test_booking_races as booking_races
from .. import test_checkin_races as checkin_races
from ..factories import PASSWORD
from ..test_imports import HEADER, csv_bytes
from .conftest import REDIS_URL, Browser, gunicorn, postgres_url

pytestmark = pytest.mark.resilience

world = booking_races.world
fair_day = checkin_races.fair_day
all_at_once, check_invariants = booking_races.all_at_once, booking_races.check_invariants
TAKEN = booking_races.TAKEN


@pytest.fixture(scope="module")
def servers(app, tmp_path_factory):
    """Two gunicorn servers on the `app` fixture's (migrated) PostgreSQL database."""
    database_url = postgres_url()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url
    redis.Redis.from_url(REDIS_URL).flushdb()
    shared = dict(
        database_url=database_url,
        # Both servers must share the instance folder (pending imports, CVs): see README.
        instance_path=tmp_path_factory.mktemp("shared-instance"),
        secret_key=secrets.token_hex(32),
        log_dir=tmp_path_factory.mktemp("two-servers"),
        LOGIN_RATE_LIMIT="5 per minute",
    )
    with gunicorn(**shared) as (first, _), gunicorn(**shared) as (second, _):
        yield first, second
    redis.Redis.from_url(REDIS_URL).flushdb()


def logged_in(servers, people, page):
    """One browser per person, logged in on alternating servers, with the page's CSRF token
    read on the other one."""
    emails = [p.email for p in people]  # read here: the threads have no app context

    def start(numbered):
        n, email = numbered
        browser = Browser(*servers).login(email, PASSWORD, server=n)
        browser.csrf = browser.token(page, server=n + 1)
        # The race opens fresh connections: gunicorn closes an idle keep-alive connection after
        # 2 s, and a request sent on it just as it closes is reset (a client-side race that a
        # browser retries, and that says nothing about the server).
        browser.http.close()
        return browser

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(start, enumerate(emails)))


def statuses_of(results):
    statuses = Counter(r.status_code if hasattr(r, "status_code") else r for r in results)
    assert all(isinstance(s, int) and s < 500 for s in statuses), statuses
    return statuses


# --- Races spread across both servers --------------------------------------------------------


def test_forty_candidates_on_two_servers_for_the_last_place_one_wins(make, servers, world):
    slot = make.slot_at(world.table_a, 10, capacity=2)
    make.booking(slot, make.bookable_candidate(world.cohort, email="early@example.ma"))
    people = booking_races.candidates(make, world, 40, "rush")
    db.session.commit()
    crowd = logged_in(servers, people, world.company_page)
    url = booking_races.book_url(world, slot)
    results, _ = all_at_once([lambda b=b, n=n: b.post(url, {"csrf_token": b.csrf}, server=n)
                              for n, b in enumerate(crowd)])
    assert statuses_of(results) == {303: 1, 200: 39}
    assert sum(TAKEN in r.text for r in results if r.status_code == 200) == 39
    check_invariants()
    assert db.session.get(Slot, slot.id).booked_count == 2


def test_one_candidate_booking_twice_at_once_on_both_servers_books_once(make, servers, world):
    slot = make.slot_at(world.table_a, 10, capacity=5)
    [person] = booking_races.candidates(make, world, 1, "double")
    db.session.commit()
    [browser] = logged_in(servers, [person], world.company_page)
    url = booking_races.book_url(world, slot)
    results, _ = all_at_once([lambda n=n: browser.post(url, {"csrf_token": browser.csrf}, server=n)
                              for n in range(4)])
    assert statuses_of(results) == {303: 1, 200: 3}
    live = check_invariants()
    assert len(live) == 1 and db.session.get(Slot, slot.id).booked_count == 1


def scan_answer(response):
    status, checkin_id = checkin_races.answer((response.status_code, response.text))
    return status, checkin_id


def test_six_doors_on_two_servers_scanning_one_badge_check_in_once(servers, fair_day):
    fair, devices, person, badge = fair_day
    page = f"/staff/fairs/{fair.id}/scan"
    doors = logged_in(servers, devices, page)
    token = badge.token
    results, _ = all_at_once([
        lambda b=b, n=n: b.post(page, {"csrf_token": b.csrf, "code": token,
                                       "nonce": f"door-{n}", "device_name": f"Door {n}"}, server=n)
        for n, b in enumerate(doors)])
    answers = [scan_answer(r) for r in results]
    [checkin] = checkin_races.live_checkins(fair)
    assert Counter(status for status, _ in answers) == {"checked_in": 1, "already_checked_in": 5}
    assert {checkin_id for _, checkin_id in answers} == {checkin.id}
    assert checkin.user_id == person.id
    assert db.session.scalar(select(func.count(CheckIn.id))) == 1
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "checkin.entry")) == 1


def test_one_scan_retried_on_both_servers_with_its_nonce_is_one_check_in(servers, fair_day):
    fair, devices, _person, badge = fair_day
    page = f"/staff/fairs/{fair.id}/scan"
    [door] = logged_in(servers, devices[:1], page)
    data = {"csrf_token": door.csrf, "code": badge.token, "nonce": "same-nonce",
            "device_name": "Door 0"}
    results, _ = all_at_once([lambda n=n: door.post(page, data, server=n) for n in range(6)])
    [checkin] = checkin_races.live_checkins(fair)
    assert [scan_answer(r) for r in results] == [("checked_in", checkin.id)] * 6
    assert db.session.scalar(select(func.count(CheckIn.id))) == 1


# --- Nothing kept in one process's memory ----------------------------------------------------


def test_a_session_and_its_csrf_token_from_one_server_are_accepted_by_the_other(
        make, servers, world):
    slot = make.slot_at(world.table_a, 11)
    [person] = booking_races.candidates(make, world, 1, "roaming")
    db.session.commit()
    browser = Browser(*servers).login(person.email, PASSWORD, server=0)
    token = browser.token(world.company_page, server=0)
    # Logged in on server 1 without logging in there; server 0's token accepted by server 1.
    response = browser.post(booking_races.book_url(world, slot), {"csrf_token": token}, server=1)
    assert response.status_code == 303, response.text[:500]
    schedule = browser.get(world.schedule, server=0)
    assert schedule.status_code == 200 and "Atlas Digital" in schedule.text
    # Logging out on server 1 ends the session on server 0 too.
    assert browser.post("/logout", {"csrf_token": browser.token(world.schedule, server=1)},
                        server=1).status_code in (302, 303)
    assert browser.get(world.schedule, server=0).status_code in (302, 303)


def test_failed_logins_are_counted_across_both_servers_through_redis(servers, make):
    make.user(role="candidate", email="target@example.ma")
    db.session.commit()
    redis.Redis.from_url(REDIS_URL).flushdb()
    browser = Browser(*servers)

    def wrong(server):
        return browser.post("/login", {"email": "target@example.ma", "password": "wrong-password",
                                       "csrf_token": browser.token("/login", server)},
                            server=server).status_code

    try:
        # The servers allow 5 failed attempts a minute, wherever they land.
        assert [wrong(0) for _ in range(3)] == [200, 200, 200]
        assert [wrong(1) for _ in range(3)] == [200, 200, 429]
        assert wrong(0) == 429
    finally:
        redis.Redis.from_url(REDIS_URL).flushdb()  # later logins of this run must pass


def test_an_import_previewed_on_one_server_is_confirmed_on_the_other(servers, make):
    organizer = make.user(role="organizer", email="orga@example.ma")
    make.cohort(name="Java/JEE — Casablanca 2026", track=make.track("Java/JEE"))
    db.session.commit()
    browser = Browser(*servers).login(organizer.email, PASSWORD, server=0)
    url = "/organizer/candidates/import"
    data = csv_bytes([HEADER,
                      ["Salma", "Alaoui", "salma.alaoui@example.ma", "0612345678",
                       "Java/JEE — Casablanca 2026", "Java/JEE", "Casablanca"],
                      ["Omar", "Benali", "omar.benali@example.ma", "", "Java/JEE — Casablanca 2026",
                       "", "Rabat"]])
    uploaded = browser.post(url, {"csrf_token": browser.token(url, 0), "cohort_id": "0"},
                            server=0, files={"file": ("liste.csv", data, "text/csv")})
    assert uploaded.status_code == 303, uploaded.text[:2000]
    preview_path = uploaded.headers["Location"]
    preview = browser.get(preview_path, server=1)  # the file waits on the shared disk
    assert preview.status_code == 200, preview.text[:500]
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', preview.text).group(1)
    confirmed = browser.post(preview_path + "/confirm",
                             {"csrf_token": browser.token(preview_path, 0),
                              "fingerprint": fingerprint}, server=1)
    assert confirmed.status_code == 303, confirmed.text[:2000]
    assert confirmed.headers["Location"].startswith("/organizer/candidates")
    db.session.rollback()
    emails = set(db.session.scalars(select(User.email).join(Candidate, Candidate.user_id == User.id)))
    assert emails == {"salma.alaoui@example.ma", "omar.benali@example.ma"}
