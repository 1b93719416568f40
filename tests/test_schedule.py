"""The company's interview schedule: tables, generator, copy, timeline changes, authorization.

The fair day is in June 2026: every time-zone database agrees that Casablanca is
UTC+1 then (tzdata 2026c moves Morocco to UTC+0 from 2026-09-20, and the
system's zoneinfo and Babel's pytz may not carry the same release).
"""
import re
from datetime import date, time
from types import SimpleNamespace

import pytest
from babel.dates import format_time
from sqlalchemy import func, select

from jobfair.booking import services as booking_services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import AuditEvent, Booking, InterviewTable, Slot
from jobfair.schedule import services
from jobfair.timeutil import local_to_utc

from .mailbox import delivered

DAY = date(2026, 6, 20)
HTMX = {"HX-Request": "true"}


def utc(hour, minute=0):
    return local_to_utc(DAY, time(hour, minute))


def shown(start, end, locale="en"):
    """A local time range as the pages show it: "9:30 AM–9:50 AM" in English, "09:30–09:50" in French."""
    return "–".join(format_time(time(*t), "short", locale=locale) for t in (start, end))


@pytest.fixture
def world(make, company_rep):
    """A published fair (9:00–17:00), an approved company with one table, a booked candidate."""
    fair = make.fair(day=DAY)
    cohort = make.cohort()
    fair.cohorts.append(cohort)
    participation = make.participation(fair, company_rep.company)
    table = make.table(participation, name="Salma")
    candidate = make.candidate(cohort_=cohort, email="youssef@example.ma", cv_filename="youssef.pdf")
    candidate.first_name, candidate.last_name, candidate.locale = "Youssef", "Alaoui", "en"
    make.consent(fair, candidate)  # the company sees his name and CV (jobfair/privacy)
    return SimpleNamespace(fair=fair, cohort=cohort, participation=participation, table=table,
                           rep=company_rep, candidate=candidate,
                           page=f"/company/fairs/{participation.id}/schedule")


def slot_at(make, table, hour, minute=0, minutes=20, capacity=1):
    return make.slot(table, starts_at=utc(hour, minute), minutes=minutes, capacity=capacity)


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def outbox():
    return delivered()


def is_fragment(response):
    return "<html" not in response.text and "<body" not in response.text


# --- The page ---------------------------------------------------------------------


def test_page_shows_each_table_as_a_timeline_in_local_time(auth, client, make, world):
    table2 = make.table(world.participation, name="Karim")
    late = slot_at(make, world.table, 11)
    early = slot_at(make, world.table, 9, 30)
    booked = slot_at(make, world.table, 10)
    make.booking(booked, world.candidate)
    blocked = slot_at(make, table2, 14)
    blocked.is_blocked = True
    auth.login_as(world.rep)
    page = client.get(world.page)
    assert page.status_code == 200
    text = page.text
    # Local (Casablanca) times, in time order within the table.
    assert text.index("09:30–09:50") < text.index("10:00–10:20") < text.index("11:00–11:20")
    assert f'id="table-{world.table.id}"' in text and f'id="table-{table2.id}"' in text
    # A booked slot shows who, their track and a link to their CV.
    row = re.search(rf'<tr class="sch-slot sch-slot-booked" id="slot-{booked.id}">.*?</tr>',
                    text, re.S).group(0)
    assert "Youssef Alaoui" in row and world.cohort.track.name in row
    assert f'/candidates/{world.candidate.candidate.id}/cv' in row
    assert f'id="slot-{blocked.id}"' in text
    assert re.search(rf'sch-slot-blocked" id="slot-{blocked.id}"', text)
    assert re.search(rf'sch-slot-free" id="slot-{early.id}"', text)
    assert late.id


def test_no_cv_link_when_the_candidate_has_none(auth, client, make, world):
    world.candidate.candidate.cv_filename = None
    make.booking(slot_at(make, world.table, 10), world.candidate)
    auth.login_as(world.rep)
    assert "/cv" not in client.get(world.page).text


def test_a_closed_fair_shows_the_schedule_but_refuses_changes(auth, client, make, world):
    slot = slot_at(make, world.table, 10)
    world.fair.status = "closed"
    auth.login_as(world.rep)
    page = client.get(world.page)
    assert page.status_code == 200
    assert "10:00–10:20" in page.text
    assert f"/company/slots/{slot.id}/block" not in page.text
    response = auth.post(f"/company/slots/{slot.id}/block", page="/login")
    assert response.status_code == 200
    assert not fresh(slot).is_blocked
    response = auth.post(f"/company/fairs/{world.participation.id}/tables",
                         {"name": "Nouvelle"}, page="/login")
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(InterviewTable.id))) == 1


# --- Tables -----------------------------------------------------------------------


def test_add_a_table_without_javascript(auth, make, world):
    auth.login_as(world.rep)
    response = auth.post(f"/company/fairs/{world.participation.id}/tables",
                         {"name": "  Karim   B. "}, page=world.page)
    assert response.status_code == 303
    table = db.session.scalar(select(InterviewTable).where(InterviewTable.name == "Karim B."))
    assert table is not None and table.participation_id == world.participation.id
    assert response.headers["Location"].endswith(f"{world.page}#table-{table.id}")


def test_add_a_table_with_htmx_returns_the_tables_block(auth, make, world):
    auth.login_as(world.rep)
    response = auth.post(f"/company/fairs/{world.participation.id}/tables",
                         {"name": "Karim"}, page=world.page, headers=HTMX)
    assert response.status_code == 200
    assert is_fragment(response)
    assert 'id="tables"' in response.text and "Karim" in response.text and "Salma" in response.text


def test_a_table_name_is_unique_in_the_booth_whatever_the_case(auth, make, world):
    auth.login_as(world.rep)
    auth.use_language("en")
    response = auth.post(f"/company/fairs/{world.participation.id}/tables",
                         {"name": "SALMA"}, page=world.page)
    assert response.status_code == 200
    assert 'id="name-error"' in response.text and "already has a table" in response.text
    assert 'value="SALMA"' in response.text
    assert db.session.scalar(select(func.count(InterviewTable.id))) == 1


def test_rename_a_table(auth, make, world):
    make.table(world.participation, name="Karim")
    auth.login_as(world.rep)
    prefix = f"table{world.table.id}"
    response = auth.post(f"/company/tables/{world.table.id}/rename",
                         {f"{prefix}-name": "Salma B."}, page=world.page, headers=HTMX)
    assert response.status_code == 200 and is_fragment(response)
    assert f'id="table-{world.table.id}"' in response.text
    assert fresh(world.table).name == "Salma B."
    # A name already taken: error next to the field, value kept, nothing renamed.
    response = auth.post(f"/company/tables/{world.table.id}/rename",
                         {f"{prefix}-name": "karim"}, page=world.page)
    assert response.status_code == 200
    assert f'id="{prefix}-name-error"' in response.text and 'value="karim"' in response.text
    assert fresh(world.table).name == "Salma B."


def test_delete_a_table_without_bookings_deletes_its_slots(auth, make, world):
    table_id, slot_id = world.table.id, slot_at(make, world.table, 10).id
    auth.login_as(world.rep)
    response = auth.post(f"/company/tables/{table_id}/delete", page=world.page)
    assert response.status_code == 303
    assert db.session.get(InterviewTable, table_id) is None
    assert db.session.get(Slot, slot_id) is None
    assert outbox() == []


def test_a_table_with_bookings_is_deleted_only_after_confirmation_with_a_reason(auth, make, world):
    slot = slot_at(make, world.table, 10)
    booking_id = make.booking(slot, world.candidate).id
    table_id = world.table.id
    url = f"/company/tables/{table_id}/delete"
    auth.login_as(world.rep)
    auth.use_language("en")

    asked = auth.post(url, page=world.page)
    assert asked.status_code == 200
    assert "Youssef Alaoui" in asked.text and 'name="reason"' in asked.text
    assert db.session.get(InterviewTable, table_id) is not None and outbox() == []

    no_reason = auth.post(url, {"confirm": "1", "seen": str(booking_id), "reason": "  "},
                          page=world.page)
    assert no_reason.status_code == 200 and 'id="reason-error"' in no_reason.text
    assert db.session.get(InterviewTable, table_id) is not None and outbox() == []

    done = auth.post(url, {"confirm": "1", "seen": str(booking_id),
                           "reason": "Our interviewer is ill."}, page=world.page, headers=HTMX)
    assert done.status_code == 200 and is_fragment(done) and 'id="tables"' in done.text
    assert f'id="table-{table_id}"' not in done.text
    assert db.session.get(InterviewTable, table_id) is None
    [message] = outbox()
    assert message.recipient == "youssef@example.ma"
    assert "Our interviewer is ill." in message.body_text
    # The booking went with its slot; the audit log keeps it.
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == booking_id))
    assert event.action == "booking.removed_with_slot" and "Our interviewer is ill." in event.details


# --- The generator, through the page ------------------------------------------------------


def generator_data(**values):
    data = {"start": "09:00", "end": "12:00", "slot_minutes": "30", "buffer_minutes": "0",
            "breaks": "", "capacity": "1", "action": "preview"}
    data.update(values)
    return data


def test_generator_form_starts_with_the_fair_hours(auth, client, world):
    auth.login_as(world.rep)
    page = client.get(f"/company/tables/{world.table.id}/slots/new")
    assert page.status_code == 200
    assert 'name="start" required type="time" value="09:00"' in page.text
    assert 'name="end" required type="time" value="17:00"' in page.text
    assert world.cohort.name in page.text and world.cohort.track.name in page.text


def test_preview_then_create_the_slots(auth, make, world):
    url = f"/company/tables/{world.table.id}/slots/new"
    auth.login_as(world.rep)
    auth.use_language("en")
    data = generator_data(breaks="10:00-10:30", capacity="3",
                          tracks=[str(world.cohort.track_id)], cohorts=[str(world.cohort.id)])
    preview = auth.post(url, data, page=url)
    assert preview.status_code == 200
    assert "Preview: 5 slots" in preview.text
    listed = preview.text.split("Preview:")[1]
    for start, end in [((9, 0), (9, 30)), ((9, 30), (10, 0)), ((10, 30), (11, 0)),
                       ((11, 0), (11, 30)), ((11, 30), (12, 0))]:
        assert shown(start, end) in listed
    assert shown((10, 0), (10, 30)) not in listed
    assert "Create these 5 slots" in preview.text
    assert db.session.scalar(select(func.count(Slot.id))) == 0  # a preview creates nothing

    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">',
                             preview.text.split('id="preview"')[1]))
    assert hidden["expected"] == "5" and hidden["breaks"] == "10:00-10:30"
    created = auth.post(url, {**hidden, "tracks": [str(world.cohort.track_id)],
                              "cohorts": [str(world.cohort.id)], "action": "create"}, page=url)
    assert created.status_code == 303
    assert created.headers["Location"].endswith(f"{world.page}#table-{world.table.id}")
    slots = db.session.scalars(select(Slot).order_by(Slot.starts_at)).all()
    assert [(s.starts_at, s.ends_at) for s in slots] == [
        (utc(9), utc(9, 30)), (utc(9, 30), utc(10)), (utc(10, 30), utc(11)),
        (utc(11), utc(11, 30)), (utc(11, 30), utc(12)),
    ]
    assert all(s.capacity == 3 and s.booked_count == 0 and not s.is_blocked for s in slots)
    assert all(s.eligible_tracks == [world.cohort.track] for s in slots)
    assert all(s.eligible_cohorts == [world.cohort] for s in slots)


def test_preview_with_htmx_returns_the_generator_block(auth, world):
    url = f"/company/tables/{world.table.id}/slots/new"
    auth.login_as(world.rep)
    response = auth.post(url, generator_data(), page=url, headers=HTMX)
    assert response.status_code == 200 and is_fragment(response)
    assert response.text.lstrip().startswith('<div id="generator">') or 'id="generator"' in response.text
    assert 'id="preview"' in response.text


@pytest.mark.parametrize("values,field,message", [
    ({"slot_minutes": "240"}, "slot_minutes", "does not fit"),
    ({"slot_minutes": "0"}, "slot_minutes", "at least one minute"),
    ({"start": "08:00"}, "start", "The fair opens at 09:00"),
    ({"end": "18:00"}, "end", "The fair closes at 17:00"),
    ({"start": "12:00", "end": "09:00"}, "end", "later than the start"),
    ({"buffer_minutes": "-5"}, "buffer_minutes", "cannot be negative"),
    ({"capacity": "0"}, "capacity", "at least one candidate"),
    ({"breaks": "12:00-13:00, 12:30-14:00", "end": "16:00"}, "breaks", "overlap"),
    ({"breaks": "lunch"}, "breaks", "“lunch” is not a break"),
])
def test_bad_generator_input_is_shown_next_to_its_field_with_the_values_kept(
        auth, world, values, field, message):
    url = f"/company/tables/{world.table.id}/slots/new"
    auth.login_as(world.rep)
    auth.use_language("en")
    data = generator_data(**values)
    response = auth.post(url, data, page=url)
    assert response.status_code == 200
    error = re.search(rf'<p class="error" id="{field}-error" role="alert">(.*?)</p>',
                      response.text, re.S)
    assert error and message in error.group(1)
    assert f'value="{data[field]}"' in response.text
    assert 'id="preview"' not in response.text
    assert db.session.scalar(select(func.count(Slot.id))) == 0


@pytest.mark.parametrize("locale,field,value,message", [
    ("fr", "capacity", "100000", "Un créneau accueille au plus 100 candidats."),
    ("en", "capacity", "2147483648", "A slot holds at most 100 candidates."),
    ("fr", "slot_minutes", "99999999999", "Un créneau dure au plus 240 minutes."),
    ("en", "buffer_minutes", "100000", "The time between slots is at most 240 minutes."),
])
def test_numbers_past_their_limit_are_refused_in_the_preview_and_at_creation(
        auth, world, locale, field, value, message):
    """No generic 400 page: the field says the limit, in the user's language, nothing is created."""
    url = f"/company/tables/{world.table.id}/slots/new"
    auth.login_as(world.rep)
    auth.use_language(locale)
    for action in ("preview", "create"):
        data = generator_data(**{field: value, "action": action, "expected": "6"})
        response = auth.post(url, data, page=url)
        assert response.status_code == 200, (action, response.status_code)
        error = re.search(rf'<p class="error" id="{field}-error" role="alert">(.*?)</p>',
                          response.text, re.S)
        assert error and error.group(1).strip() == message, (action, error)
        assert f'value="{value}"' in response.text
    assert db.session.scalar(select(func.count(Slot.id))) == 0


def test_slots_that_clash_with_existing_ones_are_marked_and_not_created(auth, make, world):
    existing = slot_at(make, world.table, 10, 15, minutes=30)  # 10:15–10:45
    url = f"/company/tables/{world.table.id}/slots/new"
    auth.login_as(world.rep)
    auth.use_language("en")
    preview = auth.post(url, generator_data(end="11:00"), page=url)
    assert "Preview: 4 slots" in preview.text
    assert preview.text.count("overlaps an existing slot") == 2  # 10:00–10:30, 10:30–11:00
    assert "Create these 2 slots" in preview.text
    created = auth.post(url, generator_data(end="11:00", action="create", expected="2"), page=url)
    assert created.status_code == 303
    ranges = db.session.execute(
        select(Slot.starts_at, Slot.ends_at).where(Slot.table_id == world.table.id)
        .order_by(Slot.starts_at)).all()
    assert [tuple(r) for r in ranges] == [
        (utc(9), utc(9, 30)), (utc(9, 30), utc(10)), (existing.starts_at, existing.ends_at),
    ]


def test_creating_after_the_table_changed_shows_a_fresh_preview_instead(auth, make, world):
    url = f"/company/tables/{world.table.id}/slots/new"
    auth.login_as(world.rep)
    auth.use_language("en")
    slot_at(make, world.table, 9)  # appeared after the user saw a preview of 6 slots
    response = auth.post(url, generator_data(action="create", expected="6"), page=url)
    assert response.status_code == 200
    assert "changed since the preview" in response.text
    assert "Create these 5 slots" in response.text
    assert db.session.scalar(select(func.count(Slot.id))) == 1


# --- Copying a schedule ---------------------------------------------------------------------


def test_copy_a_schedule_all_or_nothing_per_table(auth, make, world):
    empty = make.table(world.participation, name="Karim")
    busy = make.table(world.participation, name="Nadia")
    first = slot_at(make, world.table, 9, capacity=2)
    first.eligible_tracks = [world.cohort.track]
    slot_at(make, world.table, 10)
    slot_at(make, busy, 10, 10)  # clashes with 10:00–10:20
    slot_at(make, busy, 15)
    auth.login_as(world.rep)
    auth.use_language("en")
    url = f"/company/tables/{world.table.id}/copy"
    page = auth.client.get(url)
    assert page.status_code == 200 and "All or nothing for each table" in page.text
    response = auth.post(url, {"targets": [str(empty.id), str(busy.id)]}, page=url,
                         follow_redirects=True)
    assert response.status_code == 200
    assert "2 slots copied to “Karim”" in response.text
    assert "Nothing copied to “Nadia”" in response.text
    assert shown((10, 0), (10, 20)) in response.text
    copied = db.session.scalars(
        select(Slot).where(Slot.table_id == empty.id).order_by(Slot.starts_at)).all()
    assert [(s.starts_at, s.ends_at, s.capacity) for s in copied] == [
        (utc(9), utc(9, 20), 2), (utc(10), utc(10, 20), 1)]
    assert copied[0].eligible_tracks == [world.cohort.track]
    assert db.session.scalar(select(func.count(Slot.id)).where(Slot.table_id == busy.id)) == 2


def test_copy_needs_a_target_of_the_same_booth(auth, make, world):
    make.table(world.participation, name="Karim")
    other_company_table = make.table(make.participation(world.fair), name="Ailleurs")
    slot_at(make, world.table, 9)
    auth.login_as(world.rep)
    url = f"/company/tables/{world.table.id}/copy"
    response = auth.post(url, {"targets": [str(other_company_table.id)]}, page=url)
    assert response.status_code == 200
    assert 'id="targets-error"' in response.text
    assert db.session.scalar(
        select(func.count(Slot.id)).where(Slot.table_id == other_company_table.id)) == 0


# --- Changing a slot: free slots --------------------------------------------------------------


def test_block_and_unblock_a_free_slot_with_htmx(auth, make, world):
    slot = slot_at(make, world.table, 10)
    auth.login_as(world.rep)
    blocked = auth.post(f"/company/slots/{slot.id}/block", page=world.page, headers=HTMX)
    assert blocked.status_code == 200 and is_fragment(blocked)
    assert f'<section class="card schedule-table" id="table-{world.table.id}"' in blocked.text
    assert f'sch-slot-blocked" id="slot-{slot.id}"' in blocked.text
    assert fresh(slot).is_blocked
    opened = auth.post(f"/company/slots/{slot.id}/unblock", page=world.page, headers=HTMX)
    assert opened.status_code == 200 and f'sch-slot-free" id="slot-{slot.id}"' in opened.text
    assert not fresh(slot).is_blocked
    assert outbox() == []


def test_block_a_free_slot_without_javascript_redirects(auth, make, world):
    slot = slot_at(make, world.table, 10)
    auth.login_as(world.rep)
    response = auth.post(f"/company/slots/{slot.id}/block", page=world.page)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{world.page}#table-{world.table.id}")
    assert fresh(slot).is_blocked


def test_delete_a_free_slot(auth, make, world):
    slot_id = slot_at(make, world.table, 10).id
    auth.login_as(world.rep)
    assert auth.post(f"/company/slots/{slot_id}/delete", page=world.page).status_code == 303
    assert db.session.get(Slot, slot_id) is None


def test_move_a_slot_within_the_hours_without_overlap(auth, make, world):
    slot = slot_at(make, world.table, 10)
    slot_at(make, world.table, 11)
    auth.login_as(world.rep)
    auth.use_language("en")
    url, field = f"/company/slots/{slot.id}/move", f"slot{slot.id}-start"
    moved = auth.post(url, {field: "14:30"}, page=world.page, headers=HTMX)
    assert moved.status_code == 200 and is_fragment(moved)
    assert shown((14, 30), (14, 50)) in moved.text
    assert (fresh(slot).starts_at, fresh(slot).ends_at) == (utc(14, 30), utc(14, 50))

    overlap = auth.post(url, {field: "10:50"}, page=world.page)
    assert overlap.status_code == 200
    assert f'id="{field}-error"' in overlap.text and "overlap" in overlap.text
    assert 'value="10:50"' in overlap.text
    outside = auth.post(url, {field: "16:50"}, page=world.page)
    assert f'id="{field}-error"' in outside.text and "fair's hours" in outside.text
    assert fresh(slot).starts_at == utc(14, 30)


# --- Changing a booked slot: never silently ---------------------------------------------------


@pytest.mark.parametrize("action", ["block", "delete", "move"])
def test_a_booked_slot_changes_only_after_confirmation_and_the_candidate_is_emailed(
        auth, make, world, action):
    slot = slot_at(make, world.table, 10)
    booking = make.booking(slot, world.candidate)
    slot_id, booking_id = slot.id, booking.id
    url = f"/company/slots/{slot.id}/{action}"
    prefix = f"slot{slot.id}-" if action == "move" else ""
    extra = {f"{prefix}start": "15:00"} if action == "move" else {}
    auth.login_as(world.rep)
    auth.use_language("en")

    # 1. The first click asks: who is affected, and the reason they will read.
    asked = auth.post(url, extra, page=world.page, headers=HTMX)
    assert asked.status_code == 200 and is_fragment(asked)
    assert "This cancels 1 booking" in asked.text and "Youssef Alaoui" in asked.text
    assert f'name="{prefix}reason"' in asked.text
    assert fresh(booking).status == "active" and fresh(slot).booked_count == 1
    assert outbox() == []

    # 2. Confirming without a reason changes nothing.
    confirm = {f"{prefix}confirm": "1", f"{prefix}seen": str(booking.id), **extra}
    refused = auth.post(url, {**confirm, f"{prefix}reason": ""}, page=world.page)
    assert refused.status_code == 200 and f'id="{prefix}reason-error"' in refused.text
    assert fresh(booking).status == "active" and outbox() == []

    # 3. With a reason: the booking is cancelled, the place freed, the candidate emailed.
    done = auth.post(url, {**confirm, f"{prefix}reason": "Interviewer called away."},
                     page=world.page)
    assert done.status_code == 303
    [message] = outbox()
    assert message.recipient == "youssef@example.ma"
    assert "Interviewer called away." in message.body_text
    assert format_time(time(10), "short", locale="en") in message.body_text  # the booked time
    assert world.rep.company.name in message.subject
    if action == "delete":
        assert db.session.get(Slot, slot_id) is None
        assert db.session.get(Booking, booking_id) is None
    else:
        cancelled = fresh(booking)
        assert cancelled.status == "cancelled"
        assert cancelled.cancel_reason == "Interviewer called away."
        assert cancelled.cancelled_by_id == world.rep.id and cancelled.cancelled_at is not None
        assert fresh(slot).booked_count == 0
    if action == "block":
        assert fresh(slot).is_blocked
    if action == "move":
        assert fresh(slot).starts_at == utc(15)


def test_a_booking_made_after_the_confirmation_was_shown_is_not_cancelled_unseen(
        auth, make, world):
    slot = slot_at(make, world.table, 10, capacity=2)
    first = make.booking(slot, world.candidate)
    auth.login_as(world.rep)
    auth.use_language("en")
    late = make.booking(slot, make.candidate(cohort_=world.cohort, email="late@example.ma"))
    response = auth.post(f"/company/slots/{slot.id}/block",
                         {"confirm": "1", "seen": str(first.id), "reason": "Closed."},
                         page=world.page)
    assert response.status_code == 200 and "Bookings changed since you looked" in response.text
    assert fresh(first).status == "active" and fresh(late).status == "active"
    assert not fresh(slot).is_blocked and outbox() == []


def test_unblocking_never_needs_a_reason(auth, make, world):
    slot = slot_at(make, world.table, 10)
    slot.is_blocked = True
    auth.login_as(world.rep)
    assert auth.post(f"/company/slots/{slot.id}/unblock", page=world.page).status_code == 303
    assert not fresh(slot).is_blocked


def test_a_slot_with_a_recorded_interview_cannot_be_deleted(auth, make, world):
    slot = slot_at(make, world.table, 10)
    make.booking(slot, world.candidate, status="attended")
    auth.login_as(world.rep)
    auth.use_language("en")
    response = auth.post(f"/company/slots/{slot.id}/delete", page=world.page)
    assert response.status_code == 200 and "already recorded" in response.text
    assert db.session.get(Slot, slot.id) is not None


# --- cancel_by_company (booking package), what schedule and companies use ------------------


def test_cancel_booking_frees_the_place_once_and_emails_in_the_candidates_language(
        app, make, world):
    slot = slot_at(make, world.table, 10, capacity=2)
    booking = make.booking(slot, world.candidate)
    other = make.booking(slot, make.candidate(cohort_=world.cohort, email="fr@example.ma"))
    with app.test_request_context():
        booking_services.cancel_by_company(booking, "  Salle indisponible. ", world.rep)
        db.session.commit()
        assert fresh(slot).booked_count == 1
        stored = fresh(booking)
        assert (stored.status, stored.cancel_reason, stored.cancelled_by_id) == (
            "cancelled", "Salle indisponible.", world.rep.id)
        # A second cancellation is refused and frees nothing more.
        with pytest.raises(DomainError):
            booking_services.cancel_by_company(stored, "again", world.rep)
        db.session.rollback()
        assert fresh(slot).booked_count == 1
        with pytest.raises(DomainError) as raised:
            booking_services.cancel_by_company(fresh(other), "   ", world.rep)
        assert raised.value.field == "reason"
        db.session.rollback()
    [message] = outbox()
    assert message.recipient == "youssef@example.ma"
    assert "Your interview with" in message.subject  # locale "en"
    assert "Salle indisponible." in message.body_text


def test_cancel_booking_stays_in_the_callers_transaction(app, make, world):
    slot = slot_at(make, world.table, 10)
    booking = make.booking(slot, world.candidate)
    db.session.commit()
    with app.test_request_context():
        booking_services.cancel_by_company(booking, "Oops", world.rep)
        db.session.rollback()  # the caller gives up: nothing happened
    assert fresh(booking).status == "active" and fresh(slot).booked_count == 1
    assert outbox() == []


def test_no_two_slots_of_a_table_overlap_after_any_operation(app, make, world):
    from jobfair.schedule.generator import SlotSettings

    slot_at(make, world.table, 9, 50, minutes=30)
    with app.test_request_context():
        services.create_slots(world.table, SlotSettings(time(9), time(12), 20, 5))
        db.session.commit()
    ranges = db.session.execute(select(Slot.starts_at, Slot.ends_at).where(
        Slot.table_id == world.table.id).order_by(Slot.starts_at)).all()
    for (s1, e1), (s2, e2) in zip(ranges, ranges[1:]):
        assert e1 <= s2
    assert all(utc(9) <= s and e <= utc(17) for s, e in ranges)
    assert len(ranges) > 5


# --- Authorization: every route (anonymous, other roles, company B: the authorization matrix) --

ROUTES = [
    ("GET", "/company/fairs/{participation}/schedule"),
    ("POST", "/company/fairs/{participation}/tables"),
    ("POST", "/company/tables/{table}/rename"),
    ("POST", "/company/tables/{table}/delete"),
    ("GET", "/company/tables/{table}/slots/new"),
    ("POST", "/company/tables/{table}/slots/new"),
    ("GET", "/company/tables/{table}/copy"),
    ("POST", "/company/tables/{table}/copy"),
    ("POST", "/company/slots/{slot}/block"),
    ("POST", "/company/slots/{slot}/unblock"),
    ("POST", "/company/slots/{slot}/delete"),
    ("POST", "/company/slots/{slot}/move"),
]
ROUTE_IDS = [f"{method} {path}" for method, path in ROUTES]


@pytest.fixture
def owned(make, world):
    slot = slot_at(make, world.table, 10)
    make.booking(slot, world.candidate)
    db.session.commit()
    return {"participation": world.participation.id, "table": world.table.id, "slot": slot.id}


def request_as(auth, method, url):
    if method == "GET":
        return auth.client.get(url)
    return auth.post(url, {"name": "X", "reason": "r", "confirm": "1"}, page="/login")


def snapshot():
    db.session.expire_all()
    return (
        db.session.execute(select(InterviewTable.id, InterviewTable.name)).all(),
        db.session.execute(select(Slot.id, Slot.starts_at, Slot.is_blocked,
                                  Slot.booked_count)).all(),
        db.session.execute(select(Booking.id, Booking.status)).all(),
        len(outbox()),
    )


@pytest.mark.parametrize("status", ["requested", "declined", "withdrawn"])
@pytest.mark.parametrize("method,path", ROUTES, ids=ROUTE_IDS)
def test_a_participation_that_is_not_approved_has_no_schedule(
        auth, world, owned, status, method, path):
    world.participation.status = status
    auth.login_as(world.rep)
    before = snapshot()
    assert request_as(auth, method, path.format(**owned)).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("method,path", ROUTES, ids=ROUTE_IDS)
def test_the_companys_own_representative_reaches_every_route(auth, world, owned, method, path):
    auth.login_as(world.rep)
    assert request_as(auth, method, path.format(**owned)).status_code in (200, 303)


def test_a_colleague_of_the_same_company_reaches_the_schedule(auth, client, make, world):
    colleague = make.user(role="company_rep", company=world.rep.company)
    auth.login_as(colleague)
    assert client.get(world.page).status_code == 200


def test_unknown_ids_are_404(auth, client, world):
    auth.login_as(world.rep)
    assert client.get("/company/fairs/999999/schedule").status_code == 404
    assert auth.post("/company/slots/999999/block", page="/login").status_code == 404
    assert auth.post("/company/tables/999999/delete", page="/login").status_code == 404


def test_queries_do_not_grow_with_the_schedule(app, auth, client, make, world):
    from sqlalchemy import event

    def count_queries():
        statements = []

        def record(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(world.page).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    auth.login_as(world.rep)
    # One booking already: what the page shows of candidates costs a fixed few queries.
    make.booking(slot_at(make, world.table, 9), make.candidate(cohort_=world.cohort))
    small = count_queries()
    for index in range(6):
        table = make.table(world.participation, name=f"T{index}")
        for hour in (9, 10, 11):
            slot = slot_at(make, table, hour)
            make.booking(slot, make.candidate(cohort_=world.cohort))
    assert count_queries() == small

