"""The main page of every role asks the database a fixed number of times, whatever the data.

Each test counts the SQL statements of one request (SQLAlchemy's ``before_cursor_execute``
on the engine), adds several times more of what the page lists (companies, slots, bookings,
candidates, outcomes…), counts again and expects the same number: a page that loads a
relation row by row (N+1) fails here. Timing is not asserted (that is bench/pages.py).
"""
import secrets
from contextlib import contextmanager
from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event

from jobfair.extensions import db
from jobfair.models import (
    Badge,
    CheckIn,
    FollowUpAnswer,
    Lead,
    Outcome,
    Position,
    WaitlistEntry,
    utcnow,
)
from jobfair.timeutil import local_to_utc, local_today

HTMX = {"HX-Request": "true"}
MORE = 3  # how many more units the large world gets


@contextmanager
def counting():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements_of(ask, prepare=None):
    """The statements of one request; the test's own changes are committed first.

    ``prepare()`` makes what one request consumes (a fresh badge to scan): its result is
    given to ``ask``, and its INSERTs are not counted.
    """
    arguments = (prepare(),) if prepare else ()
    db.session.commit()
    with counting() as statements:
        response = ask(*arguments)
    assert response.status_code == 200, response.data[:300]
    return list(statements)


def assert_constant(ask, grow, prepare=None):
    """Same number of statements before and after ``grow(MORE)``; the first call warms up."""
    grow(1)
    statements_of(ask, prepare)
    small = statements_of(ask, prepare)
    grow(MORE)
    large = statements_of(ask, prepare)
    assert len(large) == len(small), (
        f"{len(small)} statements with little data, {len(large)} with more:\n"
        + "\n---\n".join(s for s in large if s not in small)[:3000])


def position(make, company, track):
    return make._save(Position(company=company, title=f"Poste {track.name}", track=track,
                               contract_type="cdi"))


def badge(make, fair, user):
    return make._save(Badge(fair_id=fair.id, user_id=user.id, token=secrets.token_urlsafe(24)))


def check_in(make, fair, user):
    return make._save(CheckIn(fair_id=fair.id, user_id=user.id, kind="entry",
                              checked_in_at=utcnow(), nonce=secrets.token_hex(8)))


def slot_from_now(make, table, minutes):
    start = utcnow().replace(microsecond=0) + timedelta(minutes=minutes)
    return make.slot(table, starts_at=start)


# --- Candidate ------------------------------------------------------------------------------


@pytest.fixture
def bookable(make):
    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort])
    person = make.bookable_candidate(cohort)
    return SimpleNamespace(cohort=cohort, fair=fair, person=person, hour=iter(range(9, 17)))


def add_company(make, world):
    """A company of the fair with positions, a booth, slots (one reserved to a track, one
    booked by somebody else) and a waiting list."""
    company = make.company()
    for _ in range(2):
        position(make, company, make.track())
    part = make.participation(world.fair, company)
    number = len(world.fair.booths) + 1
    make.booth(world.fair, number=f"A{number}", row=0, col=number, participation=part)
    table = make.table(part)
    reserved = make.slot_at(table, 9)
    reserved.eligible_tracks.append(world.cohort.track)
    reserved.eligible_cohorts.append(world.cohort)
    make.booking(make.slot_at(table, 10), make.bookable_candidate(world.cohort))
    make.slot_at(table, 11)
    make._save(WaitlistEntry(participation=part,
                             candidate=make.bookable_candidate(world.cohort).candidate))
    return part, table


def test_directory(auth, client, make, bookable):
    def grow(n):
        for _ in range(n):
            add_company(make, bookable)

    auth.login_as(bookable.person)
    assert_constant(lambda: client.get(f"/me/fairs/{bookable.fair.id}/companies"), grow)


def test_company_page_of_the_directory(auth, client, make, bookable):
    part, table = add_company(make, bookable)

    def grow(n):
        for _ in range(n):
            for hour in (13, 14, 15):
                reserved = make.slot_at(table, hour)
                reserved.eligible_tracks.append(make.track())
            make.booking(make.slot_at(table, 16), make.bookable_candidate(bookable.cohort))

    auth.login_as(bookable.person)
    url = f"/me/fairs/{bookable.fair.id}/companies/{part.company_id}"
    assert_constant(lambda: client.get(url), grow)


def test_my_schedule(auth, client, make, bookable):
    def grow(n):
        for _ in range(n):
            part, table = add_company(make, bookable)
            make.booking(make.slot_at(table, next(bookable.hour), 30), bookable.person)
            other, _table = add_company(make, bookable)
            make._save(WaitlistEntry(participation=other, candidate=bookable.person.candidate))

    auth.login_as(bookable.person)
    assert_constant(lambda: client.get(f"/me/fairs/{bookable.fair.id}/schedule"), grow)


# --- Company representative -----------------------------------------------------------------


def test_company_schedule(auth, client, make, bookable):
    rep = make.user(role="company_rep", company=make.company())
    part = make.participation(bookable.fair, rep.company)

    def grow(n):
        # Candidates of new cohorts (and tracks) each time: a relation loaded one row at a
        # time is then a new statement each time, not an object already in the session.
        for _ in range(n):
            table = make.table(part, name=f"Table {secrets.token_hex(3)}")
            make.booking(make.slot_at(table, 9), make.bookable_candidate(make.cohort()))
            make.booking(make.slot_at(table, 10), make.bookable_candidate(make.cohort()))
            cancelled = make.slot_at(table, 11)
            make.booking(cancelled, make.bookable_candidate(make.cohort()), status="cancelled")
            reserved = make.slot_at(table, 12)
            reserved.eligible_cohorts.append(make.cohort())
            reserved.eligible_tracks.append(make.track())

    auth.login_as(rep)
    assert_constant(lambda: client.get(f"/company/fairs/{part.id}/schedule"), grow)


# --- Staff at the entrance ------------------------------------------------------------------


@pytest.fixture
def live(make, staff):
    cohort = make.cohort()
    fair = make.fair(day=local_today(), opens_at=time(0, 0), closes_at=time(23, 59),
                     status="live", cohorts=[cohort])
    fair.staff.append(staff)
    return SimpleNamespace(fair=fair, cohort=cohort, staff=staff, tables=[])


def add_live_company(make, world):
    """A company at the live fair: booth, a table with slots around now, bookings, check-ins."""
    part = make.participation(world.fair, make.company())
    number = len(world.tables) + 1
    make.booth(world.fair, number=f"B{number}", row=1, col=number, participation=part)
    table = make.table(part)
    world.tables.append(table)
    make.user(role="company_rep", company=part.company)
    for minutes in (-40, -5, 30):
        person = make.bookable_candidate(world.cohort)
        make.booking(slot_from_now(make, table, minutes), person)
        check_in(make, world.fair, person)
    return part


def newcomer(make, world):
    """A candidate with an interview at every company of the fair and a badge."""
    person = make.bookable_candidate(world.cohort)
    for index, table in enumerate(world.tables):
        make.booking(slot_from_now(make, table, 60 + 25 * index), person)
    return person, badge(make, world.fair, person)


def test_scanner_answer(auth, make, live):
    def grow(n):
        for _ in range(n):
            add_live_company(make, live)

    scanner = f"/staff/fairs/{live.fair.id}/scan"
    auth.login_as(live.staff)
    token = auth.csrf(scanner)  # read once: count only the scan itself

    def scan(fresh):
        response = auth.client.post(scanner, headers=HTMX, data={
            "code": fresh.token, "nonce": secrets.token_hex(8), "device_name": "Entrée",
            "csrf_token": token})
        assert b'data-status="checked_in"' in response.data
        return response

    assert_constant(scan, grow, prepare=lambda: newcomer(make, live)[1])


def test_badge_link_opened_by_staff(auth, client, make, live):
    def grow(n):
        for _ in range(n):
            add_live_company(make, live)

    auth.login_as(live.staff)
    _person, shown = newcomer(make, live)
    assert_constant(lambda: client.get(f"/b/{shown.token}"), grow)


# --- Organizer ------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx-refresh"])
def test_live_dashboard(auth, client, make, organizer, live, headers):
    def grow(n):
        for _ in range(n):
            add_live_company(make, live)
            make.candidate(cohort_=live.cohort)

    auth.login_as(organizer)
    url = f"/organizer/fairs/{live.fair.id}/live"
    assert_constant(lambda: client.get(url, headers=headers), grow)


def past_fair_with_outcomes(make, world):
    """A closed fair with candidates who attended, leads, company outcomes and answers."""
    day = local_today() - timedelta(days=120 + 7 * len(world.fairs))
    cohort = make.cohort()
    fair = make.fair(day=day, status="closed", cohorts=[cohort],
                     booking_opens_at=local_to_utc(day - timedelta(days=20), time(9)),
                     booking_closes_at=local_to_utc(day - timedelta(days=1), time(9)),
                     cancellation_deadline=local_to_utc(day - timedelta(days=2), time(9)))
    world.fairs.append(fair)
    for k in range(2):
        company = make.company()
        position(make, company, cohort.track)
        part = make.participation(fair, company)
        table = make.table(part)
        for hour, status, answer in ((9, "employed", "hired"), (10, "seeking", "not_retained"),
                                     (11, None, "offer_made")):
            person = make.candidate(cohort_=cohort)
            slot = make.slot(table, starts_at=local_to_utc(day, time(hour, 20 * k)))
            make.booking(slot, person, status="attended")
            candidate = person.candidate
            make._save(Lead(participation=part, candidate=candidate, rating=3))
            make._save(Outcome(participation=part, candidate=candidate, status=answer,
                               contract_type="cdi" if answer == "hired" else None))
            if status:
                make._save(FollowUpAnswer(
                    fair_id=fair.id, candidate_id=candidate.id, source="candidate",
                    status=status, employer_company_id=company.id if status == "employed" else None,
                    contract_type="cdi" if status == "employed" else None, in_field=True,
                    full_time=True, start_date=day + timedelta(days=30),
                    answered_at=local_to_utc(day + timedelta(days=31), time(9))))
        make.candidate(cohort_=cohort)  # invited, no news


@pytest.mark.parametrize("url", [
    "/organizer/insertion",
    "/organizer/insertion?group=company",
    "/organizer/insertion/candidates?metric=known",
])
def test_insertion_dashboard(auth, client, make, organizer, url):
    world = SimpleNamespace(fairs=[])

    def grow(n):
        for _ in range(n):
            past_fair_with_outcomes(make, world)

    auth.login_as(organizer)
    assert_constant(lambda: client.get(url), grow)


def test_candidate_list(auth, client, make, organizer):
    def grow(n):
        for _ in range(n):
            cohort = make.cohort()
            for _ in range(3):
                make.bookable_candidate(cohort)
            make.candidate()  # no cohort yet

    auth.login_as(organizer)
    assert_constant(lambda: client.get("/organizer/candidates"), grow)


def test_fair_page_of_the_organizer(auth, client, make, organizer, bookable):
    def grow(n):
        for _ in range(n):
            add_company(make, bookable)
            make.participation(bookable.fair, make.company(), status="requested")
            bookable.fair.staff.append(make.user(role="staff"))

    auth.login_as(organizer)
    assert_constant(lambda: client.get(f"/organizer/fairs/{bookable.fair.id}"), grow)


def test_the_counter_catches_a_page_that_loads_row_by_row(make):
    """The harness itself: a loop of lazy loads is seen as more statements."""
    cohort = make.cohort()
    people = [make.candidate(cohort_=cohort) for _ in range(2)]
    db.session.commit()

    def lazy_names():
        db.session.expire_all()
        with counting() as statements:
            for person in db.session.get(type(cohort), cohort.id).candidates:
                person.user.email  # noqa: B018 (a lazy load per candidate)
        return len(statements)

    small = lazy_names()
    people += [make.candidate(cohort_=cohort) for _ in range(3)]
    db.session.commit()
    assert lazy_names() > small


# --- The booking round (issue 12) -------------------------------------------------------------


def round_with_wishes(make, bookable, rep=None):
    from jobfair.models import BookingRound, RoundInvitation, ShortlistMark, Wish

    now = utcnow()
    booking_round = make._save(BookingRound(
        fair_id=bookable.fair.id, wishes_open_at=now - timedelta(hours=1),
        wishes_close_at=now + timedelta(days=1), publish_at=now + timedelta(days=1),
        max_wishes=5))
    own = make.participation(bookable.fair, rep.company) if rep else None

    def grow(n):
        # Wishers of new cohorts each time (a relation loaded row by row shows as new statements).
        for _ in range(n):
            part, _table = add_company(make, bookable)
            wisher = make.bookable_candidate(make.cohort()).candidate
            make._save(Wish(round_id=booking_round.id, candidate_id=wisher.id,
                            participation_id=(own or part).id, rank=1))
            if own is not None:
                make._save(ShortlistMark(round_id=booking_round.id, participation_id=own.id,
                                         candidate_id=wisher.id, decision="meet"))
                invited = make.bookable_candidate(make.cohort()).candidate
                make._save(RoundInvitation(round_id=booking_round.id, participation_id=own.id,
                                           candidate_id=invited.id))
            make._save(RoundInvitation(round_id=booking_round.id, participation_id=part.id,
                                       candidate_id=bookable.person.candidate.id))
    return booking_round, own, grow


def test_candidate_wishes(auth, client, make, bookable):
    _round, _own, grow = round_with_wishes(make, bookable)
    auth.login_as(bookable.person)
    assert_constant(lambda: client.get(f"/me/fairs/{bookable.fair.id}/wishes"), grow)


def test_company_shortlist(auth, client, make, bookable):
    rep = make.user(role="company_rep", company=make.company())
    _round, own, grow = round_with_wishes(make, bookable, rep)
    auth.login_as(rep)
    assert_constant(lambda: client.get(f"/company/fairs/{own.id}/round?q=Nom"), grow)


def test_organizer_round(auth, client, make, organizer, bookable):
    _round, _own, grow = round_with_wishes(make, bookable)
    auth.login_as(organizer)
    assert_constant(lambda: client.get(f"/organizer/fairs/{bookable.fair.id}/round"), grow)


# --- Personal data (jobfair/privacy) ------------------------------------------------------------


def test_my_data(auth, client, make, bookable):
    from jobfair.models import CvAccess

    def grow(n):
        for _ in range(n):
            fair = make.open_fair(cohorts=[bookable.cohort])
            make.consent(fair, bookable.person)
            company = make.company()
            rep = make.user(role="company_rep", company=company)
            make._save(CvAccess(candidate_id=bookable.person.candidate.id, user_id=rep.id,
                                company_id=company.id, fair_id=fair.id))

    auth.login_as(bookable.person)
    assert_constant(lambda: client.get("/me/data"), grow)


def test_consent_page(auth, client, make, bookable):
    def grow(n):
        for _ in range(n):
            make.participation(bookable.fair, make.company())

    auth.login_as(bookable.person)
    assert_constant(lambda: client.get(f"/me/fairs/{bookable.fair.id}/consent"), grow)


@pytest.mark.parametrize("page", ["requests", "fair"])
def test_personal_data_pages_of_the_organizer(auth, client, make, organizer, bookable, page):
    from jobfair.models import CvAccess, ErasureRequest

    def grow(n):
        for _ in range(n):
            person = make.bookable_candidate(bookable.cohort)
            make._save(ErasureRequest(candidate_id=person.candidate.id))
            company = make.company()
            rep = make.user(role="company_rep", company=company)
            make._save(CvAccess(candidate_id=person.candidate.id, user_id=rep.id,
                                company_id=company.id, fair_id=bookable.fair.id))

    auth.login_as(organizer)
    url = ("/organizer/privacy" if page == "requests"
           else f"/organizer/fairs/{bookable.fair.id}/privacy")
    assert_constant(lambda: client.get(url), grow)


# --- The self check-in kiosk (issue 13) ------------------------------------------------------


def test_kiosk_welcome_with_the_interviews_of_the_day(auth, client, make, organizer, live):
    from jobfair.kiosk import services as kiosk_services

    person = make.bookable_candidate(live.cohort)
    shown = badge(make, live.fair, person)

    def grow(n):
        for index in range(n):
            add_live_company(make, live)
            table = live.tables[-1]
            make.booking(slot_from_now(make, table, 120 + 25 * len(live.tables) + index), person)

    kiosk, _link = kiosk_services.create_kiosk(live.fair, "Borne 1", organizer)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = kiosk.user.get_id(), True
    response = auth.post("/kiosk/badge", {"code": shown.token}, page="/kiosk/")
    assert response.status_code == 303
    assert_constant(lambda: client.get("/kiosk/welcome"), grow)


def test_walk_in_queue_place_polled_by_the_candidates_phone(auth, client, make, live):
    from jobfair.models import QueueEntry

    person = make.bookable_candidate(live.cohort)
    here, elsewhere = add_live_company(make, live), add_live_company(make, live)

    def line_up(part, who):
        make._save(QueueEntry(participation_id=part.id, candidate_id=who.candidate.id,
                              status="waiting", joined_at=utcnow()))

    line_up(here, make.bookable_candidate(live.cohort))
    line_up(here, person)
    line_up(elsewhere, person)

    def grow(n):
        for _ in range(n):
            line_up(here, make.bookable_candidate(live.cohort))  # behind her
            add_live_company(make, live)

    auth.login_as(person)
    url = f"/me/fairs/{live.fair.id}/companies/{here.company_id}/queue"
    assert b'data-position="2"' in client.get(url, headers=HTMX).data
    assert_constant(lambda: client.get(url, headers=HTMX), grow)
