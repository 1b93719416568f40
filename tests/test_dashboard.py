"""The organizer's live dashboard: each number against a known fair, a fixed number of queries,
the htmx refresh block, and who may open it."""
import secrets
from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event

from jobfair.dashboard import queries
from jobfair.extensions import db
from jobfair.models import CheckIn, utcnow
from jobfair.timeutil import local_to_utc, local_today

HTMX = {"HX-Request": "true"}


def check_in(make, fair, user, at=None, undone=False):
    return make._save(CheckIn(fair_id=fair.id, user_id=user.id, kind="entry",
                              checked_in_at=at or utcnow(), nonce=secrets.token_hex(8),
                              undone_at=utcnow() if undone else None))


def slot_from_now(make, table, minutes_from_now, length=20, capacity=1, blocked=False):
    start = utcnow().replace(microsecond=0) + timedelta(minutes=minutes_from_now)
    made = make.slot(table, starts_at=start, minutes=length, capacity=capacity)
    made.is_blocked = blocked
    return made


def book(make, slot, who, status="active"):
    return make.booking(slot, who, status=status)


@pytest.fixture
def live_fair(make):
    """A live fair today with two approved companies (and one requested), known bookings and
    check-ins. The expected numbers are written next to what makes them."""
    today = local_today()
    fair = make.fair(day=today, opens_at=time(0, 0), closes_at=time(23, 59), status="live")
    invited, not_invited = make.cohort(), make.cohort()
    fair.cohorts.append(invited)

    atlas, badr = make.company(name="Atlas"), make.company(name="Badr")
    atlas_rep = make.user(role="company_rep", company=atlas)
    make.user(role="company_rep", company=badr)  # never checked in
    part_a, part_b = make.participation(fair, atlas), make.participation(fair, badr)
    make.participation(fair, make.company(name="Cèdre"), status="requested")  # not shown
    make.booth(fair, number="A1", row=0, col=0, participation=part_a)
    table_a, table_b = make.table(part_a), make.table(part_b)

    past = slot_from_now(make, table_a, -60, capacity=3)
    now = slot_from_now(make, table_a, -5, capacity=2)
    later = slot_from_now(make, table_a, 60, capacity=1)
    slot_from_now(make, table_a, 90, capacity=1, blocked=True)  # not offered
    b_later = slot_from_now(make, table_b, 30, capacity=2)
    # Offered: Atlas 3 + 2 + 1 = 6; Badr 2.

    people = {name: make.candidate(cohort_=invited) for name in ("c1", "c2", "c3", "c4", "c5")}
    people["c6"] = make.candidate(cohort_=not_invited)
    people["c7"] = make.candidate(cohort_=invited)
    book(make, past, people["c1"], "attended")     # done
    book(make, now, people["c2"])                  # in progress (checked in)
    book(make, now, people["c3"])                  # slot now but not checked in: expected
    book(make, past, people["c4"], "no_show")      # no-show
    book(make, later, people["c5"])                # expected
    book(make, b_later, people["c5"])              # same candidate: counted once
    book(make, b_later, people["c6"])              # not invited: not expected
    book(make, b_later, people["c7"], "cancelled")  # ignored everywhere
    # Booked: Atlas c1 c2 c3 c4 c5 = 5 (of 6); Badr c5 c6 = 2 (of 2).

    at = lambda h, m: local_to_utc(today, time(h, m))
    check_in(make, fair, people["c1"], at(9, 5))
    check_in(make, fair, atlas_rep, at(9, 10))
    check_in(make, fair, people["c2"], at(9, 20))
    check_in(make, fair, people["c3"], at(9, 25), undone=True)  # undone: not counted
    check_in(make, make.fair(status="live"), people["c5"])      # another fair: not counted
    return SimpleNamespace(fair=fair, url=f"/organizer/fairs/{fair.id}/live", table_a=table_a,
                           invited=invited)


def figure(body, element_id):
    import re
    match = re.search(rf'id="{element_id}">(\d+)<', body)
    assert match, element_id
    return int(match.group(1))


def test_the_numbers_of_a_known_fair(live_fair):
    numbers = queries.live_numbers(live_fair.fair)
    assert numbers["checkins"] == 3
    assert [(q.strftime("%H:%M"), n) for q, n in numbers["per_quarter"]] == [
        ("09:00", 2), ("09:15", 1)]
    assert numbers["expected"] == 2
    assert (numbers["done"], numbers["in_progress"], numbers["no_shows"]) == (1, 1, 1)
    fill = {row["company"]: (row["booked"], row["offered"], row["rep_in"], row["booth"])
            for row in numbers["fill"]}
    assert fill == {"Atlas": (5, 6, True, "A1"), "Badr": (2, 2, False, None)}
    assert [row["company"] for row in numbers["without_rep"]] == ["Badr"]


def test_the_page_shows_them(auth, organizer, live_fair):
    auth.login_as(organizer)
    auth.use_language("en")
    response = auth.client.get(live_fair.url)
    assert response.status_code == 200
    body = response.data.decode()
    assert figure(body, "n-checkins") == 3
    assert figure(body, "n-expected") == 2
    assert figure(body, "n-done") == 1
    assert figure(body, "n-in-progress") == 1
    assert figure(body, "n-no-shows") == 1
    assert 'data-company="Atlas" data-booked="5" data-offered="6"' in body
    assert "83 %" in body and "100 %" in body
    assert 'class="no-rep" data-company="Badr"' in body
    assert 'data-company="Atlas"' in body and 'class="no-rep" data-company="Atlas"' not in body
    assert "Cèdre" not in body
    assert 'data-quarter="09:00"' in body
    # Refreshes itself by htmx; a plain link refreshes without JavaScript.
    assert 'hx-trigger="every 5s"' in body and 'hx-select="#live-numbers"' in body
    assert 'id="refresh"' in body


def test_htmx_refresh_returns_only_the_numbers_block(auth, organizer, live_fair):
    auth.login_as(organizer)
    response = auth.client.get(live_fair.url, headers=HTMX)
    assert response.status_code == 200
    body = response.data.decode()
    assert "<html" not in body and body.lstrip().startswith('<section id="live-numbers"')
    assert figure(body, "n-checkins") == 3


def test_the_numbers_take_a_fixed_number_of_queries(make, live_fair):
    def count():
        statements = []
        listener = lambda *args: statements.append(args[2])
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            db.session.expire_all()
            queries.live_numbers(live_fair.fair)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    db.session.commit()
    small = count()
    # Many more companies, slots, bookings and check-ins.
    for n in range(5):
        part = make.participation(live_fair.fair, make.company())
        table = make.table(part)
        for k in range(3):
            slot = slot_from_now(make, table, 30 * k - 40)
            person = make.candidate(cohort_=live_fair.invited)
            book(make, slot, person)
            check_in(make, live_fair.fair, person)
    db.session.commit()
    assert count() == small
    assert small <= 5 + 1  # five queries, plus reloading the (expired) fair itself


def test_an_unknown_fair_is_404(auth, organizer):
    auth.login_as(organizer)
    assert auth.client.get("/organizer/fairs/999/live").status_code == 404
