"""Race safety, proved with real concurrent HTTP requests against a served app.

The app runs in a werkzeug server (one thread per request) on the test
database — SQLite or PostgreSQL (TEST_DATABASE_URL) — with a connection pool
big enough for every request at once. Each candidate logs in through the real
form with a cookie jar; the POSTs wait at a ``threading.Barrier`` and leave
together. Afterwards the database invariants are checked: each slot's
``booked_count`` equals its live bookings and never passes its capacity; no
candidate holds two live bookings with one company or two overlapping ones.
"""
import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from werkzeug.serving import WSGIRequestHandler, make_server

from jobfair import create_app, database
from jobfair.config import TestConfig
from jobfair.extensions import db
from jobfair.models import Booking, Slot, WaitlistEntry

from .factories import PASSWORD

TAKEN = "This slot was just taken"


# --- A served app and browsers ------------------------------------------------------------


@pytest.fixture(autouse=True)
def _test_thread_takes_no_write_lock():
    """On SQLite, the test's own reads must not hold the write lock while the server works.

    (The test writes only while setting up, when nothing else runs.)
    """
    token = database.set_write_intent(False)
    yield
    database.reset_write_intent(token)



@pytest.fixture
def server(app):
    """The app served over HTTP on a free port, on the same database as the ``app`` fixture."""

    class ServedConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 20, "max_overflow": 40, "pool_timeout": 30}
        LOGIN_RATE_LIMIT = "1000 per minute"

    served = create_app(ServedConfig)
    httpd = make_server("127.0.0.1", 0, served, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(10)
    httpd.server_close()
    with served.app_context():
        db.engine.dispose()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # hundreds of requests: keep the output readable
        pass


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Report a 303 as it is: the test wants to see who was redirected (booked)."""

    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's cookies (session and CSRF) over real HTTP."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _KeepRedirects)

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path):
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path, data):
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def token(self, path):
        status, html = self.get(path)
        assert status == 200, (path, status, html[:300])
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    def login(self, email):
        status, body = self.post("/login", {"email": email, "password": PASSWORD,
                                            "csrf_token": self.token("/login")})
        assert status == 303, body[:300]
        return self


def browsers(server, people, page):
    """Logged-in browsers (in parallel: password hashing is slow), each with the page's token."""
    def start(email):
        browser = Browser(server).login(email)
        browser.csrf = browser.token(page)
        return browser

    emails = [person.email for person in people]  # read here: the threads have no app context
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(start, emails))


def all_at_once(calls):
    """Run ``calls`` in threads released together by a barrier; returns their results in order.

    The calls use plain values only (URLs, tokens): the threads have no app context.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # reported by the assertions
            results[index] = ("error", repr(error))

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results, time.monotonic() - started


# --- Invariants -----------------------------------------------------------------------------


def check_invariants():
    db.session.rollback()
    db.session.expire_all()
    live = db.session.scalars(
        select(Booking).where(Booking.status != "cancelled")).all()
    per_slot = Counter(b.slot_id for b in live)
    for slot in db.session.scalars(select(Slot)).all():
        assert slot.booked_count == per_slot.get(slot.id, 0), slot.id
        assert 0 <= slot.booked_count <= slot.capacity
    by_candidate = {}
    for booking in live:
        by_candidate.setdefault(booking.candidate_id, []).append(booking)
    for bookings in by_candidate.values():
        companies = [b.participation_id for b in bookings]
        assert len(companies) == len(set(companies)), "two live bookings with one company"
        for a, b in combinations(bookings, 2):
            assert not (a.slot.starts_at < b.slot.ends_at and b.slot.starts_at < a.slot.ends_at), \
                "overlapping live bookings"
    return live


@pytest.fixture
def world(make):
    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort], max_bookings_per_candidate=3)
    atlas = make.participation(fair, make.company("Atlas Digital"))
    kasbah = make.participation(fair, make.company("Kasbah Labs"))
    return SimpleNamespace(
        fair=fair, cohort=cohort, atlas=atlas, kasbah=kasbah,
        table_a=make.table(atlas, name="Salma"), table_k=make.table(kasbah, name="Karim"),
        company_page=f"/me/fairs/{fair.id}/companies/{atlas.company_id}",
        schedule=f"/me/fairs/{fair.id}/schedule")


def candidates(make, world, count, prefix):
    return [make.bookable_candidate(world.cohort, email=f"{prefix}{n}@example.ma")
            for n in range(count)]


def book_url(world, slot):
    return f"/me/fairs/{world.fair.id}/slots/{slot.id}/book"


def no_server_errors(results):
    statuses = Counter(r[0] for r in results)
    assert all(isinstance(s, int) and s < 500 for s in statuses), statuses
    return statuses


# --- The races ----------------------------------------------------------------------------------


def test_fifty_candidates_for_the_last_place(make, server, world):
    slot = make.slot_at(world.table_a, 10, capacity=2)
    make.booking(slot, make.bookable_candidate(world.cohort, email="early@example.ma"))
    people = candidates(make, world, 50, "rush")
    db.session.commit()
    crowd = browsers(server, people, world.company_page)
    url = book_url(world, slot)
    results, seconds = all_at_once(
        [lambda b=b: b.post(url, {"csrf_token": b.csrf}) for b in crowd])
    statuses = no_server_errors(results)
    print(f"\n50 concurrent bookings of the last place: {dict(statuses)} in {seconds:.2f} s "
          f"({db.engine.dialect.name})")
    assert statuses == {303: 1, 200: 49}
    assert sum(TAKEN in body for status, body in results if status == 200) == 49
    live = check_invariants()
    assert db.session.get(Slot, slot.id).booked_count == 2
    winners = [b for b in live
               if b.slot_id == slot.id and b.candidate.user.email != "early@example.ma"]
    assert len(winners) == 1


def test_one_candidate_submitting_the_same_booking_twice_at_once(make, server, world):
    slot = make.slot_at(world.table_a, 10, capacity=5)
    [person] = candidates(make, world, 1, "double")
    db.session.commit()
    [browser] = browsers(server, [person], world.company_page)
    url = book_url(world, slot)
    results, _ = all_at_once([lambda: browser.post(url, {"csrf_token": browser.csrf})] * 4)
    statuses = no_server_errors(results)
    assert statuses == {303: 1, 200: 3}
    assert all("You already have an interview with" in body
               for status, body in results if status == 200)
    live = check_invariants()
    assert len(live) == 1 and db.session.get(Slot, slot.id).booked_count == 1


def test_one_candidate_booking_two_overlapping_slots_at_once(make, server, world):
    at_atlas = make.slot_at(world.table_a, 10, capacity=10)
    at_kasbah = make.slot_at(world.table_k, 10, 10, capacity=10)  # overlaps 10:00–10:20
    people = candidates(make, world, 10, "overlap")
    db.session.commit()
    crowd = browsers(server, people, world.company_page)
    urls = [book_url(world, at_atlas), book_url(world, at_kasbah)]
    calls = [lambda b=b, url=url: b.post(url, {"csrf_token": b.csrf})
             for b in crowd for url in urls]
    results, _ = all_at_once(calls)
    statuses = no_server_errors(results)
    assert statuses == {303: 10, 200: 10}
    assert all("overlaps your interview" in body for status, body in results if status == 200)
    live = check_invariants()
    assert Counter(b.candidate_id for b in live) == {p.candidate.id: 1 for p in people}


def test_a_cancellation_racing_bookings_leaves_one_holder_the_first_in_line(make, server, world):
    slot = make.slot_at(world.table_a, 10)
    holder = make.bookable_candidate(world.cohort, email="holder@example.ma")
    booking = make.booking(slot, holder)
    waiter = make.bookable_candidate(world.cohort, email="waiter@example.ma")
    entry = WaitlistEntry(participation_id=world.atlas.id, candidate_id=waiter.candidate.id)
    db.session.add(entry)
    rivals = candidates(make, world, 10, "rival")
    db.session.commit()
    [holder_browser] = browsers(server, [holder], world.schedule)
    crowd = browsers(server, rivals, world.company_page)
    cancel_url, url = f"/me/bookings/{booking.id}/cancel", book_url(world, slot)
    calls = [lambda: holder_browser.post(cancel_url, {"csrf_token": holder_browser.csrf})]
    calls += [lambda b=b: b.post(url, {"csrf_token": b.csrf}) for b in crowd]
    results, _ = all_at_once(calls)
    statuses = no_server_errors(results)
    assert results[0][0] == 303  # the cancellation
    assert statuses == {303: 1, 200: 10}
    assert all(TAKEN in body for _, body in results[1:])
    live = check_invariants()
    [seat] = [b for b in live if b.slot_id == slot.id]
    assert seat.candidate_id == waiter.candidate.id
    assert db.session.get(Slot, slot.id).booked_count == 1
    assert db.session.get(WaitlistEntry, entry.id).status == "booked"


def test_promotion_racing_the_waiting_candidates_own_booking(make, server, world):
    """The waiting candidate books an overlapping slot elsewhere while a place frees up for them:
    whatever the order, they never hold two overlapping interviews, and the counts stay right."""
    for round_ in range(3):
        full = make.participation(world.fair, make.company(f"Full {round_}"))
        other = make.participation(world.fair, make.company(f"Other {round_}"))
        slot = make.slot_at(make.table(full), 10)
        elsewhere = make.slot_at(make.table(other), 10, 5)  # overlaps the freed slot
        holder = make.bookable_candidate(world.cohort, email=f"h{round_}@example.ma")
        booking = make.booking(slot, holder)
        waiter = make.bookable_candidate(world.cohort, email=f"w{round_}@example.ma")
        db.session.add(WaitlistEntry(participation_id=full.id, candidate_id=waiter.candidate.id))
        db.session.commit()
        [holder_browser] = browsers(server, [holder], world.schedule)
        [waiter_browser] = browsers(server, [waiter], world.company_page)
        cancel_url, url = f"/me/bookings/{booking.id}/cancel", book_url(world, elsewhere)
        results, _ = all_at_once([
            lambda h=holder_browser, u=cancel_url: h.post(u, {"csrf_token": h.csrf}),
            lambda w=waiter_browser, u=url: w.post(u, {"csrf_token": w.csrf}),
        ])
        no_server_errors(results)
        assert results[0][0] == 303
        live = check_invariants()
        assert len([b for b in live if b.candidate_id == waiter.candidate.id]) == 1


def test_concurrent_moves_and_cancellations_keep_the_counts(make, server, world):
    """Candidates swap times and cancel at once; every count still matches the live bookings."""
    slots = [make.slot_at(world.table_a, 9 + n) for n in range(6)]
    people = candidates(make, world, 4, "mover")
    bookings = [make.booking(slots[n], people[n]) for n in range(4)]
    db.session.commit()
    crowd = browsers(server, people, world.schedule)
    # 0 → 4, 1 → 4 (one of them loses), 2 → 5, and 3 cancels.
    plan = [(0, "move", slots[4]), (1, "move", slots[4]), (2, "move", slots[5]),
            (3, "cancel", None)]
    calls = []
    for index, action, target in plan:
        b, booking_id = crowd[index], bookings[index].id
        if action == "move":
            data = {f"b{booking_id}-target": target.id, f"b{booking_id}-csrf_token": b.csrf}
            url = f"/me/bookings/{booking_id}/move"
        else:
            data, url = {"csrf_token": b.csrf}, f"/me/bookings/{booking_id}/cancel"
        calls.append(lambda b=b, url=url, data=data: b.post(url, data))
    results, _ = all_at_once(calls)
    statuses = no_server_errors(results)
    assert statuses == {303: 3, 200: 1}
    live = check_invariants()
    assert len(live) == 3
    assert db.session.scalar(
        select(func.count(Booking.id)).where(Booking.slot_id == slots[4].id,
                                             Booking.status != "cancelled")) == 1
