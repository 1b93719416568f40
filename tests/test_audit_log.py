"""The audit log: every audited action, done through HTTP, leaves an event with its actor, fair
and details; organizers read them on /organizer/audit (filters, pages); that no one else can is in
the authorization matrix (tests/security/test_authorization_matrix.py)."""
import json
import re
import secrets
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select

from jobfair.audit import services as audit
from jobfair.extensions import db
from jobfair.models import AuditEvent, Badge, Fair, utcnow
from jobfair.timeutil import local_today, utc_to_local

from .downloads import csv_rows, pdf_text, xlsx_rows
from .test_fairs import fair_form

AUDIT = "/organizer/audit"


def events(action=None):
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.scalars(query).all()


def only(action):
    found = events(action)
    assert len(found) == 1, f"{action}: {[e.action for e in events()]}"
    return found[0], json.loads(found[0].details or "{}")


def rows(html):
    """The log's rows, in order, as their data-action."""
    return re.findall(r'<tr id="audit-event-\d+" data-action="([a-z_.]+)"', html)


@contextmanager
def count_queries():
    counter = SimpleNamespace(count=0)

    def count(*_args, **_kwargs):
        counter.count += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def english_organizer(auth, organizer):
    organizer.first_name, organizer.last_name = "Nadia", "Bennis"
    auth.use_language("en")
    auth.login_as(organizer)
    return organizer


@pytest.fixture
def hall(make):
    """A published fair with booths A1, A2, B1; Atlas approved, Kasbah requested."""
    fair = make.fair(name="Job Fair Rabat", status="published", hall_rows=2, hall_cols=2,
                     day=local_today() + timedelta(days=30))
    booths = {number: make.booth(fair, number, row=row, col=col)
              for number, row, col in [("A1", 0, 0), ("A2", 0, 1), ("B1", 1, 0)]}
    atlas = make.participation(fair, make.company("Atlas Digital"))
    kasbah = make.participation(fair, make.company("Kasbah Labs"), status="requested")
    db.session.flush()
    return SimpleNamespace(fair=fair, booths=booths, atlas=atlas, kasbah=kasbah,
                           companies=f"/organizer/fairs/{fair.id}/companies",
                           plan=f"/organizer/fairs/{fair.id}/booths")


# --- Each audited action, through HTTP -----------------------------------------------------


def test_creating_editing_and_publishing_a_fair_are_logged(auth, english_organizer, make):
    cohort = make.cohort()
    response = auth.post("/organizer/fairs/new",
                         fair_form(name="Forum Fès", city="Fès", cohorts=[cohort]))
    assert response.status_code == 303
    fair = db.session.scalar(select(Fair).where(Fair.name == "Forum Fès"))
    created, details = only("fair.created")
    assert (created.actor_id, created.fair_id, created.object_type, created.object_id) == (
        english_organizer.id, fair.id, "fair", fair.id)
    assert details["name"] == "Forum Fès" and created.ip_address == "127.0.0.1"

    edit = f"/organizer/fairs/{fair.id}/edit"
    form = fair_form(fair.day, [cohort], name="Forum Fès", city="Meknès", closes_at="18:00")
    assert auth.post(edit, form).status_code == 303
    updated, details = only("fair.updated")
    assert updated.actor_id == english_organizer.id and updated.fair_id == fair.id
    assert details["changes"] == {"city": ["Fès", "Meknès"], "closes_at": ["17:00:00", "18:00:00"]}
    assert auth.post(edit, form).status_code == 303
    assert len(events("fair.updated")) == 1  # saved without a change: nothing to tell

    assert auth.post(f"/organizer/fairs/{fair.id}/status", {"status": "published"},
                     page="/organizer/").status_code == 303
    changed, details = only("fair.state_changed")
    assert changed.fair_id == fair.id and details == {"old": "draft", "new": "published"}

    page = auth.client.get(AUDIT).get_data(as_text=True)
    assert rows(page) == ["fair.state_changed", "fair.updated", "fair.created"]
    assert "Created the fair" in page and "Edited the fair" in page
    assert "Changed the fair&#39;s status: Draft → Published" in page
    assert "City: <span translate=\"no\">Fès → Meknès</span>" in page
    assert "Nadia Bennis" in page and "organizer" in page and "Forum Fès" in page


def test_a_refused_change_is_not_logged(auth, english_organizer, make):
    fair = make.fair(status="draft")
    response = auth.post(f"/organizer/fairs/{fair.id}/status", {"status": "closed"},
                         page="/organizer/")
    assert response.status_code == 303
    assert events() == []


def test_company_decisions_are_logged(auth, english_organizer, hall, make):
    page = hall.companies
    assert auth.post(f"{page}/{hall.kasbah.id}/approve", page=page).status_code == 303
    approved, details = only("participation.approved")
    assert (approved.actor_id, approved.fair_id, approved.object_id) == (
        english_organizer.id, hall.fair.id, hall.kasbah.id)
    assert details["company"] == "Kasbah Labs"
    assert (details["old"], details["new"]) == ("requested", "approved")

    hall.booths["A1"].participation_id = hall.atlas.id
    assert auth.post(f"{page}/{hall.atlas.id}/withdraw", {"reason": "Stand annulé"},
                     page=page).status_code == 303
    withdrawn, details = only("participation.withdrawn")
    assert details["reason"] == "Stand annulé" and details["booth"] == "A1"

    late = make.participation(hall.fair, make.company("Oasis Soft"), status="requested")
    assert auth.post(f"{page}/{late.id}/decline", {"reason": "Complet"},
                     page=page).status_code == 303
    _declined, details = only("participation.declined")
    assert details["reason"] == "Complet"

    html = auth.client.get(AUDIT).get_data(as_text=True)
    assert "Approved Kasbah Labs" in html and "Withdrew Atlas Digital" in html
    assert "Declined Oasis Soft" in html and "Stand annulé" in html


def test_placing_moving_and_clearing_a_booth_are_logged(auth, english_organizer, hall):
    a1, b1 = hall.booths["A1"], hall.booths["B1"]
    form = {"participation_id": str(hall.atlas.id)}
    assert auth.post(f"{hall.plan}/{a1.id}/assign", form, page=hall.plan).status_code == 303
    assigned, details = only("booth.assigned")
    assert (assigned.actor_id, assigned.fair_id, assigned.object_type, assigned.object_id) == (
        english_organizer.id, hall.fair.id, "booth", a1.id)
    assert details["booth"] == "A1" and details["company"] == "Atlas Digital"

    assert auth.post(f"{hall.plan}/{b1.id}/assign", form, page=hall.plan).status_code == 303
    _moved, details = only("booth.moved")
    assert (details["old_booth"], details["booth"]) == ("A1", "B1")

    assert auth.post(f"{hall.plan}/{b1.id}/unassign", form, page=hall.plan).status_code == 303
    _cleared, details = only("booth.unassigned")
    assert details["booth"] == "B1" and details["company"] == "Atlas Digital"

    html = auth.client.get(AUDIT).get_data(as_text=True)
    assert rows(html) == ["booth.unassigned", "booth.moved", "booth.assigned"]
    assert "Placed Atlas Digital on booth A1" in html
    assert "Moved Atlas Digital: booth A1 → B1" in html
    assert "Cleared booth B1 (Atlas Digital)" in html


def test_downloads_are_logged_with_kind_format_and_filters(auth, client, make, organizer,
                                                           company_rep, hall):
    participation = make.participation(hall.fair, company_rep.company)
    auth.use_language("en")
    auth.login_as(company_rep)
    leads_csv = client.get(f"/company/fairs/{participation.id}/leads.csv")
    assert leads_csv.status_code == 200 and csv_rows(leads_csv)[0][0] == "Last name"
    leads_xlsx = client.get(f"/company/fairs/{participation.id}/leads.xlsx")
    assert leads_xlsx.status_code == 200 and xlsx_rows(leads_xlsx)[0][0] == "Last name"
    leads = events("export.downloaded")
    assert [json.loads(e.details)["format"] for e in leads] == ["csv", "xlsx"]
    assert {(e.actor_id, e.fair_id, e.object_type, e.object_id) for e in leads} == {
        (company_rep.id, hall.fair.id, "participation", participation.id)}
    assert json.loads(leads[0].details)["kind"] == "leads"

    auth.logout()
    auth.use_language("en")
    auth.login_as(organizer)
    response = client.get(f"/organizer/insertion/export.csv?kind=companies&fairs={hall.fair.id}")
    assert response.status_code == 200  # the file still comes, whole
    assert csv_rows(response)[0][0] == "Company"
    report = client.get("/organizer/insertion/report.pdf")
    assert report.status_code == 200 and "Insertion report" in pdf_text(report)
    insertion = events("export.downloaded")[2:]
    first, second = (json.loads(e.details) for e in insertion)
    assert first == {"kind": "insertion-companies", "format": "csv",
                     "filters": {"fairs": [str(hall.fair.id)]}, "csv_form": "excel-fr"}
    assert insertion[0].fair_id == hall.fair.id and insertion[0].actor_id == organizer.id
    assert (second["kind"], second["format"], insertion[1].fair_id) == (
        "insertion-report", "pdf", None)

    html = client.get(AUDIT).get_data(as_text=True)
    assert "Downloaded the company&#39;s leads (CSV)" in html
    assert "Downloaded the insertion export (companies) (CSV)" in html
    assert "Downloaded the insertion report (PDF)" in html


def test_a_refused_export_is_not_logged(auth, client, organizer):
    auth.login_as(organizer)
    assert client.get("/organizer/insertion/export.csv?kind=nope").status_code == 404
    assert events() == []


def test_check_ins_undos_and_outcome_changes_show_on_the_log(auth, client, make, staff,
                                                             organizer):
    cohort = make.cohort()
    fair = make.fair(name="Job Fair Tanger", status="live", cohorts=[cohort])
    fair.staff.append(staff)
    person = make.bookable_candidate(cohort, email="salma@example.ma")
    person.first_name, person.last_name = "Salma", "Élbaz"
    badge = Badge(fair_id=fair.id, user_id=person.id, token=secrets.token_urlsafe(24))
    db.session.add(badge)
    auth.login_as(staff)
    scanner = f"/staff/fairs/{fair.id}/scan"
    auth.post(scanner, {"code": badge.token, "nonce": "n1", "device_name": "Entrée nord"})
    entry, details = only("checkin.entry")
    assert (entry.actor_id, entry.fair_id, details["user_id"]) == (staff.id, fair.id, person.id)
    auth.post(f"/staff/fairs/{fair.id}/checkins/{entry.object_id}/undo", page=scanner)
    undo, _details = only("checkin.undo")
    assert undo.actor_id == staff.id

    auth.logout()
    auth.use_language("en")
    auth.login_as(organizer)
    html = client.get(AUDIT).get_data(as_text=True)
    assert rows(html) == ["checkin.undo", "checkin.entry"]
    assert "Checked in Salma Élbaz" in html and "Undid the check-in of Salma Élbaz" in html
    assert "Entrée nord" in html and "on-site staff" in html


def test_outcome_changes_read_as_sentences(app, auth, client, make, organizer, company_rep):
    fair = make.fair(status="closed")
    participation = make.participation(fair, company_rep.company)
    person = make.candidate(email="youssef@example.ma")
    person.first_name, person.last_name = "Youssef", "Alaoui"
    db.session.flush()
    audit.record("outcome.change", company_rep, fair, object_type="outcome", object_id=1,
                 participation_id=participation.id, candidate_id=person.candidate.id,
                 old=None, new={"status": "hired"})
    auth.use_language("en")
    auth.login_as(organizer)
    html = client.get(AUDIT).get_data(as_text=True)
    assert "Changed the outcome of Youssef Alaoui: no outcome → Hired" in html
    assert company_rep.company.name in html


# --- The page ------------------------------------------------------------------------------


def _log(make, fair, actor, action="booth.assigned", at=None, **details):
    recorded = audit.record(action, actor, fair, object_type="booth", object_id=1, **details)
    if at:
        recorded.created_at = at
    return recorded


def test_the_log_is_in_the_organizer_menu(client, auth, organizer):
    auth.login_as(organizer)
    html = client.get("/organizer/").get_data(as_text=True)
    assert f'href="{AUDIT}"' in html


def test_a_fairs_page_links_to_its_log(client, auth, organizer, make):
    fair = make.fair()
    auth.login_as(organizer)
    html = client.get(f"/organizer/fairs/{fair.id}").get_data(as_text=True)
    assert f'href="{AUDIT}?fair={fair.id}"' in html


def test_an_unknown_action_shows_its_code(auth, client, english_organizer, make):
    _log(make, None, None, action="robot.did_something", note="<script>x</script>")
    html = client.get(AUDIT).get_data(as_text=True)
    assert "<code translate=\"no\">robot.did_something</code>" in html
    assert "<script>x</script>" not in html  # details are escaped
    assert "The system" in html  # no actor


def test_filters_by_fair_kind_person_and_dates(auth, client, english_organizer, make):
    rabat, fes = make.fair(name="Forum Rabat"), make.fair(name="Forum Fès")
    other = make.user(role="organizer", email="autre@example.ma", first_name="Omar",
                      last_name="Idrissi")
    now = utcnow()
    first = _log(make, rabat, english_organizer, booth="A1", company="Atlas", at=now - timedelta(days=10))
    second = _log(make, fes, other, booth="B1", company="Kasbah", at=now - timedelta(days=2))
    third = _log(make, fes, english_organizer, action="fair.created", at=now)
    db.session.flush()

    def shown(**query):
        html = client.get(AUDIT, query_string=query).get_data(as_text=True)
        return {int(i) for i in re.findall(r'id="audit-event-(\d+)"', html)}

    assert shown() == {first.id, second.id, third.id}
    assert shown(fair=fes.id) == {second.id, third.id}
    assert shown(kind="booth") == {first.id, second.id}
    assert shown(kind="fair", fair=fes.id) == {third.id}
    assert shown(actor=other.id) == {second.id}
    day = (now - timedelta(days=2)).date()
    assert shown(date_from=(day - timedelta(days=1)).isoformat()) == {second.id, third.id}
    assert shown(date_to=(day + timedelta(days=1)).isoformat()) == {first.id, second.id}
    # Unknown values (an old link, a typo) are ignored rather than refused.
    assert shown(fair="abc", kind="nope", actor="999999", date_from="hier") == {
        first.id, second.id, third.id}
    html = client.get(AUDIT, query_string={"actor": other.id}).get_data(as_text=True)
    assert '<label for="actor">Person</label>' in html and "Omar Idrissi (organizer)" in html
    empty = client.get(AUDIT, query_string={"fair": rabat.id, "kind": "export"})
    assert "No event matches these filters." in empty.get_data(as_text=True)


def test_pages_of_fifty_newest_first_in_the_same_number_of_queries(auth, client,
                                                                  english_organizer, make):
    fair = make.fair(name="Forum Agadir")
    actors = [make.user(role="organizer", email=f"orga{i}@example.ma") for i in range(3)]
    start = utcnow() - timedelta(hours=5)
    logged = [_log(make, fair, actors[i % 3], booth=f"A{i}", company="Atlas",
                   at=start + timedelta(minutes=i)) for i in range(120)]
    db.session.commit()

    def page_ids(number):
        response = client.get(AUDIT, query_string={"page": number, "fair": fair.id})
        html = response.get_data(as_text=True)
        return [int(i) for i in re.findall(r'id="audit-event-(\d+)"', html)], html

    ids, html = page_ids(1)
    newest_first = [e.id for e in reversed(logged)]
    assert ids == newest_first[:50]
    assert f'href="{AUDIT}?page=2&amp;fair={fair.id}"' in html and "Newer events" not in html
    ids, html = page_ids(3)
    assert ids == newest_first[100:] and "Older events" not in html and "Newer events" in html

    with count_queries() as full:
        page_ids(1)
    with count_queries() as short:
        page_ids(3)  # 20 rows instead of 50
    assert full.count == short.count


def test_times_are_shown_in_casablanca(auth, client, english_organizer, make):
    instant = datetime(2025, 6, 20, 9, 30)  # stored in UTC; Casablanca was UTC+1 then
    _log(make, None, english_organizer, at=instant)
    html = client.get(AUDIT).get_data(as_text=True)
    assert utc_to_local(instant).hour == 10
    assert "Jun 20, 2025, 10:30:00" in html
