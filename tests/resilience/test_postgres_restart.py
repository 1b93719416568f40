"""PostgreSQL restarted while doors scan badges and candidates book interviews.

A private PostgreSQL cluster (never the shared one) serves a gunicorn server. Four door
devices scan badges and candidates book, each client behaving as the scanner page does:
an answer of 5xx or no answer is retried with the same request (the scan with the same
nonce) until the server answers. In the middle of the load the cluster is restarted.

Proved: the server recovers by itself (same processes, pool_pre_ping drops the dead
connections); every failed request was a clear, translated 503 (never a stack trace or a
bare 500); afterwards every badge is checked in exactly once, by exactly one scan answered
"checked in" (the others "already checked in"), and every candidate holds exactly one
booking, with the slot counts right. And while the database is down, pages, scans and
/healthz answer 503, then work again once it is back.
"""
import threading
import time
from collections import Counter
from types import SimpleNamespace

import psutil
import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import func, select

from jobfair import create_app
from jobfair.config import TestConfig
from jobfair.extensions import db
from jobfair.models import AuditEvent, Badge, Booking, CheckIn

from .. import factories
from ..factories import PASSWORD
from ..test_booking_races import check_invariants
from .conftest import Browser, gunicorn

pytestmark = pytest.mark.resilience

DOORS, BADGES_PER_DOOR, CANDIDATES = 4, 8, 8
RETRY_SECONDS = 0.2
LOAD_DEADLINE = 120  # seconds: a client that still has no answer by then fails the test
UNAVAILABLE_FR = "Le service est momentanément indisponible. Réessayez dans un instant."
UNAVAILABLE_EN = "The service is briefly unavailable. Try again in a moment."


@pytest.fixture(scope="module")
def cluster(private_cluster):
    return private_cluster


@pytest.fixture(scope="module")
def database_app(cluster):
    """The app bound to the private cluster, for setting up and checking (not for serving)."""

    class OnCluster(TestConfig):
        SQLALCHEMY_DATABASE_URI = cluster.url

    app = create_app(OnCluster)
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def server(cluster, database_app, tmp_path_factory):
    with gunicorn(cluster.url, tmp_path_factory.mktemp("restart-instance"),
                  "restart-test-secret-key-" + "x" * 32, tmp_path_factory.mktemp("restart-logs"),
                  LOGIN_RATE_LIMIT="1000 per minute") as (base_url, process):
        yield SimpleNamespace(url=base_url, process=process)


def processes(server):
    master = psutil.Process(server.process.pid)
    return {master.pid, *(child.pid for child in master.children(recursive=True))}


def seed(app, tag):
    """A live fair with badged candidates and staff doors; an open fair with one slot each."""
    with app.app_context():
        cohort = factories.cohort()
        live = factories.fair(status="live", cohorts=[cohort])
        doors = [factories.user(role="staff", email=f"door{n}-{tag}@example.ma")
                 for n in range(DOORS)]
        live.staff.extend(doors)
        badges = []
        for n in range(DOORS * BADGES_PER_DOOR):
            person = factories.bookable_candidate(cohort, email=f"guest{n}-{tag}@example.ma")
            badge = Badge(fair_id=live.id, user_id=person.id, token=f"{tag}-badge-{n:03d}-" + "k" * 20)
            db.session.add(badge)
            badges.append(badge)
        booking_cohort = factories.cohort()
        open_fair = factories.open_fair(cohorts=[booking_cohort])
        atlas = factories.participation(open_fair, factories.company(f"Atlas {tag}"))
        table = factories.table(atlas)
        bookers = []
        for n in range(CANDIDATES):
            person = factories.bookable_candidate(booking_cohort, email=f"booker{n}-{tag}@example.ma")
            slot = factories.slot_at(table, 9 + n // 3, (n % 3) * 20)
            bookers.append((person.email, f"/me/fairs/{open_fair.id}/slots/{slot.id}/book", slot.id))
        db.session.commit()
        return SimpleNamespace(
            tag=tag, fair_id=live.id, scan_page=f"/staff/fairs/{live.id}/scan",
            company_page=f"/me/fairs/{open_fair.id}/companies/{atlas.company_id}",
            doors=[d.email for d in doors], tokens=[b.token for b in badges], bookers=bookers)


class Log:
    """Every answer the clients saw, from many threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failures = []  # (status or exception name, body excerpt)
        self.done = 0

    def failure(self, what, body=""):
        with self.lock:
            self.failures.append((what, body))

    def finished_one(self):
        with self.lock:
            self.done += 1


def until_answered(log, send):
    """Send until the server answers something other than 5xx, as scanner.js does."""
    deadline = time.monotonic() + LOAD_DEADLINE
    while True:
        try:
            response = send()
        except requests.ConnectionError as error:
            # No answer (e.g. a kept-alive connection closed by the server as it was reused):
            # scanner.js retries these too.
            log.failure("no answer", str(error))
        else:
            if response.status_code < 500:
                log.finished_one()
                return response
            log.failure(response.status_code, response.text)
        assert time.monotonic() < deadline, "no answer from the server after the restart"
        time.sleep(RETRY_SECONDS)


def run_load(world, base_url, log):
    """Start the doors and the candidates (already logged in); returns their threads and
    the dict their answers go to."""
    answers = {"scans": [], "bookings": []}
    doors = [Browser(base_url).login(email, PASSWORD) for email in world.doors]
    for door in doors:
        door.csrf = door.token(world.scan_page)
    bookers = []
    for email, url, slot_id in world.bookers:
        browser = Browser(base_url).login(email, PASSWORD)
        browser.csrf = browser.token(world.company_page)
        bookers.append((browser, url, slot_id))

    def door_work(n, door):
        mine = world.tokens[n * BADGES_PER_DOOR:(n + 1) * BADGES_PER_DOOR]
        # Each door also scans one badge of the next door: two devices, one person.
        plan = mine[:4] + [world.tokens[((n + 1) % DOORS) * BADGES_PER_DOOR]] + mine[4:]
        for index, token in enumerate(plan):
            nonce = f"{world.tag}-door{n}-scan{index}"
            response = until_answered(log, lambda: door.post(world.scan_page, {
                "csrf_token": door.csrf, "code": token, "nonce": nonce,
                "device_name": f"Door {n}"}, headers={"HX-Request": "true"}))
            answers["scans"].append((token, nonce, response.status_code, response.text))
            time.sleep(0.15)  # a person walks up to the door

    def booker_work(browser, url, slot_id):
        time.sleep(0.1)
        response = until_answered(log, lambda: browser.post(url, {"csrf_token": browser.csrf}))
        answers["bookings"].append((slot_id, response.status_code, response.text))

    threads = [threading.Thread(target=door_work, args=(n, door)) for n, door in enumerate(doors)]
    threads += [threading.Thread(target=booker_work, args=b) for b in bookers]
    for thread in threads:
        thread.start()
    return threads, answers


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_postgresql_restart_under_load_loses_and_doubles_nothing(
        cluster, database_app, server, mode):
    world = seed(database_app, mode)
    before = processes(server)
    log = Log()
    threads, answers = run_load(world, server.url, log)

    # Once the load is under way, restart PostgreSQL ("immediate": as after a crash).
    deadline = time.monotonic() + 30
    while log.done < DOORS and time.monotonic() < deadline:
        time.sleep(0.02)
    cluster.restart(mode)
    for thread in threads:
        thread.join(LOAD_DEADLINE + 30)
    assert not any(thread.is_alive() for thread in threads)

    kinds = Counter(what for what, _ in log.failures)
    print(f"\nPostgreSQL restart -m {mode} under load: retried after {dict(kinds)}; "
          f"{log.done} requests answered in the end; {[b for w, b in log.failures if w == 'no answer']}")
    # The restart hit requests in flight or waiting: they failed with a clear 503 only.
    assert log.failures, "the restart happened when no request was made: nothing was tested"
    for what, body in log.failures:
        if what == "no answer":
            continue
        assert what == 503, (what, body[:2000])
        assert UNAVAILABLE_FR in body or UNAVAILABLE_EN in body, body[:2000]
        assert "Traceback" not in body

    # Every scan got an answer; per badge, exactly one scan was "checked in".
    assert len(answers["scans"]) == DOORS * (BADGES_PER_DOOR + 1)
    checked_in = {}
    for token, nonce, status, body in answers["scans"]:
        assert status == 200, body[:500]
        if 'data-status="checked_in"' in body:
            assert token not in checked_in, f"{token} answered 'checked in' twice"
            checked_in[token] = nonce
        else:
            assert 'data-status="already_checked_in"' in body, body[:1000]
    assert set(checked_in) == set(world.tokens)

    # Every booking is stored once: answered "booked" (303), or, when the first answer was
    # lost, "you already have an interview" on the retry.
    assert len(answers["bookings"]) == CANDIDATES
    for slot_id, status, body in answers["bookings"]:
        assert status == 303 or "You already have an interview with" in body, body[:1000]

    with database_app.app_context():
        rows = db.session.scalars(select(CheckIn).where(CheckIn.fair_id == world.fair_id)).all()
        badges = {b.id: b.token for b in db.session.scalars(
            select(Badge).where(Badge.fair_id == world.fair_id))}
        assert len(rows) == len(world.tokens)  # none lost, none doubled
        assert {badges[r.badge_id]: r.nonce for r in rows if r.undone_at is None} == checked_in
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "checkin.entry",
            AuditEvent.fair_id == world.fair_id)) == len(world.tokens)
        booked = db.session.scalars(select(Booking).where(
            Booking.slot_id.in_([b[2] for b in world.bookers]))).all()
        assert sorted(b.slot_id for b in booked if b.status == "active") == \
            sorted(b[2] for b in world.bookers)
        check_invariants()
        db.session.remove()

    # The app recovered by itself: the same gunicorn processes, and healthy.
    assert processes(server) == before
    assert requests.get(server.url + "/healthz", timeout=10).json() == {
        "status": "ok", "database": "ok"}


def test_while_postgresql_is_down_every_answer_is_a_clear_503_then_all_works_again(
        cluster, database_app, server):
    world = seed(database_app, "down")
    door = Browser(server.url).login(world.doors[0], PASSWORD)
    door.csrf = door.token(world.scan_page)
    english = Browser(server.url)
    assert english.post("/language", {"locale": "en", "next": "/login",
                                      "csrf_token": english.token("/login")}).status_code == 303
    cluster.stop("fast")
    try:
        page = door.get(world.scan_page)
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "5"
        assert "<h1>Service indisponible</h1>" in page.text and UNAVAILABLE_FR in page.text
        scan = door.post(world.scan_page, {"csrf_token": door.csrf, "code": world.tokens[0],
                                           "nonce": "while-down"}, headers={"HX-Request": "true"})
        assert scan.status_code == 503 and UNAVAILABLE_FR in scan.text
        # A visitor who chose English, logging in: the page in English.
        assert english.get("/login").status_code == 200  # needs no database
        login = english.post("/login", {"email": world.doors[1], "password": PASSWORD,
                                        "csrf_token": english.token("/login")})
        assert login.status_code == 503 and UNAVAILABLE_EN in login.text
        assert "<h1>Service unavailable</h1>" in login.text
        health = requests.get(server.url + "/healthz", timeout=10)
        assert (health.status_code, health.json()["database"]) == (503, "unreachable")
    finally:
        cluster.start()
    # Back: the same session and the same nonce work, once.
    again = door.post(world.scan_page, {"csrf_token": door.csrf, "code": world.tokens[0],
                                        "nonce": "while-down"}, headers={"HX-Request": "true"})
    assert again.status_code == 200 and 'data-status="checked_in"' in again.text
    with database_app.app_context():
        assert db.session.scalar(select(func.count(CheckIn.id)).where(
            CheckIn.fair_id == world.fair_id)) == 1
        db.session.remove()
