"""insertion_outcomes (the dashboard's resolved outcomes) equals the full recompute.

After random writes through the real services (company outcomes saved, changed and removed,
follow-up answers, attendance, erasure, a fair moved), every figure the dashboard counts in SQL
(figures.py) equals the same figure recomputed from ``queries.rows`` by ``rates`` — for every
group; and ``flask jobfair insertion rebuild`` repairs an emptied or corrupted table.
"""
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update

from jobfair.cli import insertion_rebuild
from jobfair.extensions import db
from jobfair.followups.services import record_answer
from jobfair.insertion import figures, queries, rates
from jobfair.models import Booking, InsertionOutcome
from jobfair.outcomes.services import save_outcome
from jobfair.privacy.services import erase_account
from jobfair.timeutil import local_today

from .conftest import empty_tables
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
            "over_time": figures.outcomes_over_time(filters, total),
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
    """Each list behind a number, built from the narrowed rows, is the one from all rows."""
    companies = {}
    every = queries.rows(filters, companies=companies)
    for dimension in (None, *rates.DIMENSIONS):
        values = {rates.group_key(row, dimension)[0] for row in every} if dimension else {None}
        for value in values | ({"unknown"} if dimension else set()):
            for metric in rates.METRICS:
                for company in (companies or {None: None}) if metric in rates.COMPANY_METRICS \
                        else (None,):
                    narrowed = figures.drill_down_statement(filters, metric, dimension, value,
                                                            company)
                    listed = queries.group_rows(queries.rows(filters, statement=narrowed),
                                                metric, dimension, value, company)
                    expected = queries.group_rows(every, metric, dimension, value, company)
                    assert _keys(listed) == _keys(expected), (metric, dimension, value)


def world(make):
    """Two fairs already held (one recent, one over a year ago), two cohorts, two companies."""
    today = local_today()
    cohorts = [make.cohort(name="C0"), make.cohort(name="C1")]
    fairs = [make.fair(name="Recent", day=today - timedelta(days=40), status="closed"),
             make.fair(name="Old", day=today - timedelta(days=400), status="closed",
                       region="rabat_sale_kenitra")]
    fairs[0].cohorts.append(cohorts[0])
    fairs[1].cohorts.extend(cohorts)
    companies = [make.company(name="Atlas", sector="software"), make.company(name="Bahia")]
    people = [make.candidate(cohort_=cohorts[i % 2]) for i in range(4)]
    parts = {}
    for f, fair in enumerate(fairs):
        for c, company in enumerate(companies):
            for p, person in enumerate(people[:3]):
                parts[f, c] = meeting(make, fair, company, person,
                                      status=("active", "attended", "no_show")[(p + c) % 3])
    return {"fairs": fairs, "companies": companies, "people": people, "parts": parts,
            "organizer": make.user(role="organizer")}


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
                                                                      "cancelled"))),
    st.tuples(st.just("erase"), st.integers(0, 3)),
)


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
    elif kind == "attend":
        p, status = args
        db.session.execute(update(Booking).where(
            Booking.candidate_id == people[p].candidate.id).values(status=status))
    elif kind == "erase":
        user = people[args[0]]
        if not user.email.startswith("erased-"):
            erase_account(user, w["organizer"])
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


def test_a_moved_fair_day_is_counted_again(app, make):
    from jobfair.insertion import table

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

    db.session.execute(delete(InsertionOutcome))
    db.session.commit()
    assert from_table(FILTERS[0], "fair")["headline"] != expected["headline"]
    result = app.test_cli_runner().invoke(insertion_rebuild, [])
    assert "3 rows written" in result.output
    assert from_table(FILTERS[0], "fair") == expected

    db.session.execute(update(InsertionOutcome).values(status="seeking", conflict=True))
    db.session.commit()
    assert from_table(FILTERS[0], "fair") != expected
    result = app.test_cli_runner().invoke(insertion_rebuild, ["--fair", str(fairs[1].id)])
    assert "1 rows written" in result.output
    assert from_table(FILTERS[0], "fair") != expected  # the other fair is still wrong
    app.test_cli_runner().invoke(insertion_rebuild, ["--fair", str(fairs[0].id)])
    assert from_table(FILTERS[0], "fair") == expected
    assert_same_figures()
