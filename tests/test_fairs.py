"""Fairs: set-up rules, the lifecycle (as rules and through the page), overview, staff, access.

Longer than 400 lines on purpose: one file per part of the issue (the set-up, lifecycle,
overview and staff of a fair), each section short and titled.
"""
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import event, func, select

from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.fairs import lifecycle, services
from jobfair.models import Booking, Fair, Invitation, OutboxMessage, User, utcnow
from jobfair.timeutil import local_to_utc, local_today


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block (requests included)."""
    counter = SimpleNamespace(count=0)

    def count(*_args, **_kwargs):
        counter.count += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def english(app, text):
    """A lazy message as an English page shows it."""
    with app.test_request_context(), force_locale("en"):
        return str(escape(str(text)))


def future_day(days=40):
    return local_today() + timedelta(days=days)


def fair_form(fair_day=None, cohorts=(), **overrides):
    """What an organizer types in the fair form (local dates and times)."""
    day = fair_day or future_day()
    data = {
        "name": "Job Fair Rabat 2026", "city": "Rabat", "region": "rabat_sale_kenitra",
        "venue": "Technopolis", "description": "Le forum des lauréats.",
        "day": day.isoformat(), "opens_at": "09:00", "closes_at": "17:00",
        "booking_opens_at": f"{day - timedelta(days=14)}T10:00",
        "booking_closes_at": f"{day - timedelta(days=1)}T20:00",
        "cancellation_deadline": f"{day - timedelta(days=1)}T18:00",
        "max_bookings_per_candidate": "3", "min_gap_minutes": "15",
        "hall_rows": "3", "hall_cols": "5",
        "cohort_ids": [c.id for c in cohorts],
    }
    data.update(overrides)
    return data


def fair_values(day=None, **overrides):
    """The same as plain values for the services."""
    day = day or future_day()
    values = {
        "name": "Job Fair Rabat 2026", "city": "Rabat", "region": "rabat_sale_kenitra",
        "venue": "Technopolis", "description": None, "day": day,
        "opens_at": time(9), "closes_at": time(17),
        "booking_opens_at": datetime.combine(day - timedelta(days=14), time(10)),
        "booking_closes_at": datetime.combine(day - timedelta(days=1), time(20)),
        "cancellation_deadline": datetime.combine(day - timedelta(days=1), time(18)),
        "max_bookings_per_candidate": 3, "min_gap_minutes": 15, "hall_rows": 0, "hall_cols": 0,
    }
    values.update(overrides)
    return values


# --- Set-up rules (no HTTP) ------------------------------------------------------


def test_valid_values_pass(app):
    services.check_fair(fair_values())


def test_every_broken_rule_is_reported_at_once(app):
    day = future_day()
    with pytest.raises(services.FairInvalid) as error:
        services.check_fair(fair_values(
            day=day,
            closes_at=time(8),
            booking_closes_at=datetime.combine(day, time(10)),
            max_bookings_per_candidate=0,
            min_gap_minutes=-1,
            region="atlantis",
        ))
    assert set(error.value.errors) == {
        "closes_at", "booking_closes_at", "max_bookings_per_candidate", "min_gap_minutes", "region",
    }


@pytest.mark.parametrize(("overrides", "field"), [
    ({"day": local_today() - timedelta(days=1)}, "day"),
    ({"closes_at": time(9)}, "closes_at"),
    ({"booking_closes_at": "fair day 09:01"}, "booking_closes_at"),
    ({"booking_opens_at": "fair day 17:00"}, "booking_opens_at"),
    ({"booking_opens_at": "fair day 10:00"}, "booking_opens_at"),
    ({"booking_closes_at": "two weeks before 09:00"}, "booking_closes_at"),
    ({"cancellation_deadline": "fair day 09:30"}, "cancellation_deadline"),
    ({"max_bookings_per_candidate": 0}, "max_bookings_per_candidate"),
    ({"min_gap_minutes": -5}, "min_gap_minutes"),
    ({"hall_rows": 41}, "hall_rows"),
    ({"hall_cols": -1}, "hall_cols"),
])
def test_each_rule(app, overrides, field):
    day = future_day()
    moments = {
        "fair day 09:01": datetime.combine(day, time(9, 1)),
        "fair day 17:00": datetime.combine(day, time(17)),
        "fair day 10:00": datetime.combine(day, time(10)),
        "fair day 09:30": datetime.combine(day, time(9, 30)),
        "two weeks before 09:00": datetime.combine(day - timedelta(days=14), time(9)),
    }
    overrides = {k: moments.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    overrides.setdefault("day", day)
    with pytest.raises(services.FairInvalid) as error:
        services.check_fair(fair_values(**overrides))
    assert field in error.value.errors
    assert isinstance(error.value, DomainError)


def test_booking_may_close_exactly_when_the_fair_opens(app):
    day = future_day()
    services.check_fair(fair_values(day=day, booking_closes_at=datetime.combine(day, time(9)),
                                    cancellation_deadline=datetime.combine(day, time(9))))


def test_a_past_fair_can_be_edited_without_moving_its_day(make):
    fair = make.fair(day=local_today() - timedelta(days=30), status="closed")
    day = fair.day
    values = fair_values(day=day)
    services.check_fair(values, fair=fair)  # its own day: fine
    with pytest.raises(services.FairInvalid) as error:
        services.check_fair(fair_values(day=day - timedelta(days=1)), fair=fair)
    assert "day" in error.value.errors


def test_instants_are_stored_in_utc(make):
    cohort = make.cohort()
    values = fair_values()
    fair = services.save_fair(None, values, [cohort])
    local = values["booking_opens_at"]
    assert fair.booking_opens_at == local_to_utc(local.date(), local.time())
    assert fair.status == "draft" and fair.cohorts == [cohort]
    # Shown back as typed.
    assert services.local_values(fair)["booking_opens_at"] == local
    assert services.local_values(fair)["cancellation_deadline"] == values["cancellation_deadline"]


def test_slugs_are_unique(app):
    slugs = [services.save_fair(None, fair_values(name="Job Fair Fès"), []).slug for _ in range(3)]
    assert slugs == ["job-fair-fes", "job-fair-fes-2", "job-fair-fes-3"]
    assert services.save_fair(None, fair_values(name="مهرجان"), []).slug == "fair"


def test_a_draft_follows_its_name_but_a_published_fair_keeps_its_address(make):
    draft = services.save_fair(None, fair_values(name="Forum A"), [])
    services.save_fair(draft, fair_values(name="Forum B"), [])
    assert draft.slug == "forum-b"
    published = make.fair(slug="forum-c", status="published")
    services.save_fair(published, fair_values(name="Forum D"), [make.cohort()])
    assert published.slug == "forum-c"


def test_a_fair_with_booths_keeps_a_floor_plan(make):
    fair = make.fair(hall_rows=3, hall_cols=5)
    make.booth(fair, number="B1", row=2, col=4)
    with pytest.raises(services.FairInvalid) as error:
        services.check_fair(fair_values(day=fair.day, hall_rows=0, hall_cols=0), fair=fair)
    assert set(error.value.errors) == {"hall_rows", "hall_cols"}
    services.check_fair(fair_values(day=fair.day, hall_rows=3, hall_cols=5), fair=fair)


def test_shrinking_the_hall_follows_the_floor_plan_rule(make):
    """Empty booths outside the new size go; a booth with a company stops the change."""
    fair = make.fair(hall_rows=3, hall_cols=5, cohorts=[make.cohort()])
    make.booth(fair, number="C5", row=2, col=4)
    placed = make.booth(fair, number="A2", row=0, col=1, participation=make.participation(fair))
    services.save_fair(fair, fair_values(day=fair.day, hall_rows=2, hall_cols=4), fair.cohorts)
    assert [b.number for b in fair.booths] == ["A2"]
    with pytest.raises(services.FairInvalid) as error:
        services.save_fair(fair, fair_values(day=fair.day, hall_rows=2, hall_cols=1), fair.cohorts)
    assert "hall_cols" in error.value.errors
    assert placed.grid_col == 1


def test_hours_cannot_leave_existing_slots_outside(make):
    fair = make.fair(day=future_day())
    participation = make.participation(fair)
    make.slot(make.table(participation), starts_at=local_to_utc(fair.day, time(16, 30)), minutes=20)
    with pytest.raises(services.FairInvalid) as error:
        services.check_fair(fair_values(day=fair.day, closes_at=time(16)), fair=fair)
    assert "closes_at" in error.value.errors
    services.check_fair(fair_values(day=fair.day, closes_at=time(16, 50)), fair=fair)


# --- Lifecycle rules (no HTTP) ------------------------------------------------------

ALLOWED = {("draft", "published"), ("published", "draft"), ("published", "live"), ("live", "closed")}
STATES = ("draft", "published", "live", "closed")


@pytest.mark.parametrize("old", STATES)
@pytest.mark.parametrize("new", STATES + ("archived",))
def test_only_the_documented_transitions_are_allowed(make, old, new):
    fair = make.fair(status=old, cohorts=[make.cohort()])
    if (old, new) in ALLOWED:
        lifecycle.check_transition(fair, new)
        assert new in lifecycle.next_statuses(fair)
    else:
        with pytest.raises(DomainError):
            lifecycle.check_transition(fair, new)
        assert new not in lifecycle.next_statuses(fair)


def test_publishing_needs_an_invited_cohort(make):
    fair = make.fair(status="draft")
    with pytest.raises(DomainError):
        services.change_status(fair, "published")
    assert fair.status == "draft"
    fair.cohorts.append(make.cohort())
    services.change_status(fair, "published")
    assert fair.status == "published"


def test_what_each_state_allows(make):
    fair = make.fair(status="draft")
    expectations = {
        # state: (public, participation requests, schedule and booths editable)
        "draft": (False, False, True),
        "published": (True, True, True),
        "live": (True, False, True),
        "closed": (True, False, False),
    }
    for status, (public, requests, editable) in expectations.items():
        fair.status = status
        assert lifecycle.is_public(fair) is public, status
        assert lifecycle.accepts_participation_requests(fair) is requests, status
        assert lifecycle.schedule_editable(fair) is editable, status
        assert lifecycle.booths_editable(fair) is editable, status
        assert lifecycle.accepts_companies(fair) is editable, status
        assert lifecycle.STATE_RULES[status], status
        assert lifecycle.is_over(fair) is (status == "closed")


def test_booking_is_open_only_in_the_window_of_a_published_or_live_fair(make):
    now = utcnow()
    fair = make.fair(status="published", booking_opens_at=now - timedelta(hours=1),
                     booking_closes_at=now + timedelta(hours=1))
    assert lifecycle.booking_open(fair, now)
    assert not lifecycle.booking_open(fair, now - timedelta(hours=2))  # before the window
    assert not lifecycle.booking_open(fair, now + timedelta(hours=1))  # closes: excluded
    fair.status = "live"
    assert lifecycle.booking_open(fair, now)
    for status in ("draft", "closed"):
        fair.status = status
        assert not lifecycle.booking_open(fair, now)


# --- Creating and editing through the pages ----------------------------------------


def test_an_organizer_creates_a_fair_with_every_field(auth, client, organizer, make):
    cohorts = [make.cohort(), make.cohort()]
    auth.login_as(organizer)
    day = future_day()
    response = auth.post("/organizer/fairs/new", fair_form(day, cohorts=cohorts))
    assert response.status_code == 303
    fair = db.session.scalar(select(Fair))
    assert response.headers["Location"] == f"/organizer/fairs/{fair.id}"
    assert (fair.name, fair.slug, fair.city, fair.region, fair.venue) == (
        "Job Fair Rabat 2026", "job-fair-rabat-2026", "Rabat", "rabat_sale_kenitra", "Technopolis")
    assert fair.description == "Le forum des lauréats."
    assert (fair.day, fair.opens_at, fair.closes_at) == (day, time(9), time(17))
    assert fair.booking_opens_at == local_to_utc(day - timedelta(days=14), time(10))
    assert fair.booking_closes_at == local_to_utc(day - timedelta(days=1), time(20))
    assert fair.cancellation_deadline == local_to_utc(day - timedelta(days=1), time(18))
    assert (fair.max_bookings_per_candidate, fair.min_gap_minutes) == (3, 15)
    assert (fair.hall_rows, fair.hall_cols, fair.status) == (3, 5, "draft")
    assert {c.id for c in fair.cohorts} == {c.id for c in cohorts}
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Job Fair Rabat 2026" in page.text


def test_the_floor_plan_size_is_optional(auth, organizer):
    auth.login_as(organizer)
    response = auth.post("/organizer/fairs/new", fair_form(hall_rows="", hall_cols=""))
    assert response.status_code == 303
    fair = db.session.scalar(select(Fair))
    assert (fair.hall_rows, fair.hall_cols) == (0, 0)


def test_a_second_fair_with_the_same_name_gets_its_own_address(auth, organizer):
    auth.login_as(organizer)
    for _ in range(2):
        assert auth.post("/organizer/fairs/new", fair_form()).status_code == 303
    assert sorted(db.session.scalars(select(Fair.slug))) == [
        "job-fair-rabat-2026", "job-fair-rabat-2026-2"]


def _yesterday():
    return local_today() - timedelta(days=1)


BAD_INPUT = [
    # (what the organizer types, the field whose error shows, the value kept in the page)
    ({"day": "PAST"}, "day", "PAST"),
    ({"closes_at": "08:30"}, "closes_at", 'value="08:30"'),
    ({"closes_at": "09:00"}, "closes_at", 'value="09:00"'),
    ({"booking_closes_at": "DAYT10:00"}, "booking_closes_at", "DAYT10:00"),
    ({"booking_opens_at": "DAYT18:00"}, "booking_opens_at", "DAYT18:00"),
    ({"cancellation_deadline": "DAYT12:00"}, "cancellation_deadline", "DAYT12:00"),
    ({"max_bookings_per_candidate": "0"}, "max_bookings_per_candidate", 'value="0"'),
    ({"min_gap_minutes": "-5"}, "min_gap_minutes", 'value="-5"'),
    ({"min_gap_minutes": "quinze"}, "min_gap_minutes", 'value="quinze"'),
    ({"booking_opens_at": "demain"}, "booking_opens_at", 'value="demain"'),
    ({"name": ""}, "name", 'value="Technopolis"'),
    ({"region": ""}, "region", 'value="Rabat"'),
    ({"city": ""}, "city", '<option selected value="rabat_sale_kenitra">'),
]


@pytest.mark.parametrize(("overrides", "field", "kept"), BAD_INPUT)
def test_bad_input_is_refused_next_to_its_field_with_the_values_kept(auth, organizer, overrides,
                                                                       field, kept):
    day = future_day()

    def fill(text):
        return text.replace("PAST", _yesterday().isoformat()).replace("DAY", day.isoformat())

    auth.login_as(organizer)
    response = auth.post("/organizer/fairs/new",
                         fair_form(day, **{k: fill(v) for k, v in overrides.items()}))
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.text
    assert fill(kept) in response.text
    assert 'value="Technopolis"' in response.text  # the other fields too
    assert db.session.scalar(select(func.count(Fair.id))) == 0


def test_error_messages_say_what_is_wrong(auth, organizer):
    auth.login_as(organizer)
    auth.use_language("en")
    day = future_day()
    response = auth.post("/organizer/fairs/new", fair_form(
        day, day=_yesterday().isoformat(), closes_at="08:00",
        max_bookings_per_candidate="0", min_gap_minutes="-1"))
    assert response.status_code == 200
    for message in ("This date is in the past.", "The fair must close after it opens.",
                    "Allow at least 1 booking per candidate.", "The gap cannot be negative"):
        assert message in response.text


def test_editing_shows_local_times_and_saves_changes(auth, client, organizer, make):
    cohort = make.cohort()
    auth.login_as(organizer)
    day = future_day()
    auth.post("/organizer/fairs/new", fair_form(day, cohorts=[cohort]))
    fair = db.session.scalar(select(Fair))
    url = f"/organizer/fairs/{fair.id}/edit"
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{day - timedelta(days=14)}T10:00"' in page.text
    assert f'value="{day - timedelta(days=1)}T20:00"' in page.text
    assert f'<input checked id="cohort_ids-0" name="cohort_ids" type="checkbox" value="{cohort.id}">' in page.text
    response = auth.post(url, fair_form(day, cohorts=[], venue="Palais des congrès",
                                        booking_closes_at=f"{day - timedelta(days=2)}T12:00"))
    assert response.status_code == 303
    db.session.refresh(fair)
    assert fair.venue == "Palais des congrès" and fair.cohorts == []
    assert fair.booking_closes_at == local_to_utc(day - timedelta(days=2), time(12))


def test_editing_with_bad_input_keeps_what_was_typed(auth, organizer, make):
    fair = make.fair(day=future_day())
    auth.login_as(organizer)
    response = auth.post(f"/organizer/fairs/{fair.id}/edit",
                         fair_form(fair.day, venue="Nouveau lieu", opens_at="18:00"))
    assert response.status_code == 200
    assert 'id="closes_at-error"' in response.text
    assert 'value="Nouveau lieu"' in response.text and 'value="18:00"' in response.text
    db.session.refresh(fair)
    assert fair.venue == "Technopark"


# --- Lifecycle through the page -----------------------------------------------------


def _status(auth, fair, status):
    return auth.post(f"/organizer/fairs/{fair.id}/status", {"status": status},
                     page=f"/organizer/fairs/{fair.id}")


def test_the_page_spells_out_the_current_and_next_states(app, auth, client, organizer, make):
    fair = make.fair(status="published", cohorts=[make.cohort()])
    auth.login_as(organizer)
    auth.use_language("en")
    page = client.get(f"/organizer/fairs/{fair.id}").text
    current = page[page.index('id="current-rules"'):page.index('class="next-states"')]
    for rule in lifecycle.STATE_RULES["published"]:
        assert english(app, rule) in current
    for status in ("draft", "live"):
        block = page[page.index(f'id="next-{status}"'):]
        assert f'name="status" value="{status}"' in block
        for rule in lifecycle.STATE_RULES[status]:
            assert english(app, rule) in block
    assert 'id="next-closed"' not in page


def test_an_organizer_walks_a_fair_through_its_lifecycle(app, auth, client, organizer, make):
    fair = make.fair(status="draft")
    auth.login_as(organizer)
    auth.use_language("en")

    response = _status(auth, fair, "published")  # no cohort invited yet
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "Invite at least one cohort before publishing the fair." in page
    db.session.refresh(fair)
    assert fair.status == "draft"

    fair.cohorts.append(make.cohort())
    for status in ("published", "draft", "published", "live", "closed"):
        assert _status(auth, fair, status).status_code == 303
        db.session.refresh(fair)
        assert fair.status == status

    page = client.get(f"/organizer/fairs/{fair.id}").text
    assert 'name="status"' not in page
    for rule in lifecycle.STATE_RULES["closed"]:
        assert english(app, rule) in page


def test_a_transition_not_allowed_changes_nothing(auth, organizer, make):
    fair = make.fair(status="draft", cohorts=[make.cohort()])
    auth.login_as(organizer)
    for status in ("live", "closed", "nonsense", ""):
        assert _status(auth, fair, status).status_code == 303
        db.session.refresh(fair)
        assert fair.status == "draft"


# --- Overview ---------------------------------------------------------------------


def _fill_fair(make, fair, companies):
    for n in range(companies):
        approved = make.participation(fair, make.company(f"Approved {fair.id}-{n}"))
        make.participation(fair, make.company(f"Pending {fair.id}-{n}"), status="requested")
        make.booth(fair, number=f"A{n}", row=0, col=n, participation=approved)
        make.booth(fair, number=f"B{n}", row=1, col=n)
        table = make.table(approved)
        for minutes in (0, 30):
            slot = make.slot(table, starts_at=local_to_utc(fair.day, time(10, minutes)))
            slot.booked_count = 1
            db.session.add(Booking(slot=slot, participation=approved,
                                   candidate=make.candidate().candidate))
    make.participation(fair, make.company(f"Declined {fair.id}"), status="declined")


def test_the_overview_counts_companies_booths_slots_and_bookings(auth, client, organizer, make):
    fair = make.fair(hall_rows=2, hall_cols=5)
    _fill_fair(make, fair, 3)
    cancelled = db.session.scalar(select(Booking))
    cancelled.status = "cancelled"
    auth.login_as(organizer)
    page = client.get(f"/organizer/fairs/{fair.id}").text
    assert 'id="count-approved">3<' in page
    assert 'id="count-requested">3<' in page
    assert 'id="count-booths-assigned">3<' in page and 'id="count-booths-total">6<' in page
    assert 'id="count-slots">6<' in page
    assert 'id="count-bookings">5<' in page  # the cancelled one does not count
    assert f"Approved {fair.id}-0" in page and f"Pending {fair.id}-2" in page
    assert "Declined" not in page


def test_the_overview_query_count_does_not_grow_with_the_data(auth, client, organizer, make):
    small, large = make.fair(), make.fair()
    _fill_fair(make, small, 1)
    _fill_fair(make, large, 6)
    for fair in (small, large):
        fair.staff.append(make.user(role="staff"))
    auth.login_as(organizer)
    db.session.commit()  # the set-up's own INSERTs are not the page's queries
    counts = []
    for fair in (small, large):
        with count_queries() as queries:
            assert client.get(f"/organizer/fairs/{fair.id}").status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1]


def test_the_overview_links_the_public_page_once_published(auth, client, organizer, make):
    fair = make.fair(status="draft", slug="forum-x")
    auth.login_as(organizer)
    assert 'id="public-page-link"' not in client.get(f"/organizer/fairs/{fair.id}").text
    fair.status = "published"
    page = client.get(f"/organizer/fairs/{fair.id}").text
    assert 'href="/fairs/forum-x"' in page


def test_the_overview_links_the_companies_and_booth_pages(auth, client, organizer, make):
    fair = make.fair()
    auth.login_as(organizer)
    page = client.get(f"/organizer/fairs/{fair.id}").text
    assert f'href="/organizer/fairs/{fair.id}/companies"' in page
    assert f'href="/organizer/fairs/{fair.id}/booths"' in page


def test_the_overview_shows_the_floor_plan_read_only(auth, client, organizer, make):
    fair = make.fair(hall_rows=1, hall_cols=2)
    make.booth(fair, number="A1", row=0, col=0, participation=make.participation(fair, make.company("Kasbah Labs")))
    auth.login_as(organizer)
    page = client.get(f"/organizer/fairs/{fair.id}").text
    plan = page[page.index('id="floor-plan"'):page.index('id="staff"')]
    assert "A1" in plan and "Kasbah Labs" in plan
    assert "<form" not in plan  # read-only: nothing to click but the link to the booths page


def test_an_unknown_fair_is_a_404(auth, client, organizer):
    auth.login_as(organizer)
    assert client.get("/organizer/fairs/999").status_code == 404
    assert client.get("/organizer/fairs/999/edit").status_code == 404


# --- Staff ------------------------------------------------------------------------


def _add_staff(auth, fair, email, **kwargs):
    return auth.post(f"/organizer/fairs/{fair.id}/staff", {"email": email},
                     page=f"/organizer/fairs/{fair.id}", **kwargs)


def test_inviting_a_new_staff_member_queues_an_invitation_for_this_fair(auth, client, organizer, make):
    fair = make.fair()
    auth.login_as(organizer)
    response = _add_staff(auth, fair, "Accueil@Example.ma")
    assert response.status_code == 303
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.email, invitation.role, invitation.fair_id) == ("accueil@example.ma", "staff", fair.id)
    assert invitation.invited_by_id == organizer.id
    message = db.session.scalar(select(OutboxMessage))
    assert message.recipient == "accueil@example.ma" and "/invitation/" in message.body_text
    page = client.get(f"/organizer/fairs/{fair.id}").text
    assert "accueil@example.ma" in page[page.index('id="staff"'):]
    # Twice: refused, nothing more is sent.
    again = _add_staff(auth, fair, "accueil@example.ma")
    assert again.status_code == 200 and 'id="email-error"' in again.text
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_an_existing_staff_account_is_added_at_once(auth, client, organizer, staff, make):
    fair = make.fair()
    auth.login_as(organizer)
    assert _add_staff(auth, fair, staff.email).status_code == 303
    db.session.refresh(fair)
    assert fair.staff == [staff]
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    # Already there: said next to the field.
    again = _add_staff(auth, fair, staff.email)
    assert again.status_code == 200 and 'id="email-error"' in again.text


def test_an_account_of_another_role_cannot_become_staff(auth, organizer, candidate, make):
    fair = make.fair()
    auth.login_as(organizer)
    auth.use_language("en")
    response = _add_staff(auth, fair, candidate.email)
    assert response.status_code == 200
    assert "not on-site staff" in response.text
    assert f'value="{candidate.email}"' in response.text
    db.session.refresh(fair)
    assert fair.staff == []


def test_staff_changes_with_htmx_return_only_the_staff_block(auth, organizer, staff, make):
    fair = make.fair()
    auth.login_as(organizer)
    response = _add_staff(auth, fair, staff.email, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="staff"' in response.text
    assert staff.email in response.text
    removed = auth.post(f"/organizer/fairs/{fair.id}/staff/{staff.id}/remove", {},
                        page=f"/organizer/fairs/{fair.id}", headers={"HX-Request": "true"})
    assert removed.status_code == 200 and "<html" not in removed.text
    assert staff.email not in removed.text


def test_removing_a_staff_member_takes_them_off_the_fair(auth, organizer, staff, make):
    fair, other = make.fair(), make.fair()
    fair.staff.append(staff)
    other.staff.append(staff)
    auth.login_as(organizer)
    url = f"/organizer/fairs/{fair.id}/staff/{staff.id}/remove"
    assert auth.post(url, {}, page=f"/organizer/fairs/{fair.id}").status_code == 303
    db.session.expire_all()
    assert fair.staff == [] and other.staff == [staff]
    assert db.session.get(User, staff.id) is not None
    assert auth.post(url, {}, page=f"/organizer/fairs/{fair.id}").status_code == 404


# --- Organizer home -----------------------------------------------------------------


def test_the_organizer_home_lists_fairs_with_links_and_a_new_fair_button(auth, client, organizer, make):
    fair = make.fair(name="Forum Oujda")
    make.participation(fair)
    auth.login_as(organizer)
    page = client.get("/organizer/").text
    assert 'href="/organizer/fairs/new"' in page
    assert f'href="/organizer/fairs/{fair.id}"' in page and "Forum Oujda" in page
    assert client.get("/organizer/invitations").status_code == 200


def test_an_empty_home_points_to_the_programme(auth, client, organizer):
    auth.login_as(organizer)
    page = client.get("/organizer/").text
    assert 'href="/organizer/programme"' in page and 'href="/organizer/fairs/new"' in page


# --- Organizers open every page (everyone else is refused: the authorization matrix) ---


def fair_routes(make):
    fair = make.fair()
    person = make.user(role="staff")
    fair.staff.append(person)
    return [
        ("GET", "/organizer/"),
        ("GET", "/organizer/invitations"),
        ("GET", "/organizer/fairs/new"),
        ("POST", "/organizer/fairs/new"),
        ("GET", f"/organizer/fairs/{fair.id}"),
        ("GET", f"/organizer/fairs/{fair.id}/edit"),
        ("POST", f"/organizer/fairs/{fair.id}/edit"),
        ("POST", f"/organizer/fairs/{fair.id}/status"),
        ("POST", f"/organizer/fairs/{fair.id}/staff"),
        ("POST", f"/organizer/fairs/{fair.id}/staff/{person.id}/remove"),
    ]


def _request(auth, method, url):
    if method == "GET":
        return auth.client.get(url)
    return auth.post(url, {}, page="/login")


def test_organizers_reach_every_fair_page(auth, make, organizer):
    routes = fair_routes(make)
    auth.login_as(organizer)
    for method, url in routes:
        expected = (200,) if method == "GET" else (200, 303)
        assert _request(auth, method, url).status_code in expected, (method, url)


def test_an_invited_staff_member_lands_on_this_fair_after_accepting(app, auth, client, organizer, make):
    fair = make.fair(name="Forum Tanger")
    auth.login_as(organizer)
    assert _add_staff(auth, fair, "scan@example.ma").status_code == 303
    body = db.session.scalar(select(OutboxMessage.body_text))
    link = next(word for word in body.split() if "/invitation/" in word)
    auth.logout()
    path = link.removeprefix(app.config["BASE_URL"])
    response = auth.post(path, {"first_name": "Samir", "last_name": "Alami",
                                "password": "a-long-password-1", "confirm": "a-long-password-1"})
    assert response.status_code == 303
    db.session.expire_all()
    assert [u.email for u in fair.staff] == ["scan@example.ma"]
    auth.logout()
    assert auth.login("scan@example.ma", "a-long-password-1").status_code == 303
    assert "Forum Tanger" in client.get("/staff/").text
