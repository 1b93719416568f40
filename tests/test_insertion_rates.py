"""Insertion rates (DOMAIN.md) on fixtures with known answers, the dashboard and its drill-down.

The rate functions are pure (jobfair.insertion.rates), tested first on hand-built rows; then
through the database and the organizer's dashboard.
"""
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event

from jobfair.extensions import db
from jobfair.insertion import rates
from jobfair.insertion import table as insertion_table
from jobfair.insertion.rates import Answer, CompanyOutcome, Row
from jobfair.models import FollowUpAnswer, Lead, Outcome
from jobfair.timeutil import local_today

from .downloads import csv_rows, pdf_pages, xlsx_rows

FAIR_DAY = date(2026, 6, 20)


def row(answers=(), outcomes=(), fair_day=FAIR_DAY, **fields):
    made = Row(fair_id=1, fair_name="F", fair_day=fair_day, region="casablanca_settat",
               candidate_id=fields.pop("candidate_id", 1), answers=list(answers),
               outcomes=list(outcomes), **fields)
    return rates.resolve(made)


def answer(status, days=30, source="candidate", id=0, **fields):
    return Answer(status=status, source=source, id=id,
                  answered_at=datetime.combine(FAIR_DAY + timedelta(days=days),
                                               datetime.min.time()), **fields)


def hired(company_id=7, start=None):
    return CompanyOutcome(company_id, "Atlas", "esn", "hired", "cdi", start)


def by_key(rate_list):
    return {rate.key: rate for rate in rate_list}


# --- Pure rules -------------------------------------------------------------------------------


def test_empty_group_gives_no_value_shown_as_a_dash():
    headline = by_key(rates.rates([]))
    for rate in headline.values():
        assert (rate.numerator, rate.denominator, rate.value) == (0, 0, None)
        assert rate.percent() == "—"
        assert str(rate.definition)


def test_known_answers_on_a_small_group():
    rows = [
        row([answer("employed", in_field=True, full_time=True, start_date=FAIR_DAY +
                    timedelta(days=40))]),                                   # known, in, strict
        row([answer("own_business")]),                                       # known, in
        row([answer("seeking")]),                                            # known, out
        row([answer("not_seeking")]),                                        # known, not in base
        row([answer("no_answer")]),                                          # unknown
        row(),                                                               # unknown
        row(outcomes=[hired()]),                                             # known via company
        row([answer("employed", in_field=True, full_time=False)]),           # in, not full time
    ]
    headline = by_key(rates.rates(rows))
    assert (headline["knowledge"].numerator, headline["knowledge"].denominator) == (6, 8)
    # not seeking is out of the insertion denominator: 6 known - 1 not seeking = 5
    assert (headline["insertion"].numerator, headline["insertion"].denominator) == (4, 5)
    assert headline["insertion"].value == pytest.approx(0.8)
    assert (headline["in_field"].numerator, headline["in_field"].denominator) == (1, 8)
    assert headline["knowledge"].percent() == "75.0 %"
    assert headline["insertion"].percent("fr") == "80,0 %"


def test_not_seeking_only_leaves_an_empty_insertion_denominator():
    headline = by_key(rates.rates([row([answer("not_seeking")])]))
    assert headline["knowledge"].value == 1
    assert (headline["insertion"].numerator, headline["insertion"].denominator) == (0, 0)
    assert headline["insertion"].value is None


def test_company_hired_counts_as_employed_only_while_the_candidate_has_not_answered():
    alone = row(outcomes=[hired()])
    assert (alone.status, alone.source, alone.employer_name) == ("employed", "company", "Atlas")
    after_no_answer = row([answer("no_answer")], outcomes=[hired()])
    assert after_no_answer.status == "employed"
    # Not in-field full-time: the company's "hired" says neither.
    assert not alone.in_field_full_time


def test_conflict_candidate_latest_answer_wins_and_is_flagged():
    disagreeing = row([answer("seeking")], outcomes=[hired()])
    assert disagreeing.status == "seeking"
    assert disagreeing.conflict
    headline = by_key(rates.rates([disagreeing]))
    assert (headline["insertion"].numerator, headline["insertion"].denominator) == (0, 1)
    # The reverse: the candidate names a company that says it did not retain them.
    reverse = row([answer("employed", employer_company_id=7)],
                  outcomes=[CompanyOutcome(7, "Atlas", "esn", "not_retained")])
    assert reverse.status == "employed" and reverse.conflict


def test_a_later_organizer_decision_wins_and_settles_the_conflict():
    decided = row([answer("seeking", days=30, id=1),
                   answer("employed", days=60, source="organizer", id=2)], outcomes=[hired()])
    assert (decided.status, decided.source, decided.conflict) == ("employed", "organizer", False)
    # An older organizer answer does not beat the candidate's later one.
    overruled = row([answer("employed", days=30, source="organizer", id=1),
                     answer("seeking", days=60, id=2)], outcomes=[hired()])
    assert overruled.status == "seeking" and overruled.conflict


def test_latest_answer_counts_and_the_history_gives_the_30_90_180_view():
    history = row([answer("seeking", days=20, id=1), answer("employed", days=100, id=2)])
    assert history.status == "employed"
    assert history.status_by_day == {30: "seeking", 90: "seeking", 180: "employed"}
    over = rates.outcomes_over_time([history, row()])
    assert over[30]["seeking"] == 1 and over[30]["no_answer"] == 1
    assert over[180]["employed"] == 1


def test_in_field_full_time_needs_a_start_within_180_days():
    def strict(start):
        return row([answer("employed", days=200, in_field=True, full_time=True,
                           start_date=start)]).in_field_full_time

    assert strict(FAIR_DAY + timedelta(days=180))
    assert not strict(FAIR_DAY + timedelta(days=181))
    assert not row([answer("employed", days=30, in_field=False, full_time=True)]
                   ).in_field_full_time
    # No start date: the answer's date stands in for it.
    assert row([answer("employed", days=30, in_field=True, full_time=True)]).in_field_full_time


def test_breakdown_groups_and_median_days_to_hire():
    a = row([answer("employed", start_date=FAIR_DAY + timedelta(days=10))],
            cohort_id=1, cohort_name="P1")
    b = row([answer("employed", start_date=FAIR_DAY + timedelta(days=30))],
            cohort_id=1, cohort_name="P1")
    c = row([answer("seeking")], cohort_id=2, cohort_name="P2")
    d = row()
    groups = {key: (label, by_key(group_rates), size)
              for key, label, group_rates, size in rates.breakdown([a, b, c, d], "cohort")}
    assert groups["1"][0] == "P1" and groups["1"][2] == 2
    assert groups["1"][1]["insertion"].value == 1
    assert groups["2"][1]["insertion"].value == 0
    assert groups[rates.NO_GROUP][1]["knowledge"].value == 0
    assert rates.median_days_to_hire([a, b, c]) == (20, 2)
    assert rates.median_days_to_hire([c]) == (None, 0)


# --- Database fixtures shared with test_insertion_exports.py ----------------------------------


def meeting(make, fair_, company_, candidate_user, status="attended"):
    """A booking of candidate_user with company_ at fair_ (a participation and a slot)."""
    from jobfair.models import Participation

    participation = db.session.query(Participation).filter_by(
        fair_id=fair_.id, company_id=company_.id).one_or_none() or make.participation(
        fair_, company_)
    table = make.table(participation, name=f"T{candidate_user.id}")
    slot = make.slot(table, starts_at=datetime.combine(fair_.day, datetime.min.time())
                     + timedelta(hours=9))
    make.booking(slot, candidate_user, status=status)
    return participation


def outcome(participation, candidate_user, status, **fields):
    db.session.add(Outcome(participation=participation, candidate=candidate_user.candidate,
                           status=status, **fields))
    insertion_table.refresh(participation.fair_id, candidate_user.candidate.id)


def follow_up(fair_, candidate_user, status, days=30, source="candidate", **fields):
    db.session.add(FollowUpAnswer(
        fair_id=fair_.id, candidate_id=candidate_user.candidate.id, source=source,
        status=status, answered_at=datetime.combine(fair_.day, datetime.min.time())
        + timedelta(days=days), **fields))
    insertion_table.refresh(fair_.id, candidate_user.candidate.id)


@pytest.fixture
def programme(make):
    """Two fairs; cohort P1 (5 candidates) invited to fair A, cohort P2 (2) to fair B."""
    p1, p2 = make.cohort(name="P1"), make.cohort(name="P2")
    fair_a = make.fair(name="Fair A", day=date(2026, 6, 20), status="closed")
    fair_b = make.fair(name="Fair B", day=date(2026, 9, 20), status="closed",
                       region="rabat_sale_kenitra")
    fair_a.cohorts.append(p1)
    fair_b.cohorts.append(p2)
    people = [make.candidate(cohort_=p1) for i in range(5)]
    others = [make.candidate(cohort_=p2) for i in range(2)]
    atlas = make.company(name="Atlas Tech")
    # Fair A: c0 employed (in field, full time), c1 says seeking but Atlas hired (conflict),
    # c2 hired by Atlas and silent, c3 not seeking, c4 nothing.
    part = meeting(make, fair_a, atlas, people[0])
    follow_up(fair_a, people[0], "employed", in_field=True, full_time=True,
              start_date=fair_a.day + timedelta(days=45), employer_company_id=atlas.id)
    outcome(part, people[0], "hired")
    meeting(make, fair_a, atlas, people[1])
    outcome(part, people[1], "hired")
    follow_up(fair_a, people[1], "seeking")
    meeting(make, fair_a, atlas, people[2], status="no_show")
    outcome(part, people[2], "hired", start_date=fair_a.day + timedelta(days=15))
    db.session.add(Lead(participation=part, candidate=people[3].candidate, rating=3))
    follow_up(fair_a, people[3], "not_seeking")
    outcome(part, people[4], "offer_made")
    # Fair B: one own business, one no answer.
    follow_up(fair_b, others[0], "own_business")
    follow_up(fair_b, others[1], "no_answer")
    db.session.flush()
    return {"fairs": (fair_a, fair_b), "atlas": atlas, "people": people, "others": others}


def numbers_on(page):
    html = page.get_data(as_text=True)

    def pick(element_id):
        match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
        assert match, element_id
        return match.group(1).strip()

    return {key: (int(pick(f"rate-{key}-num")), int(pick(f"rate-{key}-den")))
            for key in ("knowledge", "insertion", "in_field")} | {"total": int(pick("total"))}


# --- Through the database and the pages -------------------------------------------------------


def test_dashboard_shows_the_known_numbers(client, auth, organizer, programme):
    auth.login_as(organizer)
    page = client.get("/organizer/insertion")
    assert page.status_code == 200
    # 7 candidates; known: c0, c1, c2 (company), c3, B0 = 5; base = 5 - c3 = 4;
    # inserted: c0, c2, B0 = 3 (c1: the candidate's "seeking" wins); strict: c0.
    assert numbers_on(page) == {"knowledge": (5, 7), "insertion": (3, 4), "in_field": (1, 7),
                                "total": 7}
    html = page.get_data(as_text=True)
    # The default language is French: 5/7 reads 71,4 %.
    assert 'id="rate-knowledge-value">71,4 %<' in html
    assert 'role="img"' in html and "<title" in html and 'id="conflicts"' in html
    assert 'style="' not in html


def test_by_default_only_fairs_already_held_count(client, auth, organizer, programme, make):
    """A fair still to come has no outcome yet: it would only lower every rate."""
    upcoming = make.fair(name="Next fair", day=local_today() + timedelta(days=20),
                         status="published", cohorts=list(programme["fairs"][0].cohorts))
    today = make.fair(name="Today's fair", day=local_today(), status="live",
                      cohorts=list(programme["fairs"][0].cohorts))
    auth.login_as(organizer)
    auth.use_language("en")
    page = client.get("/organizer/insertion")
    assert numbers_on(page)["total"] == 7
    html = page.get_data(as_text=True)
    assert "every fair already held, up to yesterday" in html
    chosen = numbers_on(client.get(f"/organizer/insertion?fairs={upcoming.id}&fairs={today.id}"))
    assert chosen["total"] == 10 and chosen["knowledge"] == (0, 10)
    export = client.get("/organizer/insertion/export.csv?form=standard").get_data(as_text=True)
    assert "Next fair" not in export and "Today's fair" not in export


def test_filters_by_fair_and_period(client, auth, organizer, programme):
    _fair_a, fair_b = programme["fairs"]
    auth.login_as(organizer)
    only_b = numbers_on(client.get(f"/organizer/insertion?fairs={fair_b.id}"))
    assert only_b == {"knowledge": (1, 2), "insertion": (1, 1), "in_field": (0, 2), "total": 2}
    period = numbers_on(client.get("/organizer/insertion?date_from=2026-06-01"
                                   "&date_to=2026-06-30"))
    assert period["total"] == 5 and period["knowledge"] == (4, 5)


def test_every_number_links_to_as_many_candidates(client, auth, organizer, programme):
    auth.login_as(organizer)
    for group in ("fair", "cohort", "operator", "region", "track", "sector", "company"):
        html = client.get(f"/organizer/insertion?group={group}").get_data(as_text=True)
        links = re.findall(r'href="(/organizer/insertion/candidates\?[^"]+)">(\d+)</a>', html)
        assert links
        for url, number in links:
            listed = client.get(url.replace("&amp;", "&"))
            assert listed.status_code == 200
            count = re.search(r'id="count">(\d+)', listed.get_data(as_text=True))
            assert int(count.group(1)) == int(number), url


def test_per_company_activity_and_time_to_hire(client, auth, organizer, programme):
    auth.login_as(organizer)
    html = client.get("/organizer/insertion").get_data(as_text=True)
    atlas = programme["atlas"].id
    section = html[html.index(f'data-company="{atlas}"'):]
    numbers = re.findall(r'class="company-(\w+)"[^>]*>(\d+)<', section)[:4]
    # attended: c0, c1 (c2 was a no-show); lead: c3; offers: c0, c1, c2 (hired) + c4; hires: 3
    assert dict(numbers) == {"interviews": "2", "leads": "1", "offers": "4", "hires": "3"}
    # Start dates: c0 at 45 days (employed, candidate), c2 at 15 (company) → median 30.
    assert re.search(r'id="median-days">30<', html)


def test_dashboard_runs_a_fixed_number_of_queries(app, client, auth, organizer, programme, make):
    auth.login_as(organizer)

    def queries_for_page():
        statements = []

        def count(*args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/organizer/insertion?group=cohort").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    before = queries_for_page()
    fair_a = programme["fairs"][0]
    atlas = programme["atlas"]
    for i in range(6):
        person = make.candidate(cohort_=fair_a.cohorts[0])
        part = meeting(make, fair_a, atlas, person)
        outcome(part, person, "hired")
        follow_up(fair_a, person, "employed")
    assert queries_for_page() == before


def test_unknown_metric_or_group_is_404(client, auth, organizer):
    auth.login_as(organizer)
    assert client.get("/organizer/insertion/candidates?metric=nope").status_code == 404
    assert client.get("/organizer/insertion/candidates?metric=known&group=x").status_code == 404
    assert client.get("/organizer/insertion/candidates?metric=hires").status_code == 404


ROUTES = ["/organizer/insertion", "/organizer/insertion/candidates?metric=known",
          "/organizer/insertion/export.csv", "/organizer/insertion/export.xlsx",
          "/organizer/insertion/report.pdf"]


@pytest.mark.parametrize("url", ROUTES)
def test_organizers_get_each_insertion_page_and_file(client, auth, url, organizer):
    """By GET only: nothing here changes state. Everyone else is refused: the matrix."""
    auth.login_as(organizer)
    response = client.get(url)
    assert response.status_code == 200
    if url.endswith(".csv"):
        assert len(csv_rows(response)[0]) > 1  # a header of several columns
    elif url.endswith(".xlsx"):
        assert len(xlsx_rows(response)[0]) > 1
    elif url.endswith(".pdf"):
        assert pdf_pages(response) >= 1
    else:
        assert response.mimetype == "text/html"
    assert client.post(url.split("?")[0]).status_code in (400, 405)
