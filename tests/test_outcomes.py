"""Companies record hiring outcomes: the rules (service level), the inline table (htmx and
without JS), bulk changes, filters, organizer reminders, exports and who may reach each page."""
import csv
import io
import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.mail import absolute_url
from jobfair.models import AuditEvent, Lead, OutboxMessage, Outcome, Position
from jobfair.outcomes import services

HTMX = {"HX-Request": "true"}
FAIR_DAY = date(2026, 11, 20)


def position(make, company, title="Développeur Java", contract="cdi"):
    return make._save(Position(company_id=company.id, title=title, contract_type=contract))


def lead(make, participation, person, rating=None):
    return make._save(Lead(participation_id=participation.id, candidate_id=person.candidate.id,
                           rating=rating))


@pytest.fixture
def world(make, company_rep, auth):
    """A closed fair; the rep's company met Youssef (attended booking), Salma (no-show) and
    Karim (walk-in lead); Nadia's booking was cancelled (not met)."""
    fair = make.fair(day=FAIR_DAY, status="closed")
    data_track, web_track = make.track("Data"), make.track("Web")
    data, web = make.cohort(track=data_track), make.cohort(track=web_track)
    fair.cohorts.extend([data, web])
    participation = make.participation(fair, company_rep.company)
    table = make.table(participation)
    people = {}
    for first, last, cohort in [("Youssef", "Alaoui", data), ("Salma", "Bennani", web),
                                ("Karim", "Chraibi", data), ("Nadia", "Daoudi", web)]:
        person = make.candidate(cohort_=cohort)
        person.first_name, person.last_name = first, last
        make.consent(fair, person)  # the company sees their names (jobfair/privacy)
        people[first.lower()] = person
    make.booking(make.slot_at(table, 9), people["youssef"], status="attended")
    make.booking(make.slot_at(table, 10), people["salma"], status="no_show")
    make.booking(make.slot_at(table, 11), people["nadia"], status="cancelled")
    lead(make, participation, people["karim"], rating=3)
    auth.use_language("en")
    return SimpleNamespace(fair=fair, participation=participation, rep=company_rep,
                           company=company_rep.company, **people,
                           base=f"/company/fairs/{participation.id}/outcomes",
                           java=position(make, company_rep.company))


def outcome_of(world, person):
    db.session.expire_all()
    return db.session.scalar(select(Outcome).where(
        Outcome.participation_id == world.participation.id,
        Outcome.candidate_id == person.candidate.id))


def row_url(world, person):
    return f"{world.base}/{person.candidate.id}"


# --- Rules (service level) ----------------------------------------------------------------


def test_every_status_is_recorded_and_audited(world):
    for status in ("shortlisted", "second_interview", "offer_made", "not_retained",
                   "candidate_declined"):
        services.save_outcome(world.participation, world.youssef.candidate, world.rep, status)
        db.session.commit()
        assert outcome_of(world, world.youssef).status == status
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "outcome.change")
                                .order_by(AuditEvent.id)).all()
    assert len(events) == 5
    last = json.loads(events[-1].details)
    assert last["old"]["status"] == "not_retained"
    assert last["new"]["status"] == "candidate_declined"
    assert events[-1].actor_id == world.rep.id and events[-1].fair_id == world.fair.id


def test_saving_the_same_values_again_records_no_audit_event(world):
    for _ in range(2):
        services.save_outcome(world.participation, world.youssef.candidate, world.rep,
                              "shortlisted")
    db.session.commit()
    assert db.session.query(AuditEvent).filter_by(action="outcome.change").count() == 1


def test_a_hire_needs_a_contract_type(world):
    with pytest.raises(DomainError) as error:
        services.save_outcome(world.participation, world.youssef.candidate, world.rep, "hired")
    assert error.value.field == "contract_type"


def test_a_hire_cannot_start_before_the_fair(world):
    with pytest.raises(DomainError) as error:
        services.save_outcome(world.participation, world.youssef.candidate, world.rep, "hired",
                              "cdi", start_date=FAIR_DAY - timedelta(days=1))
    assert error.value.field == "start_date"
    hired = services.save_outcome(world.participation, world.youssef.candidate, world.rep,
                                  "hired", "cdi", world.java.id, FAIR_DAY)
    assert hired.start_date == FAIR_DAY and hired.position_id == world.java.id


def test_unknown_status_contract_and_other_companies_positions_are_refused(make, world):
    other = position(make, make.company(), title="Ailleurs")
    cases = [(("promoted",), "status"), (("hired", "permanent"), "contract_type"),
             (("hired", "cdi", other.id), "position_id")]
    for args, field in cases:
        with pytest.raises(DomainError) as error:
            services.save_outcome(world.participation, world.youssef.candidate, world.rep, *args)
        assert error.value.field == field


def test_contract_details_are_kept_only_for_a_hire(world):
    services.save_outcome(world.participation, world.youssef.candidate, world.rep, "hired",
                          "cdd", world.java.id, FAIR_DAY + timedelta(days=30))
    outcome = services.save_outcome(world.participation, world.youssef.candidate, world.rep,
                                    "not_retained", "cdd", world.java.id, FAIR_DAY)
    assert (outcome.contract_type, outcome.position_id, outcome.start_date) == (None, None, None)


def test_outcomes_wait_for_the_fair_to_start(make, world):
    world.fair.status = "published"
    with pytest.raises(DomainError):
        services.save_outcome(world.participation, world.youssef.candidate, world.rep,
                              "shortlisted")
    world.fair.status = "live"
    assert services.save_outcome(world.participation, world.youssef.candidate, world.rep,
                                 "shortlisted").status == "shortlisted"


def test_an_empty_status_removes_the_outcome(world):
    services.save_outcome(world.participation, world.youssef.candidate, world.rep, "shortlisted")
    db.session.commit()
    services.save_outcome(world.participation, world.youssef.candidate, world.rep, "")
    db.session.commit()
    assert outcome_of(world, world.youssef) is None


# --- The table ------------------------------------------------------------------------------


def test_the_table_lists_every_candidate_met_and_nobody_else(auth, world):
    auth.login_as(world.rep)
    page = auth.client.get(world.base).get_data(as_text=True)
    for person in (world.youssef, world.salma, world.karim):
        assert f'id="row-{person.candidate.id}"' in page
    assert f'id="row-{world.nadia.candidate.id}"' not in page  # cancelled booking
    assert "No-show" in page and "Attended" in page and "Walk-in" in page
    assert "Data" in page and world.youssef.candidate.cohort.name in page


def test_inline_edit_with_htmx_swaps_the_row(auth, world):
    auth.login_as(world.rep)
    response = auth.post(row_url(world, world.youssef),
                         {"status": "hired", "contract_type": "cdi",
                          "position_id": str(world.java.id), "start_date": "2026-12-01"},
                         page=world.base, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="row-{world.youssef.candidate.id}"')
    assert "<html" not in html and f'id="saved-{world.youssef.candidate.id}"' in html
    outcome = outcome_of(world, world.youssef)
    assert (outcome.status, outcome.contract_type, outcome.position_id, outcome.start_date) == (
        "hired", "cdi", world.java.id, date(2026, 12, 1))
    assert outcome.updated_by_id == world.rep.id


def test_inline_errors_show_in_the_row_next_to_the_field_with_values_kept(auth, world):
    auth.login_as(world.rep)
    cid = world.youssef.candidate.id
    response = auth.post(row_url(world, world.youssef),
                         {"status": "hired", "contract_type": "", "start_date": "2026-12-01"},
                         page=world.base, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="contract_type-{cid}-error"' in html
    assert "A hire needs a contract type." in html
    assert '<option selected value="hired">' in html and 'value="2026-12-01"' in html
    assert outcome_of(world, world.youssef) is None

    response = auth.post(row_url(world, world.youssef),
                         {"status": "hired", "contract_type": "cdi", "start_date": "2026-11-19"},
                         page=world.base, headers=HTMX)
    assert f'id="start_date-{cid}-error"' in response.get_data(as_text=True)
    assert outcome_of(world, world.youssef) is None


def test_inline_edit_works_without_javascript(auth, world):
    auth.login_as(world.rep)
    response = auth.post(row_url(world, world.salma), {"status": "not_retained"},
                         page=world.base)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{world.base}#row-{world.salma.candidate.id}")
    assert outcome_of(world, world.salma).status == "not_retained"
    page = auth.client.get(world.base).get_data(as_text=True)
    assert "Outcome of Salma Bennani saved." in page

    response = auth.post(row_url(world, world.salma), {"status": "hired"}, page=world.base)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html and f'id="contract_type-{world.salma.candidate.id}-error"' in html
    assert outcome_of(world, world.salma).status == "not_retained"


def test_a_candidate_the_company_did_not_meet_cannot_be_given_an_outcome(auth, world):
    auth.login_as(world.rep)
    response = auth.post(row_url(world, world.nadia), {"status": "shortlisted"}, page=world.base)
    assert response.status_code == 404
    assert outcome_of(world, world.nadia) is None


def test_a_fair_not_yet_started_shows_the_table_read_only(auth, world):
    world.fair.status = "published"
    auth.login_as(world.rep)
    page = auth.client.get(world.base).get_data(as_text=True)
    assert 'id="not-open"' in page and 'id="bulk-form"' not in page
    assert f'id="row-{world.youssef.candidate.id}"' in page


# --- Bulk change and filters -------------------------------------------------------------------


def test_bulk_change_sets_the_status_of_every_selected_row(auth, world):
    auth.login_as(world.rep)
    ids = [str(world.youssef.candidate.id), str(world.karim.candidate.id)]
    response = auth.post(f"{world.base}/bulk", {"status": "second_interview",
                                                "candidate_ids": ids}, page=world.base)
    assert response.status_code == 303
    assert outcome_of(world, world.youssef).status == "second_interview"
    assert outcome_of(world, world.karim).status == "second_interview"
    assert outcome_of(world, world.salma) is None
    assert db.session.query(AuditEvent).filter_by(action="outcome.change").count() == 2


def test_bulk_change_is_all_or_nothing(auth, world):
    services.save_outcome(world.participation, world.youssef.candidate, world.rep, "hired", "cdi")
    services.save_outcome(world.participation, world.karim.candidate, world.rep, "shortlisted")
    auth.login_as(world.rep)
    ids = [str(world.youssef.candidate.id), str(world.karim.candidate.id)]
    response = auth.post(f"{world.base}/bulk", {"status": "hired", "candidate_ids": ids},
                         page=world.base)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="bulk-status-error"' in html and "Karim Chraibi" in html
    assert f'value="{world.karim.candidate.id}" form="bulk-form" id="select-{world.karim.candidate.id}" checked' in html
    assert outcome_of(world, world.karim).status == "shortlisted"  # nothing changed

    # A candidate the company did not meet spoils the whole selection.
    response = auth.post(f"{world.base}/bulk", {"status": "not_retained", "candidate_ids": [
        str(world.karim.candidate.id), str(world.nadia.candidate.id)]}, page=world.base)
    assert response.status_code == 200 and 'id="bulk-status-error"' in response.get_data(as_text=True)
    assert outcome_of(world, world.karim).status == "shortlisted"
    assert outcome_of(world, world.nadia) is None


def test_bulk_hire_keeps_each_rows_contract(world):
    services.save_outcome(world.participation, world.youssef.candidate, world.rep, "hired", "cdd",
                          world.java.id, FAIR_DAY)
    services.bulk_set_status(world.participation, [world.youssef.candidate.id], "offer_made",
                             world.rep)
    with pytest.raises(DomainError):
        services.bulk_set_status(world.participation, [], "offer_made", world.rep)
    assert outcome_of(world, world.youssef).status == "offer_made"


def shown(page, world):
    return {name for name in ("youssef", "salma", "karim", "nadia")
            if f'id="row-{getattr(world, name).candidate.id}"' in page}


def test_filters(auth, world):
    services.save_outcome(world.participation, world.youssef.candidate, world.rep, "offer_made")
    services.save_outcome(world.participation, world.salma.candidate, world.rep, "not_retained")
    auth.login_as(world.rep)
    get = lambda query: auth.client.get(f"{world.base}?{query}").get_data(as_text=True)
    assert shown(get(""), world) == {"youssef", "salma", "karim"}
    assert shown(get("status=offer_made"), world) == {"youssef"}
    assert shown(get("recorded=no"), world) == {"karim"}
    assert shown(get("recorded=yes"), world) == {"youssef", "salma"}
    track = world.youssef.candidate.cohort.track_id
    assert shown(get(f"track={track}"), world) == {"youssef", "karim"}
    assert shown(get(f"track={track}&recorded=yes"), world) == {"youssef"}
    assert shown(get("status=bogus"), world) == {"youssef", "salma", "karim"}


def add_met_candidates(make, world, count):
    """``count`` more candidates met (attended + lead), each hired to a position of their own."""
    table = make.table(world.participation, name=f"Table {count}")
    for hour in range(8, 8 + count):
        person = make.candidate(cohort_=make.cohort())
        make.booking(make.slot_at(table, hour), person, status="attended")
        lead(make, world.participation, person, rating=2)
        services.save_outcome(world.participation, person.candidate, world.rep, "hired", "cdd",
                              position(make, world.company, title=f"Poste {hour}").id,
                              FAIR_DAY)


@pytest.mark.parametrize("status", ["closed", "published"])
def test_the_number_of_queries_does_not_grow_with_rows(make, auth, world, status):
    """Editable rows (closed fair: forms) and read-only rows (published: labels, positions)."""
    services.save_outcome(world.participation, world.youssef.candidate, world.rep, "hired", "cdi",
                          world.java.id, FAIR_DAY)
    world.fair.status = status
    auth.login_as(world.rep)

    def count_queries():
        db.session.commit()  # the test's own changes are not the page's queries
        counter = []
        listener = lambda *args, **kwargs: counter.append(args[2])
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = auth.client.get(world.base)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert response.status_code == 200
        return counter, response.get_data(as_text=True).count('class="outcome-row')

    count_queries()  # warm-up: the first request of a session does a little more
    before, rows_before = count_queries()
    world.fair.status = "closed"
    add_met_candidates(make, world, 6)
    world.fair.status = status
    after, rows_after = count_queries()
    assert (rows_before, rows_after) == (3, 9)
    assert len(after) == len(before), after


# --- Organizers: progress and reminders --------------------------------------------------------


@pytest.fixture
def fair_with_companies(make, world):
    """Besides the rep's company (3 met, 0 recorded): a company that answered everything and one
    that met nobody."""
    done = make.participation(world.fair, make.company(name="Finie"))
    lead(make, done, world.youssef)
    services.save_outcome(done, world.youssef.candidate, world.rep, "shortlisted")
    quiet = make.participation(world.fair, make.company(name="Muette"))
    colleague = make.user(role="company_rep", company=world.company, email="rh2@atlas.example.ma",
                          locale="fr")
    make.user(role="company_rep", company=world.company, email="old@atlas.example.ma",
              is_enabled=False)
    make.user(role="company_rep", company=done.company, email="rh@finie.example.ma")
    return SimpleNamespace(done=done, quiet=quiet, colleague=colleague)


def test_organizers_see_met_recorded_and_missing_per_company(auth, organizer, world,
                                                             fair_with_companies):
    services.save_outcome(world.participation, world.karim.candidate, world.rep, "shortlisted")
    auth.login_as(organizer)
    page = auth.client.get(f"/organizer/fairs/{world.fair.id}/outcomes").get_data(as_text=True)
    row = page.split(f'id="company-{world.participation.id}"')[1].split("</tr>")[0]
    assert '"num met">3<' in row and '"num recorded">1<' in row and '"num missing">2<' in row
    done = page.split(f'id="company-{fair_with_companies.done.id}"')[1].split("</tr>")[0]
    assert '"num missing">0<' in done and "remind-" not in done
    assert f'id="remind-{world.participation.id}"' in page and 'id="remind-all"' in page


def test_remind_all_emails_each_enabled_rep_of_companies_with_missing_outcomes(
        auth, organizer, world, fair_with_companies):
    auth.login_as(organizer)
    url = f"/organizer/fairs/{world.fair.id}/outcomes"
    response = auth.post(f"{url}/remind-all", page=url)
    assert response.status_code == 303
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert sorted(m.recipient for m in messages) == ["rh2@atlas.example.ma",
                                                     "rh@atlas.example.ma"]
    link = absolute_url("outcomes.company_outcomes", participation_id=world.participation.id)
    assert link.startswith("http") and link.endswith(f"/company/fairs/{world.participation.id}/outcomes")
    assert all(link in m.body_text for m in messages)
    assert all(world.fair.name in m.subject for m in messages)
    assert all("3" in m.body_text for m in messages)  # 3 candidates met, none recorded


def test_remind_one_company_and_refuse_a_company_with_nothing_missing(
        auth, organizer, world, fair_with_companies):
    auth.login_as(organizer)
    url = f"/organizer/fairs/{world.fair.id}/outcomes"
    response = auth.post(f"{url}/remind/{fair_with_companies.done.id}", page=url,
                         follow_redirects=True)
    assert "Nothing to remind" in response.get_data(as_text=True)
    assert db.session.query(OutboxMessage).count() == 0
    assert auth.post(f"{url}/remind/{world.participation.id}", page=url).status_code == 303
    assert db.session.query(OutboxMessage).count() == 2


def test_reminders_only_for_live_or_closed_fairs(auth, organizer, world, fair_with_companies):
    world.fair.status = "published"
    auth.login_as(organizer)
    url = f"/organizer/fairs/{world.fair.id}/outcomes"
    page = auth.client.get(url).get_data(as_text=True)
    assert 'id="not-open"' in page and 'id="remind-all"' not in page
    auth.post(f"{url}/remind-all", page=url)
    assert db.session.query(OutboxMessage).count() == 0


def test_remind_a_participation_of_another_fair_is_404(make, auth, organizer, world):
    other = make.participation(make.fair(status="closed"), make.company())
    auth.login_as(organizer)
    url = f"/organizer/fairs/{world.fair.id}/outcomes"
    assert auth.post(f"{url}/remind/{other.id}", page=url).status_code == 404


# --- Exports ----------------------------------------------------------------------------------


def test_csv_export_has_the_outcomes_and_is_injection_safe(auth, world):
    world.karim.last_name = "=HYPERLINK(\"http://evil\")"
    services.save_outcome(world.participation, world.youssef.candidate, world.rep, "hired", "cdi",
                          world.java.id, date(2026, 12, 1))
    auth.login_as(world.rep)
    response = auth.client.get(f"{world.base}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    assert response.data.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    header, body = lines[0], lines[1:]
    assert "Outcome" in header and "Contract type" in header
    by_first = {line[1]: dict(zip(header, line)) for line in body}
    assert set(by_first) == {"Youssef", "Salma", "Karim"}
    assert by_first["Youssef"]["Outcome"] == "Hired"
    assert by_first["Youssef"]["Contract type"] == "Permanent contract (CDI)"
    assert by_first["Youssef"]["Position"] == "Développeur Java"
    assert by_first["Youssef"]["Start date"] == "2026-12-01"
    assert by_first["Karim"]["Last name"].startswith("'=")


def test_xlsx_export_opens_and_holds_only_this_companys_rows(make, auth, world):
    other = make.participation(world.fair, make.company())
    lead(make, other, world.nadia)
    services.save_outcome(world.participation, world.salma.candidate, world.rep, "not_retained")
    auth.login_as(world.rep)
    response = auth.client.get(f"{world.base}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.values)
    header = list(values[0])
    firsts = {row[1] for row in values[1:]}
    assert firsts == {"Youssef", "Salma", "Karim"}
    salma = next(row for row in values[1:] if row[1] == "Salma")
    assert salma[header.index("Outcome")] == "Not retained"


# --- Which company reaches each route (roles: the authorization matrix) ------------------------


def company_routes(world):
    cid = world.youssef.candidate.id
    return [("get", world.base), ("post", f"{world.base}/{cid}"), ("post", f"{world.base}/bulk"),
            ("get", f"{world.base}.csv"), ("get", f"{world.base}.xlsx")]


def call(auth, method, url):
    if method == "get":
        return auth.client.get(url)
    return auth.post(url, {"status": "shortlisted",
                           "candidate_ids": [""]}, page="/login")


def test_another_companys_participation_is_404(make, auth, world):
    auth.login_as(make.user(role="company_rep", company=make.company()))
    for method, url in company_routes(world):
        assert call(auth, method, url).status_code == 404, url
    assert outcome_of(world, world.youssef) is None


def test_a_participation_not_approved_is_404(make, auth, world):
    world.participation.status = "withdrawn"
    auth.login_as(world.rep)
    for method, url in company_routes(world):
        assert call(auth, method, url).status_code == 404, url


def test_an_unknown_fair_is_404_for_organizers(auth, organizer):
    auth.login_as(organizer)
    assert auth.client.get("/organizer/fairs/999/outcomes").status_code == 404


def test_the_pages_link_to_the_outcomes(auth, organizer, world):
    auth.login_as(world.rep)
    assert world.base in auth.client.get("/company/").get_data(as_text=True)
    auth.logout()
    auth.login_as(organizer)
    page = auth.client.get(f"/organizer/fairs/{world.fair.id}").get_data(as_text=True)
    assert f"/organizer/fairs/{world.fair.id}/outcomes" in page
