"""At the booth: badge scan (attended / walk-in / refused badges), the quick lead form,
attendance marking, the close-of-fair list, exports, and who may reach each page."""
import csv
import io
import secrets
from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from jobfair.extensions import db
from jobfair.leads import services
from jobfair.models import Badge, CheckIn, Lead, utcnow
from jobfair.timeutil import local_today

from .downloads import csv_rows, xlsx_rows

HTMX = {"HX-Request": "true"}


def badge(make, fair, user, revoked=False):
    return make._save(Badge(fair_id=fair.id, user_id=user.id, token=secrets.token_urlsafe(24),
                            revoked_at=utcnow() if revoked else None))


def check_in(make, fair, user, undone=False):
    return make._save(CheckIn(fair_id=fair.id, user_id=user.id, kind="entry",
                              undone_at=utcnow() if undone else None))


def slot_from_now(make, table, minutes_from_now, length=20, capacity=1):
    start = utcnow().replace(microsecond=0) + timedelta(minutes=minutes_from_now)
    return make.slot(table, starts_at=start, minutes=length, capacity=capacity)


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


@pytest.fixture
def booth(make, company_rep, auth):
    """A live fair today (open all day), the rep's approved company with a table, a candidate."""
    fair = make.fair(day=local_today(), opens_at=time(0, 0), closes_at=time(23, 59), status="live")
    cohort = make.cohort()
    fair.cohorts.append(cohort)
    participation = make.participation(fair, company_rep.company)
    table = make.table(participation, name="Salma")
    person = make.candidate(cohort_=cohort, email="youssef@example.ma", cv_filename="y.pdf")
    person.first_name, person.last_name = "Youssef", "Alaoui"
    make.consent(fair, person)  # the company sees his name and CV (jobfair/privacy)
    auth.use_language("en")
    return SimpleNamespace(
        fair=fair, cohort=cohort, participation=participation, table=table, rep=company_rep,
        person=person, badge=badge(make, fair, person),
        base=f"/company/fairs/{participation.id}",
    )


def scan(auth, world, code, **kwargs):
    return auth.post(f"{world.base}/booth-scan", {"code": code}, **kwargs)


def leads_of(world):
    return db.session.scalars(
        select(Lead).where(Lead.participation_id == world.participation.id)).all()


# --- Booth scan --------------------------------------------------------------------------


def test_a_booked_candidate_scanned_for_now_is_marked_attended(make, auth, booth):
    now_slot = slot_from_now(make, booth.table, -5)  # started 5 minutes ago
    booking = make.booking(now_slot, booth.person)
    auth.login_as(booth.rep)

    response = scan(auth, booth, booth.badge.token)

    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"{booth.base}/leads/{booth.person.candidate.id}")
    assert fresh(booking).status == "attended"
    assert [lead.candidate_id for lead in leads_of(booth)] == [booth.person.candidate.id]
    page = auth.client.get(response.headers["Location"])
    assert b"attended, on time" in page.data and b"Youssef Alaoui" in page.data


def test_ten_minutes_early_counts_as_now_but_later_slots_make_a_walk_in(make, auth, booth):
    early = slot_from_now(make, booth.table, 8)
    booking = make.booking(early, booth.person)
    auth.login_as(booth.rep)
    scan(auth, booth, booth.badge.token)
    assert fresh(booking).status == "attended"

    other = make.candidate(cohort_=booth.cohort)
    later = make.booking(slot_from_now(make, booth.table, 60), other)
    other_badge = badge(make, booth.fair, other)
    # A badge URL as a phone camera or a handheld scanner reads it.
    response = scan(auth, booth, f"https://jobfair.example.ma/b/{other_badge.token}",
                    follow_redirects=True)
    assert b"walk-in, added to your leads" in response.data
    assert fresh(later).status == "active"
    assert {lead.candidate_id for lead in leads_of(booth)} == {
        booth.person.candidate.id, other.candidate.id}


def test_a_walk_in_scanned_twice_keeps_one_lead(make, auth, booth):
    auth.login_as(booth.rep)
    scan(auth, booth, booth.badge.token)
    scan(auth, booth, booth.badge.token)
    assert len(leads_of(booth)) == 1


def test_htmx_scan_returns_the_panel_with_the_lead_form(make, auth, booth):
    auth.login_as(booth.rep)
    response = scan(auth, booth, booth.badge.token, headers=HTMX)
    assert response.status_code == 200
    assert b"<html" not in response.data
    assert b'id="scan-panel"' in response.data and b'id="lead-form"' in response.data
    assert b'name="rating"' in response.data and b'name="next_step"' in response.data


@pytest.mark.parametrize("case, message", [
    ("unknown", b"Unknown badge."),
    ("revoked", b"Revoked badge"),
    ("other_fair", b"This badge is for another fair."),
    ("garbage", b"This is not a badge code"),
    ("not_a_candidate", b"This badge is not a candidate"),
])
def test_refused_badges_say_why_and_change_nothing(make, auth, booth, case, message):
    booking = make.booking(slot_from_now(make, booth.table, -5), booth.person)
    if case == "unknown":
        code = secrets.token_urlsafe(24)
    elif case == "revoked":
        code = badge(make, booth.fair, make.candidate(cohort_=booth.cohort), revoked=True).token
    elif case == "other_fair":
        code = badge(make, make.fair(status="live"), booth.person).token
    elif case == "not_a_candidate":
        code = badge(make, booth.fair, booth.rep).token
    else:
        code = "<script>"
    auth.login_as(booth.rep)

    response = scan(auth, booth, code)

    assert response.status_code == 200
    assert message in response.data
    assert b'value="' + code.replace("<", "&lt;").replace(">", "&gt;").encode() in response.data
    assert fresh(booking).status == "active"
    assert leads_of(booth) == []


def test_no_scan_when_the_fair_is_not_live(make, auth, booth):
    booth.fair.status = "published"
    auth.login_as(booth.rep)
    assert b'id="not-live"' in auth.client.get(f"{booth.base}/booth-scan").data
    response = auth.post(f"{booth.base}/booth-scan", {"code": booth.badge.token},
                         page="/login")
    assert response.status_code == 200
    assert leads_of(booth) == []


# --- Lead form ------------------------------------------------------------------------------


def test_lead_form_checks_the_rating_and_keeps_what_was_typed(make, auth, booth):
    auth.login_as(booth.rep)
    scan(auth, booth, booth.badge.token)
    url = f"{booth.base}/leads/{booth.person.candidate.id}"

    response = auth.post(url, {"rating": "5", "notes": "Très bon en SQL", "next_step": "send_offer"})
    assert response.status_code == 200
    assert b'id="rating-error"' in response.data
    assert "Très bon en SQL".encode() in response.data
    assert leads_of(booth)[0].rating is None

    response = auth.post(url, {"rating": "3", "notes": "Très bon en SQL", "next_step": "maybe"})
    assert response.status_code == 200 and b'id="next_step-error"' in response.data

    response = auth.post(url, {"rating": "3", "notes": "Très bon en SQL", "next_step": "send_offer"})
    assert response.status_code == 303
    lead = fresh(leads_of(booth)[0])
    assert (lead.rating, lead.notes, lead.next_step, lead.author_id) == (
        3, "Très bon en SQL", "send_offer", booth.rep.id)


def test_lead_form_by_htmx_saves_in_place(make, auth, booth):
    auth.login_as(booth.rep)
    scan(auth, booth, booth.badge.token)
    url = f"{booth.base}/leads/{booth.person.candidate.id}"
    response = auth.post(url, {"rating": "4", "next_step": "second_interview"}, headers=HTMX)
    assert response.status_code == 200
    assert b'id="lead-saved"' in response.data and b"<html" not in response.data
    assert fresh(leads_of(booth)[0]).rating == 4


def test_the_lead_page_of_a_candidate_never_met_is_404(make, auth, booth):
    stranger = make.candidate(cohort_=booth.cohort)
    auth.login_as(booth.rep)
    assert auth.client.get(f"{booth.base}/leads/{stranger.candidate.id}").status_code == 404


def test_a_booked_candidate_can_be_noted_from_the_list_without_a_scan(make, auth, booth):
    make.booking(slot_from_now(make, booth.table, 60), booth.person)
    auth.login_as(booth.rep)
    url = f"{booth.base}/leads/{booth.person.candidate.id}"
    assert auth.client.get(url).status_code == 200
    assert auth.post(url, {"rating": "2"}).status_code == 303
    assert leads_of(booth)[0].rating == 2


def test_service_rejects_ratings_outside_1_to_4(make, booth):
    lead = services.lead_for(booth.participation, booth.person.candidate, booth.rep)
    for rating in (0, 5):
        with pytest.raises(Exception) as error:
            services.save_lead(lead, booth.rep, rating, "", "")
        assert getattr(error.value, "field", None) == "rating"


# --- Attendance -----------------------------------------------------------------------------


def test_no_show_only_after_the_slot_ended_and_only_once(make, auth, booth):
    ended = make.booking(slot_from_now(make, booth.table, -60), booth.person)
    other = make.candidate(cohort_=booth.cohort)
    running = make.booking(slot_from_now(make, booth.table, -5), other)
    auth.login_as(booth.rep)
    page = f"{booth.base}/attendance"
    assert f'id="to-mark-{ended.id}"'.encode() in auth.client.get(page).data

    response = auth.post(f"{page}/{running.id}", {"status": "no_show"}, page=page)
    assert response.status_code == 303
    assert fresh(running).status == "active"

    assert auth.post(f"{page}/{ended.id}", {"status": "no_show"}, page=page).status_code == 303
    assert fresh(ended).status == "no_show"
    response = auth.post(f"{page}/{ended.id}", {"status": "attended"}, page=page,
                         follow_redirects=True)
    assert b"already marked" in response.data
    assert fresh(ended).status == "no_show"


def test_marking_another_companys_booking_is_404(make, auth, booth):
    other_part = make.participation(booth.fair, make.company())
    foreign = make.booking(slot_from_now(make, make.table(other_part), -60), booth.person)
    auth.login_as(booth.rep)
    page = f"{booth.base}/attendance"
    response = auth.post(f"{page}/{foreign.id}", {"status": "no_show"}, page=page)
    assert response.status_code == 404
    assert fresh(foreign).status == "active"


def test_at_the_close_checked_in_but_unmarked_bookings_are_listed_not_guessed(make, auth, booth):
    came = make.booking(slot_from_now(make, booth.table, -90), booth.person)
    check_in(make, booth.fair, booth.person)
    absent = make.candidate(cohort_=booth.cohort)
    never = make.booking(slot_from_now(make, booth.table, -60), absent)
    undone = make.candidate(cohort_=booth.cohort)
    mistaken = make.booking(slot_from_now(make, booth.table, -30), undone)
    check_in(make, booth.fair, undone, undone=True)
    auth.login_as(booth.rep)
    page = f"{booth.base}/attendance"

    assert b'id="at-close"' not in auth.client.get(page).data  # still live, before closing hour

    booth.fair.status = "closed"
    body = auth.client.get(page).data
    assert b'id="at-close"' in body
    assert f'id="close-booking-{came.id}"'.encode() in body
    assert f'id="close-booking-{never.id}"'.encode() not in body
    assert f'id="close-booking-{mistaken.id}"'.encode() not in body
    assert {fresh(b).status for b in (came, never, mistaken)} == {"active"}

    assert auth.post(f"{page}/{came.id}", {"status": "attended"}, page=page).status_code == 303
    assert fresh(came).status == "attended"
    assert f'id="close-booking-{came.id}"'.encode() not in auth.client.get(page).data


def test_closing_hour_passed_opens_the_close_list(make, booth):
    booth.fair.closes_at = time(0, 1)
    assert services.fair_has_closed(booth.fair, now=utcnow().replace(hour=23, minute=59))


# --- Leads page and exports -------------------------------------------------------------


@pytest.fixture
def noted(make, booth):
    booking = make.booking(slot_from_now(make, booth.table, -60), booth.person)
    booking.status = "attended"
    lead = services.lead_for(booth.participation, booth.person.candidate, booth.rep)
    services.save_lead(lead, booth.rep, 4, '=HYPERLINK("http://evil.example","x")', "send_offer")
    walk_in = make.candidate(cohort_=booth.cohort)
    walk_in.first_name, walk_in.last_name = "Salma", "Bennani"
    make.consent(booth.fair, walk_in)
    services.save_lead(services.lead_for(booth.participation, walk_in.candidate, booth.rep),
                       booth.rep, 2, "@SUM(A1)", "keep_in_touch")
    return booth


def test_the_company_sees_its_leads_with_cv_link(make, auth, noted):
    auth.login_as(noted.rep)
    body = auth.client.get(f"{noted.base}/leads").data.decode()
    assert "Youssef Alaoui" in body and "Salma Bennani" in body
    assert noted.cohort.track.name in body
    assert "Send an offer" in body and "Keep in touch" in body
    assert "Attended" in body and "Walk-in" in body
    assert f"/candidates/{noted.person.candidate.id}/cv" in body


def test_csv_export_is_excel_ready_and_injection_safe(make, auth, noted):
    auth.login_as(noted.rep)
    response = auth.client.get(f"{noted.base}/leads.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Last name", "First name", "Email"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Alaoui"][4] == "4"
    assert by_name["Alaoui"][5] == '\'=HYPERLINK("http://evil.example","x")'
    assert by_name["Alaoui"][6] == "Send an offer"
    assert by_name["Alaoui"][7] == "Attended"
    assert by_name["Bennani"][5] == "'@SUM(A1)"
    assert by_name["Bennani"][7] == "Walk-in"


def test_xlsx_export_holds_the_same_rows_as_text(make, auth, noted):
    auth.login_as(noted.rep)
    response = auth.client.get(f"{noted.base}/leads.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Last name"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Alaoui"][5] == '\'=HYPERLINK("http://evil.example","x")'
    assert by_name["Alaoui"][4] == 4
    assert by_name["Bennani"][5] == "'@SUM(A1)"
    for row in sheet.iter_rows(min_row=2):
        assert row[5].data_type == "s"


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+33", "'+33"), ("-2", "'-2"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("ok =1", "ok =1"), (3, 3), (None, ""),
])
def test_safe_cell(value, expected):
    from jobfair.leads.exports import safe_cell
    assert safe_cell(value) == expected


# --- Authorization --------------------------------------------------------------------------


def routes(world, booking_id, candidate_id):
    return [
        ("GET", f"{world.base}/booth-scan"), ("POST", f"{world.base}/booth-scan"),
        ("GET", f"{world.base}/leads/{candidate_id}"),
        ("POST", f"{world.base}/leads/{candidate_id}"),
        ("GET", f"{world.base}/attendance"),
        ("POST", f"{world.base}/attendance/{booking_id}"),
        ("GET", f"{world.base}/leads"), ("GET", f"{world.base}/leads.csv"),
        ("GET", f"{world.base}/leads.xlsx"),
    ]


# Anonymous visitors, other roles and company B of the same fair: the authorization matrix.
@pytest.mark.parametrize("who, expected", [("other_company", 404), ("own_company", None)])
def test_who_may_reach_the_booth_pages(make, auth, booth, who, expected):
    booking = make.booking(slot_from_now(make, booth.table, 60), booth.person)
    users = {
        # A company that does not take part in the fair.
        "other_company": make.user(role="company_rep", company=make.company()),
        "own_company": booth.rep,
    }
    auth.login_as(users[who])
    # A declined participation of one's own company is as unreachable as another company's.
    for method, url in routes(booth, booking.id, booth.person.candidate.id):
        if method == "GET":
            response = auth.client.get(url)
        else:
            response = auth.post(url, {"status": "no_show", "code": "x"}, page="/login")
        if expected is None:
            assert response.status_code in (200, 303), (method, url, response.status_code)
            if url.endswith(".csv"):
                assert len(csv_rows(response)) == 2  # the header and the booked candidate
            elif url.endswith(".xlsx"):
                assert len(xlsx_rows(response)) == 2
        else:
            assert response.status_code == expected, (method, url)
    assert fresh(booking).status == "active"


def test_a_declined_participation_is_404_for_its_own_company(make, auth, booth):
    booth.participation.status = "declined"
    auth.login_as(booth.rep)
    assert auth.client.get(f"{booth.base}/leads").status_code == 404
    assert auth.client.get(f"{booth.base}/booth-scan").status_code == 404


def test_a_second_scan_of_an_attended_candidate_changes_nothing(make, booth):
    booking = make.booking(slot_from_now(make, booth.table, -5), booth.person)
    first = services.booth_scan(booth.participation, booth.badge.token, booth.rep)
    second = services.booth_scan(booth.participation, booth.badge.token, booth.rep)
    assert (first.kind, second.kind) == ("attended", "already_attended")
    assert first.lead.id == second.lead.id
    assert fresh(booking).status == "attended"


def test_a_cancelled_booking_for_now_is_a_walk_in(make, booth):
    booking = make.booking(slot_from_now(make, booth.table, -5), booth.person, status="cancelled")
    result = services.booth_scan(booth.participation, booth.badge.token, booth.rep)
    assert result.kind == "walk_in"
    assert fresh(booking).status == "cancelled"
