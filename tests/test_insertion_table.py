"""insertion_outcomes (the dashboard's resolved outcomes) equals the full recompute.

After random writes through the real services — every writer of who counts (bookings made,
cancelled by the candidate or the company, a waitlist promoted, leads, a fair's invited cohorts,
a candidate's cohort by import) and of outcomes (company outcomes saved, changed and removed,
follow-up answers), attendance, erasure, a fair moved — every figure the dashboard sums in SQL
from the table's totals (figures.py) equals the same figure recomputed from ``queries.rows`` by
``rates``, for every group; and ``flask jobfair insertion rebuild`` repairs an emptied or
corrupted table.
"""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from jobfair.booking import operations, waitlist
from jobfair.cli import insertion_rebuild
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.fairs.services import local_values, save_fair
from jobfair.followups.services import record_answer
from jobfair.imports.services import apply_import, plan_import
from jobfair.insertion import drilldown, figures, queries, rates, table
from jobfair.leads.services import lead_for
from jobfair.models import (
    Booking,
    Candidate,
    Fair,
    InsertionFollowUpTotal,
    InsertionOutcome,
    InsertionTotal,
    utcnow,
)
from jobfair.outcomes.services import save_outcome
from jobfair.privacy.services import erase_account
from jobfair.timeutil import local_today

from .conftest import empty_tables
from .test_imports import HEADER, csv_bytes
from .test_insertion_rates import meeting

FILTERS = (queries.Filters(), queries.Filters(held_before=local_today()))


def _rates(items):
    return [(r.key, r.numerator, r.denominator) for r in items]


def full_recompute(filters, dimension):
    companies = {}
    rows = queries.rows(filters, companies=companies)
    groups = [(key, label, _rates(group_rates), size)
              for key, label, group_rates, size in rates.breakdown(rows, dimension)]
    return {"groups": groups, "headline": _rates(rates.rates(rows)), "total": len(rows),
            "conflicts": rates.count(rows, "conflicts"),
            "over_time": rates.outcomes_over_time(rows),
            "median": rates.median_days_to_hire(rows),
            "companies": rates.company_activity(rows, companies)}


def from_table(filters, dimension):
    groups, headline, total, conflicts = figures.breakdown(filters, dimension)
    return {"groups": [(key, label, _rates(group_rates), size)
                       for key, label, group_rates, size in groups],
            "headline": _rates(headline), "total": total, "conflicts": conflicts,
            "over_time": figures.outcomes_over_time(filters),
            "median": figures.median_days_to_hire(filters),
            "companies": figures.company_activity(filters)}


def assert_same_figures():
    for filters in FILTERS:
        for dimension in rates.DIMENSIONS:
            assert from_table(filters, dimension) == full_recompute(filters, dimension), dimension
    assert_same_drill_downs(FILTERS[1])


def _keys(rows):
    return [(row.fair_id, row.candidate_id) for row in rows]


def assert_same_drill_downs(filters):
    """Each list behind a number, page after page (pages of 2 rows here), is the one the full
    recompute gives, in the same order, and its total is the number."""
    companies = {}
    every = queries.rows(filters, companies=companies)
    for dimension in (None, *rates.DIMENSIONS):
        values = {rates.group_key(row, dimension)[0] for row in every} if dimension else {None}
        for value in values | ({"unknown", "name:nobody"} if dimension else set()):
            for metric in rates.METRICS:
                for company in (companies or {None: None}) if metric in rates.COMPANY_METRICS \
                        else (None,):
                    expected = queries.group_rows(every, metric, dimension, value, company)
                    listed, number, total = [], 1, None
                    while True:
                        page = drilldown.page(filters, metric, dimension, value, company,
                                              number=number, size=2)
                        listed.extend(page.rows)
                        total = page.total
                        if not page.has_next:
                            break
                        number += 1
                    assert total == len(expected), (metric, dimension, value)
                    assert _keys(listed) == _keys(expected), (metric, dimension, value)


def world(make):
    """Two fairs already held (one recent, one over a year ago), one open for booking (one
    place a company: a second booking waits), two cohorts, two companies."""
    today = local_today()
    cohorts = [make.cohort(name="C0"), make.cohort(name="C1")]
    now = utcnow()
    fairs = [make.fair(name="Recent", day=today - timedelta(days=40), status="closed",
                       cohorts=[cohorts[0]]),
             make.fair(name="Old", day=today - timedelta(days=400), status="closed",
                       region="rabat_sale_kenitra", cohorts=list(cohorts)),
             make.fair(name="Next", day=today + timedelta(days=20), status="published",
                       booking_opens_at=now - timedelta(days=1),
                       booking_closes_at=now + timedelta(days=10),
                       cancellation_deadline=now + timedelta(days=10), cohorts=list(cohorts))]
    companies = [make.company(name="Atlas", sector="software"), make.company(name="Bahia")]
    people = [make.candidate(cohort_=cohorts[i % 2]) for i in range(4)]
    parts = {}
    for f, fair in enumerate(fairs[:2]):
        for c, company in enumerate(companies):
            for p, person in enumerate(people[:3]):
                parts[f, c] = meeting(make, fair, company, person,
                                      status=("active", "attended", "no_show")[(p + c) % 3])
    slots = []
    for c, company in enumerate(companies):
        parts[2, c] = make.participation(fairs[2], company)
        slots.append(make.slot(make.table(parts[2, c]), starts_at=datetime.combine(
            fairs[2].day, datetime.min.time()) + timedelta(hours=9 + c)))
    return {"fairs": fairs, "companies": companies, "people": people, "parts": parts,
            "cohorts": cohorts, "slots": slots, "organizer": make.user(role="organizer")}


operation = st.one_of(
    st.tuples(st.just("outcome"), st.integers(0, 1), st.integers(0, 1), st.integers(0, 3),
              st.sampled_from(("", "shortlisted", "offer_made", "hired", "not_retained",
                               "candidate_declined")), st.integers(0, 300)),
    st.tuples(st.just("answer"), st.integers(0, 1), st.integers(0, 3),
              st.sampled_from(("employed", "own_business", "education", "seeking",
                               "not_seeking", "no_answer")),
              st.sampled_from(("candidate", "organizer")), st.booleans(), st.booleans(),
              st.sampled_from((None, 0, 1, "typed")), st.sampled_from((None, 10, 200))),
    st.tuples(st.just("attend"), st.integers(0, 3), st.sampled_from(("attended", "no_show",
                                                                    "booth scan"))),
    st.tuples(st.just("erase"), st.integers(0, 3)),
    st.tuples(st.just("book"), st.integers(0, 3), st.integers(0, 1)),
    st.tuples(st.just("wait"), st.integers(0, 3), st.integers(0, 1)),
    st.tuples(st.just("cancel"), st.integers(0, 3), st.booleans()),
    st.tuples(st.just("lead"), st.integers(0, 2), st.integers(0, 1), st.integers(0, 3)),
    st.tuples(st.just("invite"), st.integers(0, 2), st.sets(st.integers(0, 1))),
    st.tuples(st.just("import"), st.integers(0, 3), st.integers(0, 1)),
)


def _live_booking(person, fair=None):
    query = db.session.query(Booking).filter(Booking.candidate_id == person.candidate.id,
                                             Booking.status == "active")
    if fair is not None:
        query = query.filter(Booking.participation_id.in_(
            [p.id for p in fair.participations]))
    return query.order_by(Booking.id).first()


def apply_membership(w, kind, args):
    """The writers of who counts, as the pages call them; a refusal changes nothing."""
    people, fairs, organizer = w["people"], w["fairs"], w["organizer"]
    if kind == "book":
        p, c = args
        operations.book(people[p].candidate, w["slots"][c])
    elif kind == "wait":
        p, c = args
        waitlist.join_waitlist(people[p].candidate, w["parts"][2, c])
    elif kind == "cancel":
        p, by_company = args
        booking = _live_booking(people[p], None if by_company else fairs[2])
        if booking is None:
            return
        if by_company:
            operations.cancel_by_company(booking, "Stand fermé", organizer)
        else:
            operations.cancel(booking, people[p])
    elif kind == "lead":
        f, c, p = args
        lead_for(w["parts"][f, c], people[p].candidate, organizer)
    elif kind == "invite":
        f, chosen = args
        fair = fairs[f]
        save_fair(fair, local_values(fair), [w["cohorts"][i] for i in sorted(chosen)],
                  actor=organizer)
    elif kind == "import":
        p, c = args
        person, cohort = people[p], w["cohorts"][c]
        if person.email.startswith("erased-"):
            return
        plan = plan_import(csv_bytes([HEADER, [person.first_name, person.last_name,
                                               person.email, "", cohort.name,
                                               cohort.track.name, "Rabat"]]))
        apply_import(plan, organizer, "promotion.csv")


def apply(w, op):
    kind, *args = op
    people, fairs, companies = w["people"], w["fairs"], w["companies"]
    if kind == "outcome":
        f, c, p, status, start = args
        participation, person = w["parts"][f, c], people[p].candidate
        save_outcome(participation, person, w["organizer"], status,
                     contract_type="cdi" if status == "hired" else None,
                     start_date=fairs[f].day + timedelta(days=start) if status == "hired"
                     else None)
    elif kind == "answer":
        f, p, status, source, in_field, full_time, employer, start = args
        employment = {}
        if status == "employed":
            employment = {"contract_type": "cdi", "in_field": in_field, "full_time": full_time,
                          "start_date": fairs[f].day + timedelta(days=start)
                          if start is not None else None}
            if employer == "typed" or (employer is None and source == "candidate"):
                employment["employer_name"] = "Dar Atlas"
            elif employer is not None:
                employment["employer_company_id"] = companies[employer].id
        if source == "candidate" and (employment.get("employer_company_id")
                                      or status == "no_answer"):
            source = "organizer"  # only an organizer records "no answer" or trusts any company
        record_answer(fairs[f], people[p].candidate, source, status, **employment)
    elif kind == "attend":  # attended / no-show: still counted, interviews held may change
        p, status = args
        for booking in db.session.scalars(select(Booking).where(
                Booking.candidate_id == people[p].candidate.id, Booking.status == "active")):
            try:
                with db.session.begin_nested():
                    if status == "booth scan":
                        operations.mark_attended(booking)
                    else:
                        operations.mark_attendance(booking.participation, booking.id, status)
            except DomainError:  # a fair still to come: attendance is recorded on its day
                pass
    elif kind == "erase":
        user = people[args[0]]
        if not user.email.startswith("erased-"):
            erase_account(user, w["organizer"])
    else:
        try:
            with db.session.begin_nested():
                apply_membership(w, kind, args)
        except DomainError:
            pass
    db.session.flush()


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(operation, max_size=12))
def test_the_table_equals_the_full_recompute_after_any_writes(app, make, operations):
    empty_tables()
    w = world(make)
    for op in operations:
        apply(w, op)
    assert_same_figures()


def test_the_per_company_numbers_follow_attendance_and_new_leads(make):
    """Interviews held and leads per company (the dashboard's "Per company" table) after each
    of their writers: attendance marked by the company, a booth scan, a new lead."""
    w = world(make)
    db.session.commit()
    people, parts = w["people"], w["parts"]

    def interviews_and_leads(company):
        numbers = {company_id: counts for company_id, _name, counts
                   in figures.company_activity(FILTERS[1])}[company.id]
        return numbers["interviews"], numbers["leads"]

    atlas, bahia = w["companies"]
    before = interviews_and_leads(atlas)
    operations.mark_attendance(parts[0, 0], _live_booking(people[0], w["fairs"][0]).id,
                               "attended")
    assert interviews_and_leads(atlas) == (before[0] + 1, before[1])
    assert_same_figures()
    before = interviews_and_leads(bahia)
    assert operations.mark_attended(_live_booking(people[2], w["fairs"][0]))
    assert interviews_and_leads(bahia) == (before[0] + 1, before[1])
    lead_for(parts[1, 1], people[3].candidate, w["organizer"])
    assert interviews_and_leads(bahia) == (before[0] + 1, before[1] + 1)
    assert_same_figures()


def test_a_moved_fair_day_is_counted_again(app, make):

    w = world(make)
    fair = w["fairs"][0]
    record_answer(fair, w["people"][0].candidate, "organizer", "employed", contract_type="cdi",
                  in_field=True, full_time=True, start_date=fair.day + timedelta(days=170))
    assert figures.breakdown(FILTERS[0], "fair")[1][2].numerator == 1
    fair.day = fair.day + timedelta(days=-20)  # the start is now 190 days after the fair
    table.refresh_fair(fair.id)
    assert figures.breakdown(FILTERS[0], "fair")[1][2].numerator == 0
    assert_same_figures()


def test_rebuild_repairs_an_emptied_or_corrupted_table(app, make):
    w = world(make)
    people, fairs = w["people"], w["fairs"]
    save_outcome(w["parts"][0, 0], people[0].candidate, w["organizer"], "hired",
                 contract_type="cdi", start_date=fairs[0].day + timedelta(days=5))
    record_answer(fairs[1], people[1].candidate, "organizer", "own_business")
    record_answer(fairs[0], people[2].candidate, "candidate", "not_seeking")
    db.session.commit()
    assert_same_figures()
    expected = from_table(FILTERS[0], "fair")

    for model in (InsertionOutcome, InsertionTotal, InsertionFollowUpTotal):
        db.session.execute(delete(model))
    db.session.commit()
    assert from_table(FILTERS[0], "fair")["headline"] != expected["headline"]
    result = app.test_cli_runner().invoke(insertion_rebuild, [])
    # Every pair that counts: fair "Recent" invites C0 and met people 0-2 (3), "Old" invites
    # both cohorts (4), "Next" invites both cohorts (4).
    assert "11 rows written" in result.output
    assert from_table(FILTERS[0], "fair") == expected

    db.session.execute(update(InsertionOutcome).values(status="seeking", conflict=True))
    db.session.execute(update(InsertionTotal).values(known=InsertionTotal.size, inserted=0))
    db.session.execute(update(InsertionFollowUpTotal).values(days_to_hire=1))
    db.session.commit()
    assert from_table(FILTERS[0], "fair") != expected
    result = app.test_cli_runner().invoke(insertion_rebuild, ["--fair", str(fairs[1].id)])
    assert "4 rows written" in result.output
    assert from_table(FILTERS[0], "fair") != expected  # the other fair is still wrong
    for fair in (fairs[0], fairs[2]):
        app.test_cli_runner().invoke(insertion_rebuild, ["--fair", str(fair.id)])
    assert from_table(FILTERS[0], "fair") == expected
    assert_same_figures()


def test_a_long_list_is_paged_with_links_that_work_without_javascript(client, auth, make):
    """60 invited candidates: 50 on the first page, the 10 others behind "Next", and back."""
    import re

    cohort = make.cohort(name="Big")
    make.fair(name="Held", day=local_today() - timedelta(days=30), status="closed",
              cohorts=[cohort])
    for _ in range(60):
        make.candidate(cohort_=cohort)
    organizer = make.user(role="organizer")
    db.session.commit()
    auth.login_as(organizer)
    auth.use_language("en")

    def rows_and_links(url, **headers):
        html = client.get(url, headers=headers).get_data(as_text=True)
        links = dict((rel, href.replace("&amp;", "&")) for rel, href in re.findall(
            r'<a rel="(prev|next)" href="([^"]+)"', html))
        return html, html.count('<th scope="row">'), links

    html, shown, links = rows_and_links("/organizer/insertion/candidates?metric=candidates")
    assert "60 candidates" in html and shown == 50 and "Page 1 of 2" in html
    assert 'aria-label="Pages of the list"' in html and set(links) == {"next"}
    html, shown, links = rows_and_links(links["next"], **{"HX-Request": "true"})
    assert shown == 10 and "Page 2 of 2" in html and set(links) == {"prev"}
    html, shown, _links = rows_and_links(links["prev"])
    assert shown == 50 and "Page 1 of 2" in html
    html, shown, _links = rows_and_links("/organizer/insertion/candidates?metric=known")
    assert "0 candidates" in html and shown == 0 and "Page 1" not in html


def test_two_answers_at_one_fair_at_once_are_both_counted(app, make, monkeypatch):
    """Two follow-up answers at one fair, each recounting the fair's totals at the same moment
    (both rows of insertion_outcomes written, neither committed): the totals count both, once
    each. PostgreSQL only: each statement there reads what was committed when it started, and
    the advisory lock of table.refresh_totals orders the two recounts; SQLite lets one writer
    in at a time, so the second answer could not even reach its recount."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: there is no concurrent recount")
    w = world(make)
    db.session.commit()
    fair_id = w["fairs"][0].id
    people = [w["people"][0].candidate.id, w["people"][2].candidate.id]
    both_written = threading.Barrier(2, timeout=20)
    lock = table._lock_totals

    def written_then_lock(fair_ids):
        both_written.wait()
        lock(fair_ids)

    monkeypatch.setattr(table, "_lock_totals", written_then_lock)

    def answer(candidate_id):
        with app.app_context():
            fair = db.session.get(Fair, fair_id)
            candidate = db.session.get(Candidate, candidate_id)
            record_answer(fair, candidate, "candidate", "employed", contract_type="cdi",
                          employer_name="Oasis", in_field=True, full_time=True,
                          start_date=fair.day)
            db.session.commit()

    with ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(answer, candidate_id) for candidate_id in people]:
            done.result()
    db.session.expire_all()
    assert figures.breakdown(FILTERS[0], "fair")[1][1].numerator == 2  # insertion: 2 employed
    assert_same_figures()
